import { SALE_AUDIENCES } from '@/db/schema';
import { z } from 'zod';
import type { Db, DbOrTx } from '@/db/client';
import { concerts, schedules, seats } from '@/db/schema';
import type { Attribution } from '@/server/audit/actor';
import { recordAudit } from '@/server/audit/record';
import type { Config } from '@/server/env';
import { createSale } from '@/server/sale/service';
import {
  MAX_ACTIVE_LIMIT,
  MAX_DATES,
  MAX_DAYS_AHEAD,
  MAX_ROWS,
  MAX_SEAT_PRICE,
  MAX_SEATS_PER_DATE,
  MAX_SEATS_PER_ROW,
  MAX_SECTION_NAME_LENGTH,
  MAX_SECTIONS,
  MAX_TEXT_LENGTH,
  MAX_TURN_SECONDS,
  MIN_TURN_SECONDS,
} from '@/server/shared/plan-limits';
import { rowName } from '@/server/shared/rows';
import { requireSale } from './sale-view';

/**
 * An operator creates a concert, its dates and their seat maps (and, with the sale module, its sale)
 * in one step. What makes a plan sane lives here, in the input schema, so a bad field is
 * `INVALID_INPUT` with its path in `fieldErrors` before anything is written.
 */

const DAY_MS = 86_400_000;

const text = (max: number) => z.string().trim().min(1, 'is required').max(max);
/** An ISO-8601 date and time with its offset (`2026-12-24T19:00:00+09:00` or `…Z`). */
export const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time with its offset' });
export const maxActiveSchema = z.number().int().min(1).max(MAX_ACTIVE_LIMIT);
export const turnSecondsSchema = z.number().int().min(MIN_TURN_SECONDS).max(MAX_TURN_SECONDS);

const sectionSchema = z.object({
  name: text(MAX_SECTION_NAME_LENGTH),
  price: z.number().int('must be whole won').min(1).max(MAX_SEAT_PRICE),
  rows: z.number().int().min(1).max(MAX_ROWS),
  seatsPerRow: z.number().int().min(1).max(MAX_SEATS_PER_ROW),
});

export type SectionPlan = z.output<typeof sectionSchema>;

const time = (iso: string) => new Date(iso).getTime();
/** Zod runs refinements even when a string failed its format: only well-formed times are compared. */
const wellFormed = (iso: string) => isoDateTime.safeParse(iso).success;

/**
 * A time that must lie ahead (and not absurdly far): checked on the field itself, so the operator
 * hears about it even while another field is wrong (zod skips the plan's cross-field checks then).
 */
const futureDateTime = isoDateTime.superRefine((iso, ctx) => {
  if (!wellFormed(iso)) return;
  const at = new Date(iso).getTime();
  if (at <= Date.now()) ctx.addIssue({ code: 'custom', message: 'must be in the future' });
  else if (at > Date.now() + MAX_DAYS_AHEAD * DAY_MS) ctx.addIssue({ code: 'custom', message: `must be within ${MAX_DAYS_AHEAD} days` });
});

const saleSchema = z.object({
  prequeueOpensAt: isoDateTime,
  opensAt: futureDateTime,
  maxActive: maxActiveSchema.optional(),
  turnSeconds: turnSecondsSchema.optional(),
  audience: z.enum(SALE_AUDIENCES).optional(),
});

/** `admin.concert.create`'s input; checks that need the clock read it when the input is parsed. */
export const createConcertInput = z
  .object({
    title: text(MAX_TEXT_LENGTH),
    artist: text(MAX_TEXT_LENGTH),
    venue: text(MAX_TEXT_LENGTH),
    dates: z.array(futureDateTime).min(1, 'needs at least one date').max(MAX_DATES),
    sections: z.array(sectionSchema).min(1, 'needs at least one section').max(MAX_SECTIONS),
    sale: saleSchema,
  })
  .superRefine((plan, ctx) => {
    const now = Date.now();
    const { prequeueOpensAt, opensAt } = plan.sale;
    const opening = wellFormed(opensAt) ? time(opensAt) : NaN;
    if (wellFormed(prequeueOpensAt) && opening <= time(prequeueOpensAt)) {
      ctx.addIssue({ code: 'custom', path: ['sale', 'opensAt'], message: 'must be after the pre-queue opens' });
    }

    const seen = new Set<number>();
    plan.dates.forEach((date, i) => {
      if (!wellFormed(date)) return;
      const at = time(date);
      if (at > now && at <= opening) ctx.addIssue({ code: 'custom', path: ['dates', i], message: 'must be after the sale opens' });
      if (seen.has(at)) ctx.addIssue({ code: 'custom', path: ['dates', i], message: 'is the same as another date' });
      seen.add(at);
    });

    const names = new Set<string>();
    plan.sections.forEach((section, i) => {
      const name = section.name.toLowerCase();
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'name'], message: 'is the same as another section' });
      names.add(name);
    });
    const rows = plan.sections.reduce((n, s) => n + s.rows, 0);
    if (rows > MAX_ROWS) ctx.addIssue({ code: 'custom', path: ['sections'], message: `have ${rows} rows; at most ${MAX_ROWS}` });
    const perDate = seatsPerDate(plan.sections);
    if (perDate > MAX_SEATS_PER_DATE) {
      ctx.addIssue({ code: 'custom', path: ['sections'], message: `have ${perDate} seats a date; at most ${MAX_SEATS_PER_DATE}` });
    }
  });

