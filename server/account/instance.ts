import os from 'node:os';
import path from 'node:path';
import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { createMailer } from '@/server/mail/mailer';
import { authOf, type Auth } from './auth';

/** Tests that send no mail of their own keep what accounts send out of the project's outbox. */
const TEST_OUTBOX_DIR = path.join(os.tmpdir(), 'concert-tickets-test-outbox');

/** The accounts library for a request's database and configuration, with the mailer the configuration asks for. */
export const accountAuth = ({ db, config }: { db: Db; config: Config }): Auth =>
  authOf(db, config, () => createMailer(config, { outboxDir: config.NODE_ENV === 'test' ? TEST_OUTBOX_DIR : undefined }));
