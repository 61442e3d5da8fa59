import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/**
 * The development outbox: mail that was not sent, one JSON file a message, beside the embedded
 * PostgreSQL's data (`.data/postgres`, git-ignored), relative to where the server runs. Files, not
 * memory, so every worker process of `npm start` writes to the one outbox the page reads.
 */
export const OUTBOX_DIR = path.join('.data', 'outbox');

/**
 * A message's id and file name (without `.json`): the time it was written, in milliseconds, zero-padded
 * so that names sort as times do, and random bytes so that two processes writing in the same
 * millisecond do not collide.
 */
const ID = /^\d{15}-[0-9a-f]{12}$/;
const TIME_DIGITS = 15;
const RANDOM_BYTES = 6;

export const isOutboxId = (id: string) => ID.test(id);

export function newOutboxId(now: Date): string {
  return `${String(now.getTime()).padStart(TIME_DIGITS, '0')}-${randomBytes(RANDOM_BYTES).toString('hex')}`;
}

export const outboxFile = (dir: string, id: string) => path.join(dir, `${id}.json`);

/** An id from a file name, or undefined for anything else in the folder (a file being written, say). */
export function outboxIdOf(fileName: string): string | undefined {
  const id = fileName.endsWith('.json') ? fileName.slice(0, -'.json'.length) : '';
  return isOutboxId(id) ? id : undefined;
}

/** What one file holds. */
export const outboxMessageSchema = z.object({
  id: z.string().regex(ID),
  /** ISO 8601. */
  sentAt: z.iso.datetime(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
});

export type OutboxMessage = z.infer<typeof outboxMessageSchema>;
