import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { authAccounts, authUsers, operatorInvitations, operators } from '@/db/schema';
import { refusalsAsDomainErrors } from '@/server/account/errors';
import { accountAuth } from '@/server/account/instance';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { mailSender } from '@/server/mail/sender';
import { invitationMail } from './invitation-mail';
import { startOperatorSession } from './operator-sessions';
import type { OperatorActor, OperatorRole } from './roles';
import { accountPasswordMatches, type SignedInOperator } from './sign-in';

/**
 * An owner invites a person by email with a role; the mailed link's token is kept only as its
 * SHA-256, good for INVITATION_DAYS and once. The invitee creates an account (or proves the one the
 * email has) and becomes an operator, signed in.
 */
export const INVITATION_DAYS = 7;
const TOKEN_BYTES = 32;

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export interface Invitation {
  invitationId: string;
  email: string;
  role: OperatorRole;
  expiresAt: string;
}

/** Stores an invitation (replacing any still pending for the email) and mails its link. */
export async function inviteOperator(db: Db, config: Config, input: { email: string; role: OperatorRole }): Promise<Invitation> {
  const email = input.email.toLowerCase();
  const [existing] = await db
    .select({ id: operators.id })
    .from(operators)
    .innerJoin(authUsers, eq(authUsers.id, operators.id))
    .where(eq(authUsers.email, email));
  if (existing) throw new DomainError('OPERATOR_EXISTS', 'This email is an operator already: change its role instead.');
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const row = await db.transaction(async (tx) => {
    await tx.delete(operatorInvitations).where(and(eq(operatorInvitations.email, email), isNull(operatorInvitations.acceptedAt)));
    const [made] = await tx
      .insert(operatorInvitations)
      .values({ email, role: input.role, tokenHash: hashOf(token), expiresAt: sql`now() + make_interval(days => ${INVITATION_DAYS})` })
      .returning();
    return made!;
  });
  await mailSender(db, config).send(invitationMail(config, { to: email, role: input.role, token }));
  return { invitationId: row.id, email, role: row.role, expiresAt: row.expiresAt.toISOString() };
}

/** The invitation a token names, if it can still be accepted; else the refusal that says why. */
async function pendingInvitation(db: DbOrTx, token: string) {
  const [row] = await db
    .select({
      id: operatorInvitations.id,
      email: operatorInvitations.email,
      role: operatorInvitations.role,
      expiresAt: operatorInvitations.expiresAt,
      acceptedAt: operatorInvitations.acceptedAt,
      expired: sql<boolean>`${operatorInvitations.expiresAt} <= now()`,
    })
    .from(operatorInvitations)
    .where(eq(operatorInvitations.tokenHash, hashOf(token)));
  if (!row) throw new DomainError('INVITATION_UNKNOWN', 'This invitation link is not known. Ask an owner for a new one.');
  if (row.acceptedAt) throw new DomainError('INVITATION_USED', 'This invitation has been accepted already. Sign in instead.');
  if (row.expired) throw new DomainError('INVITATION_EXPIRED', 'This invitation has run out. Ask an owner for a new one.');
  return row;
}

/** The account an email has, with its password hash (null: no password sign-in). */
async function accountOf(db: Db, email: string) {
  const [row] = await db
    .select({ id: authUsers.id, name: authUsers.name, hash: authAccounts.password })
    .from(authUsers)
    .leftJoin(authAccounts, and(eq(authAccounts.userId, authUsers.id), eq(authAccounts.providerId, 'credential')))
    .where(eq(authUsers.email, email));
  return row;
}

export interface InvitationView extends Invitation {
  /** The email has an account: the invitee proves it with its password, and gives no name. */
  hasAccount: boolean;
}

/** What the invitation page shows before the invitee accepts. */
export async function viewInvitation(db: Db, { token }: { token: string }): Promise<InvitationView> {
  const invitation = await pendingInvitation(db, token);
  const account = await accountOf(db, invitation.email);
  return {
    invitationId: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt.toISOString(),
    hasAccount: account !== undefined,
  };
}

/**
 * Accepts an invitation: a new account (the library's sign-up; no fan session is kept) or the
 * email's account proved by its password, then, in one transaction, the invitation used and the
 * operator made. Answers with the new operator's session.
 */
export async function acceptInvitation(
  db: Db,
  config: Config,
  input: { token: string; name?: string; password: string },
): Promise<SignedInOperator> {
  const invitation = await pendingInvitation(db, input.token);
  const account = await accountOf(db, invitation.email);
  let operator: Pick<OperatorActor, 'id' | 'name'>;
  if (account) {
    if (!(await accountPasswordMatches({ db, config }, account.hash, input.password))) {
      throw new DomainError('SIGN_IN_FAILED', 'That is not this account’s password.');
    }
    operator = { id: account.id, name: account.name };
  } else {
    if (!input.name) throw new DomainError('INVALID_INPUT', 'A name is needed.', { fieldErrors: { name: ['required'] } });
    const auth = accountAuth({ db, config });
    const made = await refusalsAsDomainErrors(() =>
      auth.api.signUpEmail({ body: { name: input.name!, email: invitation.email, password: input.password } }),
    );
    // The console has its own session; the library's sign-up session is not the invitee's to keep.
    if (made.token) await (await auth.$context).internalAdapter.deleteSession(made.token);
    // The link came to this address: it is proven.
    await db.update(authUsers).set({ emailVerified: true }).where(eq(authUsers.id, made.user.id));
    operator = { id: made.user.id, name: made.user.name };
  }
  return db.transaction(async (tx) => {
    const [used] = await tx
      .update(operatorInvitations)
      .set({ acceptedAt: sql`now()` })
      .where(
        and(
          eq(operatorInvitations.id, invitation.id),
          isNull(operatorInvitations.acceptedAt),
          gt(operatorInvitations.expiresAt, sql`now()`),
        ),
      )
      .returning({ role: operatorInvitations.role });
    if (!used) {
      // Used or run out since it was read: this throws the refusal that says which.
      await pendingInvitation(tx, input.token);
      throw new DomainError('INVITATION_USED', 'This invitation has been accepted already. Sign in instead.');
    }
    await tx
      .insert(operators)
      .values({ id: operator.id, role: used.role })
      .onConflictDoUpdate({ target: operators.id, set: { role: used.role } });
    const session = await startOperatorSession(tx, config, { kind: 'named', operatorId: operator.id });
    return { ...session, operator: { ...operator, role: used.role } };
  });
}
