import { randomBytes } from 'node:crypto';
import { asc, eq, gt, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, sales } from '@/db/schema';
import { recordAudit } from '@/server/audit/record';
import { AUDIT_ACTIONS } from '@/server/shared/audit-actions';
import { concertPlan, hoursFromNow, signedInOperator } from '@/server/testing/operator';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { appRouter } from '@/server/trpc/root';

const { db } = await useTestDatabase();
const config = testConfig({ QUEUE_MAX_ACTIVE: 7, QUEUE_ACTIVE_TTL_SECONDS: 420 });
const operator = await signedInOperator(db, config);
const OPERATOR = { id: 'owner', name: 'Owner', role: 'owner' };

/** The id of the newest entry (0 for none): entries written after it are what a step wrote. */
async function lastId() {
  const [row] = await db.select({ id: sql<number>`coalesce(max(${auditLog.id}), 0)`.mapWith(Number) }).from(auditLog);
  return row!.id;
}
const entriesAfter = (id: number) => db.select().from(auditLog).where(gt(auditLog.id, id)).orderBy(asc(auditLog.id));

/** Runs `step` and returns the entries it wrote. */
async function written(step: () => Promise<unknown>) {
  const from = await lastId();
  await step();
  return entriesAfter(from);
}
/** Runs `step`, which must fail, and returns the entries it wrote (none, we expect). */
async function writtenByFailure(step: () => Promise<unknown>) {
  const from = await lastId();
  await expect(step()).rejects.toThrow();
  return entriesAfter(from);
}

const scheduledSale = () => operator.api.admin.concert.create({ ...concertPlan(), title: `Audit ${randomBytes(3).toString('hex')}` });
async function openedSale() {
  const created = await scheduledSale();
  await db
    .update(sales)
    .set({
      prequeueOpensAt: sql`now() - interval '2 hours'`,
      opensAt: sql`now() - interval '1 hour'`,
      openedAt: sql`now() - interval '1 hour'`,
      drawnCount: 0,
    })
    .where(eq(sales.concertId, created.concertId));
  return created;
}