export type CreateConcertInput = z.output<typeof createConcertInput>;

export const seatsPerDate = (sections: Pick<SectionPlan, 'rows' | 'seatsPerRow'>[]) =>
  sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);

/**
 * One date's seats: rows lettered across the sections in order (the first section's rows are A, B, …,
 * the next section goes on from there), seats numbered from 1 in every row.
 */
export function seatMap(sections: SectionPlan[]) {
  let rowIndex = 0;
  return sections.flatMap(({ name, price, rows, seatsPerRow }) =>
    Array.from({ length: rows }, () => rowName(rowIndex++)).flatMap((row) =>
      Array.from({ length: seatsPerRow }, (_, i) => ({ section: name, row, number: i + 1, price })),
    ),
  );
}

/** Writes the concert, its dates and every date's seats with `tx`; the caller owns the transaction. */
export async function insertConcert(
  tx: DbOrTx,
  plan: Pick<CreateConcertInput, 'title' | 'artist' | 'venue' | 'dates' | 'sections'>,
): Promise<{ concertId: number; scheduleIds: number[] }> {
  const [concert] = await tx
    .insert(concerts)
    .values({ title: plan.title, artist: plan.artist, venue: plan.venue })
    .returning({ id: concerts.id });
  const concertId = concert!.id;
  const dates = [...plan.dates].sort((a, b) => time(a) - time(b));
  const scheduleRows = await tx
    .insert(schedules)
    .values(dates.map((date) => ({ concertId, startsAt: new Date(date) })))
    .returning({ id: schedules.id, startsAt: schedules.startsAt });
  const scheduleIds = scheduleRows.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()).map((s) => s.id);
  const map = seatMap(plan.sections);
  // One insert a date: at most MAX_SEATS_PER_DATE rows, well under PostgreSQL's parameter limit.
  for (const scheduleId of scheduleIds) await tx.insert(seats).values(map.map((seat) => ({ scheduleId, ...seat })));
  return { concertId, scheduleIds };
}

/**
 * `admin.concert.create`: the concert, its dates and seat maps and its sale, in one transaction, with
 * its audit entry (the plan as created, the sale's cap and turn as they were set: `after` only).
 */
export async function createConcert(
  db: Db,
  defaults: Pick<Config, 'QUEUE_MAX_ACTIVE' | 'QUEUE_ACTIVE_TTL_SECONDS'>,
  plan: CreateConcertInput,
  by: Attribution,
): Promise<{ concertId: number; scheduleIds: number[] }> {
  return db.transaction(async (tx) => {
    const created = await insertConcert(tx, plan);
    const { prequeueOpensAt, opensAt, maxActive, turnSeconds, audience } = plan.sale;
    await createSale(
      tx,
      {
        concertId: created.concertId,
        prequeueOpensAt: new Date(prequeueOpensAt),
        opensAt: new Date(opensAt),
        maxActive,
        turnSeconds,
        audience,
      },
      defaults,
    );
    const sale = await requireSale(tx, { concertId: created.concertId });
    await recordAudit(tx, by, {
      action: 'admin.concert.create',
      concertId: created.concertId,
      target: plan.title,
      after: {
        title: plan.title,
        artist: plan.artist,
        venue: plan.venue,
        dates: plan.dates.map((d) => new Date(d).toISOString()).sort(),
        sections: plan.sections,
        prequeueOpensAt: sale.prequeueOpensAt,
        opensAt: sale.opensAt,
        maxActive: sale.maxActive,
        turnSeconds: sale.turnSeconds,
        audience: sale.audience,
      },
    });
    return created;
  });
}
