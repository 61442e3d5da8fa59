import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleFetch } from '@/server/http/trpc-handlers';
import { seedDemoData } from '@/server/seed';
import {
  captureInvitations,
  concertPlan,
  invitationTokenFor,
  invitedOperator,
  OPERATOR_TEST_PASSWORD,
  signedInOperator,
} from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { OPERATOR_COOKIE } from './operator';
import { BLOCK_SECONDS } from './sign-in-limits';

const { db } = await useTestDatabase();
const config = testConfig({ OPERATOR_PASSWORD: 'the-operator-password', RATE_LIMIT_PER_MINUTE: 1000, OPERATOR_SIGN_IN_PER_MINUTE: 1000 });
/** The sign-in limits as deployed: five a minute. */
const strict = testConfig({ OPERATOR_PASSWORD: 'the-operator-password', RATE_LIMIT_PER_MINUTE: 1000, OPERATOR_SIGN_IN_PER_MINUTE: 5 });
beforeAll(() => seedDemoData(db));
// Invitations land in a list instead of a mailbox (read by invitationTokenFor).
captureInvitations(db);

let emails = 0;
const newEmail = () => `person-${++emails}-${Date.now()}@example.com`;

/** The built-in owner and two invited operators, a manager and a door operator, each signed in. */
async function threeOperators() {
  const owner = await signedInOperator(db, config);
  const manager = await invitedOperator(owner, 'manager');
  const door = await invitedOperator(owner, 'door');
  return { owner, manager, door };
}

const aConcertId = async (owner: TestUser) => (await owner.api.admin.sale.list())[0]!.concertId;