describe('every admin mutation writes one audit entry, in its own transaction', () => {
  it('the action list names every operator and ticket mutation, the door check, and the claim of an offer', () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    const mutations = Object.entries(procedures)
      .filter(([name, p]) => (name.startsWith('admin.') || name.startsWith('ticket.')) && p._def.type === 'mutation')
      .map(([name]) => name);
    // ticket.verify is a query that writes; ticket.claim happens when a fan signs in or opens their tickets.
    expect([...mutations, 'ticket.verify', 'ticket.claim'].sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('admin.concert.create: the plan as created, after only, by the operator with the request id', async () => {
    let concertId = 0;
    const plan = { ...concertPlan(), title: 'Audit Create' };
    const entries = await written(async () => ({ concertId } = await operator.api.admin.concert.create(plan)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: OPERATOR.id,
      actorName: OPERATOR.name,
      actorRole: OPERATOR.role,
      action: 'admin.concert.create',
      concertId,
      target: 'Audit Create',
      before: null,
      after: {
        title: 'Audit Create',
        artist: plan.artist,
        venue: plan.venue,
        dates: [...plan.dates].sort(),
        sections: plan.sections,
        maxActive: 7,
        turnSeconds: 420,
        prequeueOpensAt: plan.sale.prequeueOpensAt,
        opensAt: plan.sale.opensAt,
      },
      requestId: expect.stringMatching(/^[\w.:-]{8,64}$/),
    });
  });

  it('pause, resume and close: the state and the value they change, before and after', async () => {
    const { concertId } = await openedSale();
    const [paused] = await written(() => operator.api.admin.sale.pause({ concertId }));
    expect(paused).toMatchObject({
      action: 'admin.sale.pause',
      concertId,
      actorId: 'owner',
      before: { state: 'open', paused: false },
      after: { state: 'paused', paused: true },
    });
    // A repeat changes nothing, and says so: one entry, before = after.
    const repeat = await written(() => operator.api.admin.sale.pause({ concertId }));
    expect(repeat).toHaveLength(1);
    expect(repeat[0]).toMatchObject({ before: { state: 'paused', paused: true }, after: { state: 'paused', paused: true } });
    const resumed = await written(() => operator.api.admin.sale.resume({ concertId }));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({
      action: 'admin.sale.resume',
      before: { state: 'paused', paused: true },
      after: { state: 'open', paused: false },
    });
    const closed = await written(() => operator.api.admin.sale.close({ concertId }));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      action: 'admin.sale.close',
      before: { state: 'open', closedReason: null },
      after: { state: 'closed', closedReason: 'closed' },
    });
  });

  it('update: exactly the fields given, before and after', async () => {
    const { concertId } = await scheduledSale();
    const [cap] = await written(() => operator.api.admin.sale.update({ concertId, maxActive: 3, turnSeconds: 420 }));
    expect(cap).toMatchObject({
      action: 'admin.sale.update',
      before: { state: 'scheduled', maxActive: 7, turnSeconds: 420 },
      after: { state: 'scheduled', maxActive: 3, turnSeconds: 420 },
    });
    expect(Object.keys(cap!.after as object).sort()).toEqual(['maxActive', 'state', 'turnSeconds']);
    const [sale] = await db.select().from(sales).where(eq(sales.concertId, concertId));
    const opensAt = hoursFromNow(5);
    const [times] = await written(() => operator.api.admin.sale.update({ concertId, opensAt }));
    expect(times).toMatchObject({ before: { opensAt: sale!.opensAt.toISOString() }, after: { opensAt: new Date(opensAt).toISOString() } });
  });

  it('update: the join challenge’s difficulty and surge threshold, before and after (null: no rise)', async () => {
    const { concertId } = await openedSale();
    const [raised] = await written(() => operator.api.admin.sale.update({ concertId, joinDifficulty: 12_000, joinSurgePerSecond: 30 }));
    expect(raised).toMatchObject({
      action: 'admin.sale.update',
      before: { state: 'open', joinDifficulty: 4_000, joinSurgePerSecond: null },
      after: { state: 'open', joinDifficulty: 12_000, joinSurgePerSecond: 30 },
    });
    expect(Object.keys(raised!.after as object).sort()).toEqual(['joinDifficulty', 'joinSurgePerSecond', 'state']);
    const [off] = await written(() => operator.api.admin.sale.update({ concertId, joinSurgePerSecond: null }));
    expect(off).toMatchObject({ before: { joinSurgePerSecond: 30 }, after: { joinSurgePerSecond: null } });
    expect(Object.keys(off!.after as object).sort()).toEqual(['joinSurgePerSecond', 'state']);
    expect(await writtenByFailure(() => operator.api.admin.sale.update({ concertId, joinDifficulty: 99 }))).toEqual([]);
  });

  it('a refused or failed mutation writes none', async () => {
    const { concertId } = await openedSale();
    // Bad input: refused before the procedure runs.
    expect(await writtenByFailure(() => operator.api.admin.sale.update({ concertId, maxActive: 0 }))).toEqual([]);
    expect(await writtenByFailure(() => operator.api.admin.concert.create({ ...concertPlan(), title: '' }))).toEqual([]);
    // Refused by the rules, inside the transaction.
    expect(await writtenByFailure(() => operator.api.admin.sale.update({ concertId, opensAt: hoursFromNow(3) }))).toEqual([]);
    expect(await writtenByFailure(() => operator.api.admin.sale.pause({ concertId: 2_000_000_000 }))).toEqual([]);
    // Not an operator; a wrong password.
    const fan = await new TestUser(db, config).start();
    expect(await writtenByFailure(() => fan.api.admin.sale.pause({ concertId }))).toEqual([]);
    expect(await writtenByFailure(() => fan.api.admin.login({ password: 'not-the-operator-password' }))).toEqual([]);
    // A stranger signing out (nobody was signed in) is no operator's action.
    expect(await written(() => fan.api.admin.logout())).toEqual([]);
  });

  it('the entry and the change commit together: when the entry cannot be written, the change is undone', async () => {
    const { concertId } = await openedSale();
    await db.execute(sql`ALTER TABLE audit_log ADD CONSTRAINT planted_refuse_pause CHECK (action <> 'admin.sale.pause') NOT VALID`);
    try {
      await expectFailure(operator.api.admin.sale.pause({ concertId }), 'INTERNAL_SERVER_ERROR', 'INTERNAL');
    } finally {
      await db.execute(sql`ALTER TABLE audit_log DROP CONSTRAINT planted_refuse_pause`);
    }
    const [sale] = await db.select({ paused: sales.paused }).from(sales).where(eq(sales.concertId, concertId));
    expect(sale!.paused).toBe(false);
  });

  it('and when the change fails as it commits, no entry is left', async () => {
    const { concertId } = await openedSale();
    // A deferred check that refuses any sale's pause at COMMIT, after the entry was written.
    await db.execute(sql`CREATE TABLE planted_no_pause (paused boolean PRIMARY KEY)`);
    await db.execute(
      sql`ALTER TABLE sales ADD CONSTRAINT planted_no_pause FOREIGN KEY (paused) REFERENCES planted_no_pause DEFERRABLE INITIALLY DEFERRED NOT VALID`,
    );
    try {
      expect(await writtenByFailure(() => operator.api.admin.sale.pause({ concertId }))).toEqual([]);
    } finally {
      await db.execute(sql`ALTER TABLE sales DROP CONSTRAINT planted_no_pause`);
      await db.execute(sql`DROP TABLE planted_no_pause`);
    }
    const [sale] = await db.select({ paused: sales.paused }).from(sales).where(eq(sales.concertId, concertId));
    expect(sale!.paused).toBe(false);
  });

  it('sign-in and sign-out', async () => {
    const someone = new TestUser(db, config);
    const login = await written(() => someone.api.admin.login({ password: config.OPERATOR_PASSWORD }));
    expect(login).toHaveLength(1);
    expect(login[0]).toMatchObject({
      action: 'admin.login',
      actorId: 'owner',
      actorName: 'Owner',
      concertId: null,
      before: null,
      after: null,
    });
    const logout = await written(() => someone.api.admin.logout());
    expect(logout).toHaveLength(1);
    expect(logout[0]).toMatchObject({ action: 'admin.logout', actorId: 'owner' });
  });
});

