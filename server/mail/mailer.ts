import { env, type Env } from '@/server/env';
import type { Mailer } from './message';
import { OUTBOX_DIR } from './outbox-file';
import { createOutboxMailer } from './outbox-mailer';
import { createSmtpMailer, type SmtpTimeouts } from './smtp-mailer';

/** What choosing and building a mailer needs to know. */
export type MailConfig = Pick<Env, 'NODE_ENV' | 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_OUTBOX'>;

/**
 * The mailer the configuration asks for: SMTP when SMTP_URL is set; otherwise the development
 * outbox, outside production (or in it when MAIL_OUTBOX says so: a local `npm start`). Production
 * without either never gets this far (server/env.ts refuses it), and is refused here too.
 */
export function createMailer(config: MailConfig, options: { outboxDir?: string; smtpTimeoutsMs?: SmtpTimeouts } = {}): Mailer {
  if (config.SMTP_URL) return createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, timeoutsMs: options.smtpTimeoutsMs });
  if (config.NODE_ENV !== 'production' || config.MAIL_OUTBOX) {
    return createOutboxMailer({ dir: options.outboxDir ?? OUTBOX_DIR, from: config.MAIL_FROM });
  }
  throw new Error('SMTP_URL is required in production: mail would go nowhere.');
}

const cache = globalThis as unknown as { __ticketsMailer?: Mailer };

/** The process's mailer, built once from the validated configuration (kept across Next's hot reloads). */
export function getMailer(): Mailer {
  cache.__ticketsMailer ??= createMailer(env());
  return cache.__ticketsMailer;
}