describe('roles', () => {
  it('the audit log names who paused a sale, and the door operator who could not', async () => {
    const { owner, manager, door } = await threeOperators();
    const concertId = await aConcertId(owner);
    await expectFailure(door.person.api.admin.sale.pause({ concertId }), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    await manager.person.api.admin.sale.pause({ concertId });
    const { entries } = await owner.api.admin.audit.list({ concertId, action: 'admin.sale.pause' });
    expect(entries[0]).toMatchObject({ actor: { id: manager.operator.id, name: manager.operator.name, role: 'manager' } });
    expect(entries.some((e) => e.actor.id === door.operator.id)).toBe(false);
    await manager.person.api.admin.sale.resume({ concertId });
  });

  it('each procedure is allowed to the roles that may use it and refused to the others with OPERATOR_ROLE_REQUIRED', async () => {
    const { owner, manager, door } = await threeOperators();
    const concertId = await aConcertId(owner);
    const namedOwner = await invitedOperator(owner, 'owner');
    const CALLS: [string, 'owner' | 'manager' | 'door', (u: TestUser) => Promise<unknown>][] = [
      ['admin.me', 'door', (u) => u.api.admin.me()],
      ['ticket.verify', 'door', (u) => u.api.ticket.verify({ code: 'K7Q-4MZ-92D' })],
      ['admin.concert.create', 'manager', (u) => u.api.admin.concert.create(concertPlan())],
      ['admin.sale.list', 'manager', (u) => u.api.admin.sale.list()],
      ['admin.sale.stats', 'manager', (u) => u.api.admin.sale.stats({ concertId })],
      ['admin.sale.history', 'manager', (u) => u.api.admin.sale.history({ concertId })],
      ['admin.sale.update', 'manager', (u) => u.api.admin.sale.update({ concertId, maxActive: 500 })],
      ['admin.sale.pause', 'manager', (u) => u.api.admin.sale.pause({ concertId })],
      ['admin.sale.resume', 'manager', (u) => u.api.admin.sale.resume({ concertId })],
      ['admin.sale.close', 'manager', (u) => u.api.admin.sale.close({ concertId: -1 })],
      ['admin.operator.list', 'owner', (u) => u.api.admin.operator.list()],
      ['admin.operator.invite', 'owner', (u) => u.api.admin.operator.invite({ email: newEmail(), role: 'door' })],
      ['admin.operator.setRole', 'owner', (u) => u.api.admin.operator.setRole({ operatorId: manager.operator.id, role: 'manager' })],
      [
        'admin.operator.endSessions',
        'owner',
        (u) => u.api.admin.operator.endSessions({ operatorId: '00000000-0000-4000-8000-000000000000' }),
      ],
      ['admin.operator.remove', 'owner', (u) => u.api.admin.operator.remove({ operatorId: '00000000-0000-4000-8000-000000000000' })],
    ];
    const RANK = { owner: 0, manager: 1, door: 2 } as const;
    const people = [
      ['built-in owner', 'owner', owner],
      ['named owner', 'owner', namedOwner.person],
      ['manager', 'manager', manager.person],
      ['door', 'door', door.person],
    ] as const;
    for (const [name, needed, call] of CALLS) {
      for (const [who, role, person] of people) {
        const outcome = await call(person).then(
          () => 'allowed',
          (e: { cause?: { reason?: string; details?: unknown } }) =>
            e.cause?.reason === 'OPERATOR_ROLE_REQUIRED' ? { refused: e.cause.details } : `allowed (${e.cause?.reason})`,
        );
        if (RANK[role] <= RANK[needed]) expect(outcome, `${name} by ${who}`).toMatch(/^allowed/);
        else expect(outcome, `${name} by ${who}`).toEqual({ refused: { role: needed } });
      }
    }
  });

  it('a door operator cannot pause a sale: 403 OPERATOR_ROLE_REQUIRED naming the manager role, and the sale runs on', async () => {
    const { owner, door } = await threeOperators();
    const concertId = await aConcertId(owner);
    const refused = await expectFailure(door.person.api.admin.sale.pause({ concertId }), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    expect(refused.cause).toMatchObject({ details: { role: 'manager' } });
    expect((await owner.api.admin.sale.list()).find((s) => s.concertId === concertId)).toMatchObject({ paused: false });
    // The door check is theirs.
    expect(await door.person.api.admin.me()).toEqual({ id: door.operator.id, name: door.operator.name, role: 'door' });
  });

  it('a changed role counts from the next call; the built-in owner keeps its role and cannot be removed', async () => {
    const { owner, manager } = await threeOperators();
    await manager.person.api.admin.sale.list();
    await owner.api.admin.operator.setRole({ operatorId: manager.operator.id, role: 'door' });
    await expectFailure(manager.person.api.admin.sale.list(), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    await expectFailure(owner.api.admin.operator.setRole({ operatorId: 'owner', role: 'door' }), 'FORBIDDEN', 'OPERATOR_BUILT_IN');
    await expectFailure(owner.api.admin.operator.remove({ operatorId: 'owner' }), 'FORBIDDEN', 'OPERATOR_BUILT_IN');
    expect(await owner.api.admin.me()).toEqual({ id: 'owner', name: 'Owner', role: 'owner' });
  });
});

describe('operator sessions', () => {
  it('a signed-out operator’s copied cookie is refused at once', async () => {
    const { manager } = await threeOperators();
    const thief = new TestUser(db, config);
    thief.cookies.set(OPERATOR_COOKIE, manager.person.cookies.get(OPERATOR_COOKIE)!);
    await thief.api.admin.sale.list();
    await manager.person.api.admin.logout();
    await expectFailure(thief.api.admin.sale.list(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(manager.person.api.admin.sale.list(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
  });

  it('an owner ends an operator’s sessions: each is refused, and a new sign-in works', async () => {
    const { owner, manager, door } = await threeOperators();
    const laptop = new TestUser(db, config);
    await laptop.api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD });
    expect(await owner.api.admin.operator.endSessions({ operatorId: manager.operator.id })).toEqual({ ended: 2 });
    await expectFailure(manager.person.api.admin.me(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(laptop.api.admin.me(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    // Only that operator's: the door operator and the owner are still signed in.
    expect(await door.person.api.admin.me()).toMatchObject({ role: 'door' });
    expect(await owner.api.admin.me()).toMatchObject({ id: 'owner' });
    const again = await laptop.api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD });
    expect(again.operator).toEqual(manager.operator);
    expect(await laptop.api.admin.me()).toEqual(manager.operator);
  });

  it('ending the built-in owner’s sessions signs out every OPERATOR_PASSWORD console', async () => {
    const [first, second] = [await signedInOperator(db, config), await signedInOperator(db, config)];
    const { ended } = await first.api.admin.operator.endSessions({ operatorId: 'owner' });
    expect(ended).toBeGreaterThanOrEqual(2);
    await expectFailure(second.api.admin.me(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(first.api.admin.me(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
  });

  it('removing an operator ends its sessions and its sign-in; its account stays', async () => {
    const { owner, door } = await threeOperators();
    await owner.api.admin.operator.remove({ operatorId: door.operator.id });
    await expectFailure(door.person.api.ticket.verify({ code: 'K7Q-4MZ-92D' }), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(
      new TestUser(db, config).api.admin.login({ email: door.email, password: OPERATOR_TEST_PASSWORD }),
      'UNAUTHORIZED',
      'OPERATOR_LOGIN_FAILED',
    );
    const list = await owner.api.admin.operator.list();
    expect(list.operators.map((o) => o.operatorId)).not.toContain(door.operator.id);
    const fan = await new TestUser(db, config).start();
    await fan.api.account.signIn({ email: door.email, password: OPERATOR_TEST_PASSWORD });
  });

  it('the owner’s list shows the built-in owner first, each operator with its role and live sessions, and pending invitations', async () => {
    const { owner, manager, door } = await threeOperators();
    const pending = newEmail();
    await owner.api.admin.operator.invite({ email: pending, role: 'manager' });
    const list = await owner.api.admin.operator.list();
    expect(list.operators[0]).toMatchObject({ operatorId: 'owner', name: 'Owner', email: null, role: 'owner', builtIn: true });
    expect(list.operators).toContainEqual({
      operatorId: manager.operator.id,
      name: manager.operator.name,
      role: 'manager',
      email: manager.email,
      builtIn: false,
      sessions: 1,
    });
    expect(list.operators.find((o) => o.operatorId === door.operator.id)).toMatchObject({ role: 'door', sessions: 1 });
    expect(list.invitations).toContainEqual(expect.objectContaining({ email: pending, role: 'manager' }));
  });
});

describe('invitations', () => {
  it('mails a link to the invitee; the token is stored only hashed; accepting makes the operator and signs it in', async () => {
    const owner = await signedInOperator(db, config);
    const sent = captureInvitations(db);
    const email = newEmail();
    const invitation = await owner.api.admin.operator.invite({ email: email.toUpperCase(), role: 'manager' });
    expect(invitation).toMatchObject({ email, role: 'manager' });
    expect(new Date(invitation.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6.9 * 24 * 3600_000);
    const mail = sent.at(-1)!;
    expect(mail).toMatchObject({ to: email });
    expect(mail.text).toContain(`${config.APP_ORIGIN}/admin/invite?token=`);
    const token = invitationTokenFor(db, email);
    const stored = await db.execute<{ token_hash: string }>(sql`SELECT token_hash FROM operator_invitations WHERE email = ${email}`);
    expect(stored[0]!.token_hash).not.toContain(token);
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);

    const invitee = new TestUser(db, config);
    expect(await invitee.api.admin.invitation.view({ token })).toMatchObject({ email, role: 'manager', hasAccount: false });
    const accepted = await invitee.api.admin.invitation.accept({ token, name: 'Seoyeon', password: OPERATOR_TEST_PASSWORD });
    expect(accepted.operator).toEqual({ id: expect.any(String), name: 'Seoyeon', role: 'manager' });
    expect(await invitee.api.admin.me()).toEqual(accepted.operator);
    // No fan session came with it: the console's cookie only, and no library session row.
    expect([...invitee.cookies.keys()]).toEqual([OPERATOR_COOKIE]);
    const sessions = await db.execute(sql`SELECT 1 FROM auth_sessions WHERE user_id = ${accepted.operator.id}`);
    expect(sessions).toHaveLength(0);
  });

  it('refuses an unknown, a used and an expired invitation, each with its reason', async () => {
    const owner = await signedInOperator(db, config);
    const invitee = new TestUser(db, config);
    const unknown = 'a'.repeat(43);
    await expectFailure(invitee.api.admin.invitation.view({ token: unknown }), 'NOT_FOUND', 'INVITATION_UNKNOWN');
    await expectFailure(
      invitee.api.admin.invitation.accept({ token: unknown, name: 'X', password: OPERATOR_TEST_PASSWORD }),
      'NOT_FOUND',
      'INVITATION_UNKNOWN',
    );

    const used = newEmail();
    await owner.api.admin.operator.invite({ email: used, role: 'door' });
    const usedToken = invitationTokenFor(db, used);
    await invitee.api.admin.invitation.accept({ token: usedToken, name: 'Once', password: OPERATOR_TEST_PASSWORD });
    const twice = new TestUser(db, config);
    await expectFailure(
      twice.api.admin.invitation.accept({ token: usedToken, password: OPERATOR_TEST_PASSWORD }),
      'CONFLICT',
      'INVITATION_USED',
    );
    expect(twice.cookies.has(OPERATOR_COOKIE)).toBe(false);

    const late = newEmail();
    await owner.api.admin.operator.invite({ email: late, role: 'manager' });
    await db.execute(sql`UPDATE operator_invitations SET expires_at = now() - interval '1 second' WHERE email = ${late}`);
    const lateToken = invitationTokenFor(db, late);
    await expectFailure(twice.api.admin.invitation.view({ token: lateToken }), 'BAD_REQUEST', 'INVITATION_EXPIRED');
    await expectFailure(
      twice.api.admin.invitation.accept({ token: lateToken, name: 'Late', password: OPERATOR_TEST_PASSWORD }),
      'BAD_REQUEST',
      'INVITATION_EXPIRED',
    );
    expect(await db.execute(sql`SELECT 1 FROM auth_users WHERE email = ${late}`)).toHaveLength(0);
  });

  it('an email with an account proves it with that account’s password; a wrong one is refused and leaves the invitation open', async () => {
    const owner = await signedInOperator(db, config);
    const email = newEmail();
    const fan = await new TestUser(db, config).start();
    const account = await fan.api.account.signUp({ name: 'Haeun', email, password: 'the fan’s own password' });
    await owner.api.admin.operator.invite({ email, role: 'door' });
    const token = invitationTokenFor(db, email);
    const invitee = new TestUser(db, config);
    expect(await invitee.api.admin.invitation.view({ token })).toMatchObject({ hasAccount: true });
    await expectFailure(invitee.api.admin.invitation.accept({ token, password: 'not the password' }), 'UNAUTHORIZED', 'SIGN_IN_FAILED');
    const accepted = await invitee.api.admin.invitation.accept({ token, password: 'the fan’s own password' });
    expect(accepted.operator).toEqual({ id: account.userId, name: 'Haeun', role: 'door' });
    await expectFailure(owner.api.admin.operator.invite({ email, role: 'manager' }), 'CONFLICT', 'OPERATOR_EXISTS');
  });
});

describe('invitations accepted twice at once', () => {
  it('one acceptance wins; the other is INVITATION_USED and signs nobody in', async () => {
    const owner = await signedInOperator(db, config);
    const email = newEmail();
    await (await new TestUser(db, config).start()).api.account.signUp({ name: 'Twin', email, password: OPERATOR_TEST_PASSWORD });
    await owner.api.admin.operator.invite({ email, role: 'manager' });
    const token = invitationTokenFor(db, email);
    const twins = [new TestUser(db, config), new TestUser(db, config)];
    const results = await Promise.allSettled(twins.map((t) => t.api.admin.invitation.accept({ token, password: OPERATOR_TEST_PASSWORD })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.findIndex((r) => r.status === 'rejected');
    expect((results[loser] as PromiseRejectedResult).reason).toMatchObject({ cause: { reason: 'INVITATION_USED' } });
    expect(twins[loser]!.cookies.has(OPERATOR_COOKIE)).toBe(false);
    const sessions = await db.execute(
      sql`SELECT 1 FROM operator_sessions s JOIN auth_users u ON u.id = s.operator_id WHERE u.email = ${email}`,
    );
    expect(sessions).toHaveLength(1);
  });
});

describe('operator sign-in', () => {
  it('the built-in owner still signs in with OPERATOR_PASSWORD alone, and login says who', async () => {
    const owner = new TestUser(db, config);
    const answer = await owner.api.admin.login({ password: 'the-operator-password' });
    expect(answer).toEqual({ expiresAt: expect.any(String), operator: { id: 'owner', name: 'Owner', role: 'owner' } });
    expect(await owner.api.admin.sale.list()).not.toHaveLength(0);
  });

  it('an unknown email, a wrong password and a fan who is no operator get the same refusal', async () => {
    const { manager } = await threeOperators();
    const fanEmail = newEmail();
    await (await new TestUser(db, config).start()).api.account.signUp({ name: 'Fan', email: fanEmail, password: OPERATOR_TEST_PASSWORD });
    const messages = [];
    for (const attempt of [
      { email: manager.email, password: 'not the password' },
      { email: newEmail(), password: OPERATOR_TEST_PASSWORD },
      { email: fanEmail, password: OPERATOR_TEST_PASSWORD },
      { email: manager.email, password: 'the-operator-password' },
    ]) {
      const refused = await expectFailure(new TestUser(db, config).api.admin.login(attempt), 'UNAUTHORIZED', 'OPERATOR_LOGIN_FAILED');
      messages.push(refused.message);
    }
    expect(new Set(messages).size).toBe(1);
    const signedIn = new TestUser(db, config);
    expect((await signedIn.api.admin.login({ email: manager.email.toUpperCase(), password: OPERATOR_TEST_PASSWORD })).operator).toEqual(
      manager.operator,
    );
  });

  it('allows five attempts a minute per address, then 429 with Retry-After, even for the right password', async () => {
    const { manager } = await threeOperators();
    const guesser = new TestUser(db, strict);
    for (let i = 0; i < 5; i++) {
      await expectFailure(guesser.api.admin.login({ email: newEmail(), password: `guess ${i}` }), 'UNAUTHORIZED', 'OPERATOR_LOGIN_FAILED');
    }
    const refused = await expectFailure(
      guesser.api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD }),
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    );
    expect(refused.cause).toMatchObject({ details: { retryAfterSeconds: BLOCK_SECONDS } });
    expect(guesser.cookies.has(OPERATOR_COOKIE)).toBe(false);
    // Another address is not held back, and the account was not blocked by the guesses of others.
    const elsewhere = new TestUser(db, strict);
    await elsewhere.api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD });
  });

  it('allows five attempts a minute per account from any number of addresses; the wait doubles with each block in a row', async () => {
    const { manager } = await threeOperators();
    for (let i = 0; i < 5; i++) {
      await expectFailure(
        new TestUser(db, strict).api.admin.login({ email: manager.email, password: `guess ${i}` }),
        'UNAUTHORIZED',
        'OPERATOR_LOGIN_FAILED',
      );
    }
    const first = await expectFailure(
      new TestUser(db, strict).api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD }),
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    );
    expect(first.cause).toMatchObject({ details: { retryAfterSeconds: BLOCK_SECONDS } });
    // The block runs out (the clock moved on a block's length here); five more guesses earn a block twice as long.
    const key = `account:${manager.email}`;
    await db.execute(sql`
      UPDATE operator_sign_in_limits
      SET blocked_until = blocked_until - make_interval(secs => ${BLOCK_SECONDS + 1}),
          window_start = window_start - make_interval(secs => ${BLOCK_SECONDS + 1})
      WHERE key = ${key}`);
    for (let i = 0; i < 5; i++) {
      await expectFailure(
        new TestUser(db, strict).api.admin.login({ email: manager.email, password: `again ${i}` }),
        'UNAUTHORIZED',
        'OPERATOR_LOGIN_FAILED',
      );
    }
    const second = await expectFailure(
      new TestUser(db, strict).api.admin.login({ email: manager.email, password: OPERATOR_TEST_PASSWORD }),
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    );
    expect(second.cause).toMatchObject({ details: { retryAfterSeconds: 2 * BLOCK_SECONDS } });
  });

  it('answers the refusal over HTTP with 429 and Retry-After', async () => {
    const login = () =>
      handleFetch(
        new Request('http://localhost/api/trpc/admin.login', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.77' },
          body: JSON.stringify({ email: 'nobody@example.com', password: 'a guess' }),
        }),
        { db, config: strict, trustProxy: true },
      );
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await login();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
