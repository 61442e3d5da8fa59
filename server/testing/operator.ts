import type { CreateConcertInput } from '@/server/admin/concert';
import { useMailSender } from '@/server/mail/sender';
import type { OperatorRole } from '@/server/admin/roles';
import type { Db } from '@/db/client';
import type { Config } from '@/server/env';
import { TestUser } from './test-user';

/** An operator's browser, signed in with the configured password (no fan session). */
export async function signedInOperator(db: Db, config: Config): Promise<TestUser> {
  const operator = new TestUser(db, config);
  await operator.api.admin.login({ password: config.OPERATOR_PASSWORD });
  return operator;
}

const HOUR_MS = 3_600_000;
/** An ISO-8601 time `hours` from now. */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();

/**
 * A valid `admin.concert.create` input: two dates a month ahead, VIP (2 rows of 10) and R (3 rows of 8),
 * a pre-queue opening in an hour and the sale an hour later.
 */
export function concertPlan(overrides: Partial<CreateConcertInput> = {}): CreateConcertInput {
  return {
    title: 'Spring Lights Live',
    artist: 'Haneul',
    venue: 'KSPO Dome, Seoul',
    dates: [hoursFromNow(24 * 31), hoursFromNow(24 * 30)],
    sections: [
      { name: 'VIP', price: 165_000, rows: 2, seatsPerRow: 10 },
      { name: 'R', price: 132_000, rows: 3, seatsPerRow: 8 },
    ],
    sale: { prequeueOpensAt: hoursFromNow(1), opensAt: hoursFromNow(2) },
    ...overrides,
  };
}

/** Invitation mails this database's console would have sent, newest last (see useMailSender). */
const sentInvitations = new WeakMap<Db, { to: string; subject: string; text: string }[]>();

/** Captures the invitations of this database instead of mailing them; returns the list they land in. */
export function captureInvitations(db: Db): { to: string; subject: string; text: string }[] {
  let sent = sentInvitations.get(db);
  if (!sent) {
    const list: { to: string; subject: string; text: string }[] = [];
    sentInvitations.set(db, (sent = list));
    useMailSender(db, { send: async (message) => void list.push(message) });
  }
  return sent;
}

/** The token of the last invitation mailed to `email`, read from its link. */
export function invitationTokenFor(db: Db, email: string): string {
  const mail = captureInvitations(db).findLast((m) => m.to === email);
  const link = mail?.text.match(/https?:\/\/\S+\/admin\/invite\?token=(\S+)/);
  if (!link) throw new Error(`no invitation was mailed to ${email}`);
  return decodeURIComponent(link[1]!);
}

let invitees = 0;
export const OPERATOR_TEST_PASSWORD = 'a long operator password';

/** A named operator with this role, invited by `owner` and signed in through the invitation; its email. */
export async function invitedOperator(owner: TestUser, role: OperatorRole, name = `${role} ${++invitees}`) {
  captureInvitations(owner.db);
  const email = `operator-${role}-${++invitees}-${Date.now()}@example.com`;
  await owner.api.admin.operator.invite({ email, role });
  const person = new TestUser(owner.db, owner.config);
  const { operator } = await person.api.admin.invitation.accept({
    token: invitationTokenFor(owner.db, email),
    name,
    password: OPERATOR_TEST_PASSWORD,
  });
  return { person, email, operator };
}
