import { createHash } from 'node:crypto';

/**
 * The fair draw, as published: anyone can check a sale's draw with these functions alone.
 *
 * - Before the pre-queue opens, the sale publishes `commitment` = hex SHA-256 of the UTF-8
 *   characters of a secret random `seed` (32 hex characters: 128 bits).
 * - At the opening it reveals `seed`; the pre-queue's tokens, sorted by ascending hex SHA-256 of
 *   `${seed}:${drawNumber}` (a token's draw number is its id), take places 1, 2, 3, …; fans who join
 *   after the opening queue behind them in arrival order.
 *
 * An entry's draw number is `ticket` on the wire (`sale.draw`), a name that predates "draw number".
 */

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The commitment published for a seed. */
export const commitmentOf = (seed: string) => sha256Hex(seed);

/** A draw number's draw key: the lower, the earlier its place. */
export const drawKey = (seed: string, drawNumber: number) => sha256Hex(`${seed}:${drawNumber}`);

export interface DrawEntry {
  /** The draw number. */
  ticket: number;
  place: number;
}

/** The places the rule gives the pre-queue's draw numbers (1, 2, 3, … by ascending draw key). */
export function drawPlaces(seed: string, drawNumbers: readonly number[]): DrawEntry[] {
  return drawNumbers
    .map((drawNumber) => ({ drawNumber, key: drawKey(seed, drawNumber) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.drawNumber - b.drawNumber))
    .map(({ drawNumber }, i) => ({ ticket: drawNumber, place: i + 1 }));
}

export interface PublishedDraw {
  commitment: string;
  seed: string | null;
  openedAt: string | null;
  entries: DrawEntry[] | null;
  /** How many entries the draw placed in all (`sale.draw` is paged): when given, every one must have been read. */
  drawnCount?: number | null;
}

/** What is wrong with a published draw: an empty list means it checks out. */
export function drawProblems(draw: PublishedDraw): string[] {
  if (draw.seed === null || draw.entries === null) return ['the sale has not opened yet: no seed or entries to check'];
  const problems: string[] = [];
  const commitment = commitmentOf(draw.seed);
  if (commitment !== draw.commitment) {
    problems.push(`SHA-256(seed) is ${commitment}, but the published commitment is ${draw.commitment}`);
  }
  if (draw.drawnCount !== undefined && draw.drawnCount !== null && draw.drawnCount !== draw.entries.length) {
    problems.push(`the draw placed ${draw.drawnCount} draw numbers, but ${draw.entries.length} were read`);
  }
  const drawNumbers = draw.entries.map((e) => e.ticket);
  if (new Set(drawNumbers).size !== drawNumbers.length) problems.push('a draw number appears more than once');
  const expected = new Map(drawPlaces(draw.seed, drawNumbers).map((e) => [e.ticket, e.place]));
  const wrong = draw.entries.filter((e) => expected.get(e.ticket) !== e.place);
  for (const e of wrong.slice(0, 10)) {
    problems.push(`draw number ${e.ticket} has place ${e.place}, but the rule gives it place ${expected.get(e.ticket)}`);
  }
  if (wrong.length > 10) problems.push(`… and ${wrong.length - 10} more draw numbers in the wrong place`);
  return problems;
}
