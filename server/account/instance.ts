import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { authOf, type Auth } from './auth';
import type { MailSender } from './mail';

// TEMPORARY until the mail layer lands (server/mail): mail is not sent.
const mailer: MailSender = { send: async () => {} };

/** The accounts library for a request's database and configuration. */
export const accountAuth = ({ db, config }: { db: Db; config: Config }): Auth => authOf(db, config, mailer);
