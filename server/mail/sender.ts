import type { Db } from '@/db/client';
import type { MailSender } from '@/server/account/mail';
import type { Config } from '@/server/env';
import { createMailer } from './mailer';

const senders = new WeakMap<Db, MailSender>();
const mailers = new WeakMap<Config, MailSender>();

/**
 * The sender that mail about this database's people goes through (operator invitations, ticket
 * offers): the mailer the configuration asks for, or a test's own (useMailSender), to read what
 * would be sent.
 */
export function mailSender(db: Db, config: Config): MailSender {
  const own = senders.get(db);
  if (own) return own;
  let mailer = mailers.get(config);
  if (!mailer) mailers.set(config, (mailer = createMailer(config)));
  return mailer;
}

export function useMailSender(db: Db, sender: MailSender): void {
  senders.set(db, sender);
}
