import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { authAccounts, authUsers, operators } from '@/db/schema';
import { accountAuth } from '@/server/account/instance';
import type { Config } from '@/server/env';
import { DomainError } from '@/server/errors';
import { passwordMatches } from './operator';
import { startOperatorSession, type StartedSession } from './operator-sessions';
import { BUILT_IN_OWNER, type OperatorActor } from './roles';
import { accountLimitKey, addressLimitKey, clearSignInStrikes, takeSignInAttempt } from './sign-in-limits';

/**
 * An operator signs in: with OPERATOR_PASSWORD alone as the built-in owner, or with an email and
 * that account's password as a named operator. Either way a new session (server/admin/operator-sessions.ts).
 */
export interface SignInCall {
  db: Db;
  config: Config;
  /** The caller's address (a rate-limit key); undefined when it cannot be known. */
  address: string | undefined;
}

export interface SignedInOperator extends StartedSession {
  operator: OperatorActor;
}

const refused = () =>
  new DomainError('OPERATOR_LOGIN_FAILED', 'That is not the operator password, or not an operator’s email and password.');

/** A hash no password matches, checked for an unknown email so it takes as long as a known one. */
let decoyHash: Promise<string> | undefined;

/** The account's password hash and its operator row, by email: what a named sign-in checks. */
async function operatorByEmail(db: Db, email: string) {
  const [row] = await db
    .select({ id: authUsers.id, name: authUsers.name, role: operators.role, hash: authAccounts.password })
    .from(authUsers)
    .innerJoin(authAccounts, and(eq(authAccounts.userId, authUsers.id), eq(authAccounts.providerId, 'credential')))
    .leftJoin(operators, eq(operators.id, authUsers.id))
    .where(eq(authUsers.email, email.toLowerCase()));
  return row;
}

/** Whether `password` is the account's, checked with the library's own hashing (no fan session is made). */
export async function accountPasswordMatches(call: Pick<SignInCall, 'db' | 'config'>, hash: string | null | undefined, password: string) {
  const context = await accountAuth(call).$context;
  decoyHash ??= context.password.hash('no password matches this decoy');
  const matches = await context.password.verify({ hash: hash ?? (await decoyHash), password });
  return matches && Boolean(hash);
}

/**
 * Counted first (per address, per account), then checked: an unknown email and a wrong password get
 * the same refusal, after the same work.
 */
export async function signInOperator(call: SignInCall, input: { email?: string; password: string }): Promise<SignedInOperator> {
  const { db, config } = call;
  const account = input.email === undefined ? BUILT_IN_OWNER.id : input.email;
  const keys = [accountLimitKey(account), ...(call.address === undefined ? [] : [addressLimitKey(call.address)])];
  const attempt = await takeSignInAttempt(db, { keys, perMinute: config.OPERATOR_SIGN_IN_PER_MINUTE });
  if (!attempt.allowed) {
    throw new DomainError('TOO_MANY_REQUESTS', `Too many sign-in attempts. Try again in ${attempt.retryAfterSeconds} s.`, {
      retryAfterSeconds: attempt.retryAfterSeconds,
    });
  }
  let operator: OperatorActor;
  if (input.email === undefined) {
    if (!passwordMatches(config, input.password)) throw refused();
    operator = { ...BUILT_IN_OWNER };
  } else {
    const found = await operatorByEmail(db, input.email);
    const matches = await accountPasswordMatches(call, found?.hash, input.password);
    if (!found || !matches || !found.role) throw refused();
    operator = { id: found.id, name: found.name, role: found.role };
  }
  await clearSignInStrikes(db, keys);
  const session = await startOperatorSession(
    db,
    config,
    operator.id === BUILT_IN_OWNER.id ? { kind: 'built-in' } : { kind: 'named', operatorId: operator.id },
  );
  return { ...session, operator };
}
