import fs from 'node:fs/promises';
import path from 'node:path';
import { mailUnavailable } from './mail-unavailable';
import type { Mailer, MailMessage } from './message';
import { newOutboxId, outboxFile, type OutboxMessage } from './outbox-file';

/**
 * Writes each message to the outbox in `dir` instead of sending it (development, and a local
 * `npm start`). A file appears whole or not at all: it is written under a temporary name and then
 * renamed, so a reader in another process never parses half a message.
 */
export function createOutboxMailer(options: { dir: string; from: string; now?: () => Date }): Mailer {
  const now = options.now ?? (() => new Date());
  return {
    async send(message: MailMessage) {
      const sentAt = now();
      const id = newOutboxId(sentAt);
      const stored: OutboxMessage = { id, sentAt: sentAt.toISOString(), from: options.from, ...message };
      const file = outboxFile(options.dir, id);
      const partial = path.join(options.dir, `.${id}.partial`);
      try {
        await fs.mkdir(options.dir, { recursive: true });
        await fs.writeFile(partial, JSON.stringify(stored, null, 2));
        await fs.rename(partial, file);
      } catch (cause) {
        await fs.rm(partial, { force: true }).catch(() => {});
        throw mailUnavailable(cause);
      }
    },
  };
}