describe('audit_log is append-only in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, even of no rows, and keeps every entry', async () => {
    await operator.api.admin.concert.create(concertPlan());
    const before = await db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(before.length).toBeGreaterThan(0);
    for (const statement of [
      sql`UPDATE audit_log SET actor_name = 'Someone else'`,
      sql`UPDATE audit_log SET target = 'x' WHERE false`,
      sql`DELETE FROM audit_log`,
      sql`DELETE FROM audit_log WHERE id = ${before[0]!.id}`,
      sql`TRUNCATE audit_log`,
    ]) {
      await expect(db.execute(statement), String(statement.queryChunks)).rejects.toMatchObject({
        cause: expect.objectContaining({
          code: '42501',
          message: expect.stringMatching(/^audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused$/),
        }),
      });
    }
    expect(await db.select().from(auditLog).orderBy(asc(auditLog.id))).toEqual(before);
  });
});

describe('admin.audit.list', () => {
  it('newest first, filtered by concert, actor and action, a page at a time without gaps or repeats', async () => {
    const a = await scheduledSale();
    const b = await scheduledSale();
    const mina = { actor: { id: 'acct-mina', name: 'Mina Park', role: 'door' }, requestId: 'test-request-1' };
    await operator.api.admin.sale.update({ concertId: a.concertId, maxActive: 5 });
    await recordAudit(db, mina, {
      action: 'admin.sale.pause',
      concertId: a.concertId,
      target: 'A',
      before: { paused: false },
      after: { paused: true },
    });
    await operator.api.admin.sale.pause({ concertId: b.concertId });
    await recordAudit(db, mina, { action: 'ticket.verify', concertId: b.concertId, target: 'K7Q-4MZ-92D', after: { status: 'valid' } });

    const ofA = await operator.api.admin.audit.list({ concertId: a.concertId });
    expect(ofA.entries.map((e) => [e.action, e.actor.id])).toEqual([
      ['admin.sale.pause', 'acct-mina'],
      ['admin.sale.update', 'owner'],
      ['admin.concert.create', 'owner'],
    ]);
    expect(ofA.entries[0]).toMatchObject({ actor: mina.actor, requestId: 'test-request-1', target: 'A', before: { paused: false } });
    expect(ofA.nextCursor).toBeNull();

    const byMina = await operator.api.admin.audit.list({ actor: 'acct-mina' });
    expect(byMina.entries.map((e) => [e.action, e.concertId])).toEqual([
      ['ticket.verify', b.concertId],
      ['admin.sale.pause', a.concertId],
    ]);
    const pauses = await operator.api.admin.audit.list({ action: 'admin.sale.pause', actor: 'owner', concertId: b.concertId });
    expect(pauses.entries.map((e) => e.action)).toEqual(['admin.sale.pause']);

    const all = (await operator.api.admin.audit.list({ limit: 100 })).entries;
    const paged = [];
    let cursor: number | undefined;
    do {
      const page = await operator.api.admin.audit.list({ limit: 2, cursor });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      paged.push(...page.entries);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(paged).toEqual(all);
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort((x, y) => y - x));
    expect(new Date(all[0]!.at).getTime()).toBeGreaterThanOrEqual(new Date(all.at(-1)!.at).getTime());

    expect(await operator.api.admin.audit.actors()).toEqual([mina.actor, OPERATOR]);
  });

  it('refuses bad filters, and anyone but an operator', async () => {
    await expectFailure(operator.api.admin.audit.list({ limit: 101 }), 'BAD_REQUEST', 'INVALID_INPUT');
    // @ts-expect-error: not an action the log knows
    await expectFailure(operator.api.admin.audit.list({ action: 'admin.sale.delete' }), 'BAD_REQUEST', 'INVALID_INPUT');
    const fan = await new TestUser(db, config).start();
    await expectFailure(fan.api.admin.audit.list(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
    await expectFailure(fan.api.admin.audit.actors(), 'FORBIDDEN', 'OPERATOR_REQUIRED');
  });
});
