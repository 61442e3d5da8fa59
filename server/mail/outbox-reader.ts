import fs from 'node:fs/promises';
import { isOutboxId, outboxFile, outboxIdOf, outboxMessageSchema, type OutboxMessage } from './outbox-file';

/** The outbox page lists this many messages, the newest; older files stay on disk. */
export const OUTBOX_LIST_LIMIT = 100;

export type OutboxSummary = Pick<OutboxMessage, 'id' | 'sentAt' | 'to' | 'subject'>;

/** The newest messages in the outbox in `dir`, newest first (an empty list when there is no outbox yet). */
export async function listOutbox(dir: string, limit = OUTBOX_LIST_LIMIT): Promise<OutboxSummary[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Ids begin with the time, zero-padded: sorting names sorts by time.
  const ids = names
    .map(outboxIdOf)
    .filter((id) => id !== undefined)
    .sort()
    .reverse()
    .slice(0, limit);
  const messages = await Promise.all(ids.map((id) => readOutboxMessage(dir, id)));
  return messages.filter((m) => m !== undefined).map(({ id, sentAt, to, subject }) => ({ id, sentAt, to, subject }));
}

/** One message, or undefined when there is none by that id (or the id is not one: no path is built from it). */
export async function readOutboxMessage(dir: string, id: string): Promise<OutboxMessage | undefined> {
  if (!isOutboxId(id)) return undefined;
  let text: string;
  try {
    text = await fs.readFile(outboxFile(dir, id), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // not written by the outbox mailer (it renames whole files into place)
  }
  const parsed = outboxMessageSchema.safeParse(json);
  return parsed.success && parsed.data.id === id ? parsed.data : undefined;
}
