import { TRPCError } from '@trpc/server';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '@/server/invariants';
import { createConcert } from '@/server/seed';
import { CookieJar } from '@/server/testing/cookie-jar';
import { captureInvitations, concertPlan, invitedOperator, signedInOperator } from '@/server/testing/operator';
import { productionBuildExists, startProductionProcess } from '@/server/testing/production-process';
import { useTestDatabase } from '@/server/testing/test-database';
import { expectFailure, testConfig, TestUser } from '@/server/testing/test-user';
import { MAX_UPLOAD_ENTRIES } from '@/server/ticket/offline';
import { ticketReference } from '@/server/ticket/reference';
import { reasonOf } from '@/server/trpc/errors';

/**
 * Attacks from outside on the tickets and the door (docs/tickets-and-door.md): forged, altered and
 * replayed QR codes, callers without the role, cross-site calls, hostile offline uploads, and the
 * races a real door sees (a refund, a transfer or another device at the same instant as a scan),
 * with real calls on a real database, then the same door over HTTP against `npm start`. After each
 * attack every invariant must still hold, and a ticket is let in at most once.
 *
 * Some races are made deterministic by a test-only trigger that holds an insert (of an entry, or of
 * a transfer) on an advisory lock the test lets go (`whileLocked`): the first request then holds its
 * ticket's lock until the other has queued behind it, which is the window a busy door leaves anyway.
 *
 * The findings this file pinned, all fixed since (each test names its own): 1 a refund queued behind
 * a scan or an upload refunded the ticket just let in; 2 an upload queued behind another admission of
 * its ticket answered 500; 3 a transfer queued behind a scan passed on the used ticket; 4
 * `already_recorded` ignored which ticket a localId was for; 5 a scannedAt in year 0000 answered 500;
 * 6 a lone surrogate in a gate answered 500; 7 a request queued behind a transfer could not find the
 * ticket; 8 an upload of 200 entries within every field's limit could pass the 64 KiB body cap (the
 * limit is 100 entries now). 1, 2, 3 and 7 had one cause: a locking read saw the joined rows (entries,
 * offers, holder) as they were before it waited for the ticket's lock (server/ticket/read.ts).
 */
const database = await useTestDatabase();
const { db, sql: client } = database;
/** The same secret as npm start's in startProductionProcess: the QR codes made here check there too. */
const SECRET = 'process-test-secret-0123456789abcdef';
const config = testConfig({
  QUEUE_MAX_ACTIVE: 1000,
  RATE_LIMIT_PER_MINUTE: 0,
  OPERATOR_SIGN_IN_PER_MINUTE: 1000,
  SESSION_SECRET: SECRET,
});
captureInvitations(db);
const owner = await signedInOperator(db, config);
const breached = async () => (await checkInvariants(client, config.QUEUE_MAX_ACTIVE, config)).filter((r) => r.breaches.length > 0);

const PASSWORD = 'correct horse battery';
let people = 0;
/** A fan with an account (email verified) on a fresh browser. */
async function member(name: string) {
  const fan = new TestUser(db, config);
  const email = `attack${++people}-${Date.now()}@example.com`;
  await fan.api.account.signUp({ name, email, password: PASSWORD });
  await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
  return { fan, email };
}

async function guest(name = 'Guest') {
  const fan = new TestUser(db, config);
  await fan.start(name);
  return fan;
}

let concerts = 0;
/** `buyer` buys `count` seats of the first of two fresh dates; the tickets with their QR codes. */
async function bought(buyer: TestUser, count = 2) {
  const { concertId, scheduleIds } = await createConcert(db, {
    title: `Attack ${++concerts}`,
    artist: 'A',
    venue: 'V',
    dayOffsets: [20, 21],
  });
  const seats = await db.execute<{ id: number }>(
    sql`SELECT id FROM seats WHERE schedule_id = ${scheduleIds[0]!} ORDER BY id LIMIT ${count}`,
  );
  await buyer.join(concertId);
  await buyer.api.wallet.charge({ amount: 1_000_000 });
  const order = await buyer.api.order.hold({ seatIds: seats.map((s) => s.id) });
  const paid = await buyer.api.order.pay({ orderId: order.orderId });
  const [group] = (await buyer.api.ticket.mine()).filter((g) => g.orderId === order.orderId);
  const tickets = await Promise.all(group!.tickets.map((t) => buyer.api.ticket.get({ reference: t.reference })));
  return { concertId, scheduleId: scheduleIds[0]!, otherDate: scheduleIds[1]!, order, paid, tickets };
}

/** Entries of a ticket, by status. */
async function entriesOf(reference: string) {
  const rows = await db.execute<{ status: string }>(
    sql`SELECT e.status FROM ticket_entries e JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = ${reference} ORDER BY e.id`,
  );
  return rows.map((r) => r.status);
}

async function ticketRow(reference: string) {
  const [row] = await db.execute<{ status: string; serial: number; admitted: number }>(sql`
    SELECT t.status, t.serial,
      (SELECT count(*) FROM ticket_entries e WHERE e.ticket_id = t.id AND e.status = 'admitted')::int AS admitted
    FROM tickets t WHERE t.reference = ${reference}`);
  return row!;
}

/** What a call answered: its value, or its tRPC code and reason. */
async function settle<T>(call: Promise<T>): Promise<{ ok: T } | { code: TRPCError['code']; reason: string }> {
  try {
    return { ok: await call };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { code: error.code, reason: reasonOf(error) };
  }
}

/** The advisory lock the test holds while `first` is kept waiting inside its insert. */
const GATE_LOCK = 424242;

/**
 * Test-only, deterministic interleaving: a trigger makes every insert into `table` (ticket_entries,
 * ticket_transfers) wait for an advisory lock this test holds, inside its transaction, which holds
 * the ticket's row lock. `second` is started once `first` waits there, and the lock is let go once
 * `second` waits for the ticket's row: `second` has read the ticket before `first` committed, as a
 * request arriving a moment later at a busy door does.
 */
async function whileLocked<A, B>(
  table: 'ticket_entries' | 'ticket_transfers',
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<[A, B]> {
  await db.execute(
    sql.raw(`CREATE OR REPLACE FUNCTION attack_hold_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock(${GATE_LOCK}); RETURN NEW; END $$`),
  );
  await db.execute(sql.raw(`DROP TRIGGER IF EXISTS attack_hold_insert ON ${table}`));
  await db.execute(
    sql.raw(`CREATE TRIGGER attack_hold_insert AFTER INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION attack_hold_insert()`),
  );
  const holder = await client.reserve();
  const waiting = async (events: string[]) => {
    for (let tries = 0; tries < 200; tries++) {
      const [row] = await client<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ${client(events)}`;
      if (row!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`nothing waited for ${events.join(', ')}`);
  };
  try {
    await holder`SELECT pg_advisory_lock(${GATE_LOCK})`;
    const a = first();
    void a.catch(() => undefined);
    await waiting(['advisory']);
    const b = second();
    void b.catch(() => undefined);
    // Row locks are waited for as the holder's transaction id (or the tuple, when several wait).
    await waiting(['transactionid', 'tuple']);
    await holder`SELECT pg_advisory_unlock(${GATE_LOCK})`;
    return [await a, await b];
  } finally {
    await holder`SELECT pg_advisory_unlock_all()`;
    holder.release();
    await db.execute(sql.raw(`DROP TRIGGER IF EXISTS attack_hold_insert ON ${table}`));
  }
}
/** `second` queued behind a scan (or an upload) that is inserting its entry. */
const whileScanning = <A, B>(first: () => Promise<A>, second: () => Promise<B>) => whileLocked('ticket_entries', first, second);

describe('forged, altered and replayed QR codes', () => {
  it('refuses every altered, truncated, padded or foreign QR (FORGED / UNKNOWN / OTHER_DATE), online and offline, and lets nobody in', async () => {
    const fan = await guest('Holder');
    const { tickets, scheduleId, otherDate, paid } = await bought(fan, 2);
    const qr = tickets[0]!.qr!;
    const parts = qr.split('.');
    const signature = parts[5]!;
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const withPart = (i: number, value: string) => parts.map((p, j) => (j === i ? value : p)).join('.');
    const forged: Record<string, string> = {
      'signature bit flipped': withPart(5, signature.slice(0, 40) + flip(signature[40]!) + signature.slice(41)),
      'signature of the other ticket': withPart(5, tickets[1]!.qr!.split('.')[5]!),
      'serial raised': withPart(2, '2'),
      'seat changed': withPart(4, String(Number(parts[4]) + 1)),
      'date changed to the other date': withPart(3, String(otherDate)),
      'reference of the other ticket': withPart(1, tickets[1]!.reference),
      'signature non-canonical (padding)': `${qr}=`,
      'signature one character longer': `${qr}A`,
      'signature one character shorter': qr.slice(0, -1),
      'no signature': withPart(5, ''),
    };
    const unknown: Record<string, string> = {
      truncated: qr.slice(0, -1 - signature.length),
      'extra part': `${parts.slice(0, 5).join('.')}.1.${signature}`,
      'serial with a leading zero': withPart(2, '01'),
      'serial zero': withPart(2, '0'),
      'lower-case reference': withPart(1, tickets[0]!.reference.toLowerCase()),
      'lower-case version': qr.replace(/^T2/, 't2'),
      'the order-wide T1 reference': ticketReference(SECRET, paid.bookingCode),
      'a typed booking code': paid.bookingCode,
      'dot soup': '.....',
      'unicode digits': withPart(2, '１'),
    };
    for (const [what, bad] of Object.entries(forged)) {
      const answer = await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: bad });
      // A signature that does not check is FORGED; a shape no QR has is UNKNOWN: both refuse, neither names a ticket.
      expect({ what, answer }).toEqual({
        what,
        answer: { outcome: 'refused', reason: expect.stringMatching(/^(FORGED|UNKNOWN)$/), ticket: null },
      });
    }
    for (const [what, bad] of Object.entries(unknown)) {
      expect({ what, answer: await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: bad }) }).toEqual({
        what,
        answer: { outcome: 'refused', reason: 'UNKNOWN', ticket: null },
      });
    }
    // A signature bit flipped is FORGED, not a mere shape problem.
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: forged['signature bit flipped']! })).toMatchObject({
      reason: 'FORGED',
    });
    // Padding around a real QR is trimmed; too long is refused before it is read.
    await expectFailure(owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: `T2.${'A'.repeat(300)}` }), 'BAD_REQUEST', 'INVALID_INPUT');
    await expectFailure(owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: '   ' }), 'BAD_REQUEST', 'INVALID_INPUT');
    // The real QR at the other date's door.
    expect(await owner.api.ticket.checkIn({ scheduleId: otherDate, gate: 'A', qr })).toMatchObject({
      outcome: 'refused',
      reason: 'OTHER_DATE',
    });

    // Offline: the same codes are refused and nothing is recorded.
    const scannedAt = new Date().toISOString();
    const all = [...Object.values(forged), ...Object.values(unknown)];
    const upload = await owner.api.ticket.uploadEntries({
      deviceId: 'device-forgeries',
      entries: all.map((bad, i) => ({ localId: `f${i}`, scheduleId, gate: 'Off', scannedAt, qr: bad })),
    });
    expect(upload.results.every((r) => r.outcome === 'refused')).toBe(true);

    expect(await entriesOf(tickets[0]!.reference)).toEqual([]);
    expect(await entriesOf(tickets[1]!.reference)).toEqual([]);
    expect(await owner.api.ticket.doorCount({ scheduleId })).toEqual({ admitted: 0, tickets: 2 });
    // The real one still works, once.
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: `  ${qr}  ` })).toMatchObject({ outcome: 'admitted' });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'B', qr })).toMatchObject({ outcome: 'already_used' });
    expect(await breached()).toEqual([]);
  });

  it('a QR passed on, passed back, offered or refunded: only the current holder’s current QR lets anyone in', async () => {
    const a = await member('Ana');
    const b = await member('Ben');
    const { tickets, scheduleId, order } = await bought(a.fan, 2);
    const reference = tickets[0]!.reference;
    const first = tickets[0]!.qr!;
    await a.fan.api.ticket.transfer({ reference, toEmail: b.email });
    const bens = (await b.fan.api.ticket.get({ reference })).qr!;
    await b.fan.api.ticket.transfer({ reference, toEmail: a.email });
    const back = await a.fan.api.ticket.get({ reference });
    expect(back).toMatchObject({ state: 'valid', holderName: 'Ana', qr: expect.stringMatching(/^T2\./) });
    // Both screenshots (Ana's first, Ben's) are dead; Ben sees nothing of it any more.
    for (const old of [first, bens]) {
      expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: old })).toMatchObject({ outcome: 'refused', reason: 'OLD_QR' });
    }
    await expectFailure(b.fan.api.ticket.get({ reference }), 'NOT_FOUND', 'NOT_FOUND');
    const offline = await owner.api.ticket.uploadEntries({
      deviceId: 'device-replays',
      entries: [{ localId: '1', scheduleId, gate: 'Off', scannedAt: new Date().toISOString(), qr: bens }],
    });
    expect(offline.results).toEqual([{ localId: '1', outcome: 'refused', reason: 'OLD_QR' }]);

    // Offered: no QR of it lets anyone in, not even the one drawn under the offer's serial.
    const second = tickets[1]!.reference;
    const beforeOffer = tickets[1]!.qr!;
    await a.fan.api.ticket.transfer({ reference: second, toEmail: `nobody-${Date.now()}@example.com`, offerIfNoAccount: true });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: beforeOffer })).toMatchObject({ reason: 'OLD_QR' });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference: second, holderChecked: true })).toMatchObject({
      outcome: 'refused',
      reason: 'OFFERED',
    });

    // Refunded: its current QR and its reference are refused.
    await a.fan.api.order.cancel({ orderId: order.orderId });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: back.qr! })).toMatchObject({ reason: 'REFUNDED' });
    expect(await owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference, holderChecked: true })).toMatchObject({ reason: 'REFUNDED' });
    expect(await entriesOf(reference)).toEqual(['refused']);
    expect(await ticketRow(reference)).toMatchObject({ status: 'refunded', admitted: 0 });
    expect(await breached()).toEqual([]);
  });
});

describe('who may call', () => {
  it('fans get OPERATOR_REQUIRED on every door procedure; a door operator gets OPERATOR_ROLE_REQUIRED on manager ones', async () => {
    const fan = await guest();
    const account = await member('Fan');
    const { tickets, scheduleId, concertId } = await bought(fan, 1);
    const reference = tickets[0]!.reference;
    const qr = tickets[0]!.qr!;
    const scannedAt = new Date().toISOString();
    const doorCalls = (u: TestUser) => ({
      checkIn: () => u.api.ticket.checkIn({ scheduleId, gate: 'A', qr }),
      checkInByReference: () => u.api.ticket.checkIn({ scheduleId, gate: 'A', reference, holderChecked: true }),
      lookup: () => u.api.ticket.lookup({ scheduleId, code: reference }),
      undoEntry: () => u.api.ticket.undoEntry({ reference, reason: 'x' }),
      doorList: () => u.api.ticket.doorList({ scheduleId }),
      uploadEntries: () =>
        u.api.ticket.uploadEntries({ deviceId: 'device-fan-1', entries: [{ localId: '1', scheduleId, gate: 'A', scannedAt, qr }] }),
      doorCount: () => u.api.ticket.doorCount({ scheduleId }),
      doorDates: () => u.api.ticket.doorDates(),
      verify: () => u.api.ticket.verify({ code: reference }),
    });
    for (const [caller, u] of [
      ['guest holding the ticket', fan],
      ['account', account.fan],
      ['nobody', new TestUser(db, config)],
    ] as const) {
      for (const [name, call] of Object.entries(doorCalls(u))) {
        expect({ caller, name, answer: await settle<unknown>(call()) }).toEqual({
          caller,
          name,
          answer: { code: 'FORBIDDEN', reason: 'OPERATOR_REQUIRED' },
        });
      }
    }
    const door = (await invitedOperator(owner, 'door')).person;
    await expectFailure(door.api.ticket.undoEntry({ reference, reason: 'x' }), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    await expectFailure(door.api.admin.sale.pause({ concertId }), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    await expectFailure(door.api.admin.concert.create(concertPlan()), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    await expectFailure(door.api.admin.audit.list({}), 'FORBIDDEN', 'OPERATOR_ROLE_REQUIRED');
    // A fan's session beside a door operator's cookie gives the fan nothing, and the door nothing more.
    expect(await entriesOf(reference)).toEqual([]);

    // The fan procedures: no session, a guest transferring, a stranger's reference.
    const nobody = new TestUser(db, config);
    await expectFailure(nobody.api.ticket.mine(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    await expectFailure(nobody.api.ticket.get({ reference }), 'UNAUTHORIZED', 'SESSION_REQUIRED');
    await expectFailure(fan.api.ticket.transfer({ reference, toEmail: account.email }), 'UNAUTHORIZED', 'ACCOUNT_REQUIRED');
    await expectFailure(account.fan.api.ticket.get({ reference }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(account.fan.api.ticket.transfer({ reference, toEmail: `x-${Date.now()}@example.com` }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(account.fan.api.ticket.cancelOffer({ reference }), 'NOT_FOUND', 'NOT_FOUND');
    await expectFailure(door.api.ticket.mine(), 'UNAUTHORIZED', 'SESSION_REQUIRED');
  });

  it('refuses the door’s queries and mutations and the fans’ mutations from another site (CROSS_SITE), and writes nothing', async () => {
    const fan = await member('Cross');
    const { tickets, scheduleId, order } = await bought(fan.fan, 1);
    const reference = tickets[0]!.reference;
    const auditBefore = await db.execute(sql`SELECT count(*)::int AS n FROM audit_log`);
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example', host: 'tickets.example' }]) {
      const door = await signedInOperator(db, config);
      for (const [name, value] of Object.entries(headers)) door.headers.set(name, value);
      const calls = {
        checkIn: () => door.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }),
        lookup: () => door.api.ticket.lookup({ scheduleId, code: reference }),
        doorList: () => door.api.ticket.doorList({ scheduleId }),
        doorCount: () => door.api.ticket.doorCount({ scheduleId }),
        doorDates: () => door.api.ticket.doorDates(),
        verify: () => door.api.ticket.verify({ code: reference }),
        undoEntry: () => door.api.ticket.undoEntry({ reference, reason: 'x' }),
        uploadEntries: () =>
          door.api.ticket.uploadEntries({
            deviceId: 'device-cross',
            entries: [{ localId: '1', scheduleId, gate: 'A', scannedAt: new Date().toISOString(), qr: tickets[0]!.qr! }],
          }),
      };
      for (const [name, call] of Object.entries(calls)) {
        expect({ name, answer: await settle<unknown>(call()) }).toEqual({ name, answer: { code: 'FORBIDDEN', reason: 'CROSS_SITE' } });
      }
      const victim = fan.fan.through(db);
      for (const [name, value] of Object.entries(headers)) victim.headers.set(name, value);
      for (const [name, call] of Object.entries({
        transfer: () => victim.api.ticket.transfer({ reference, toEmail: `thief-${Date.now()}@example.com`, offerIfNoAccount: true }),
        cancelOffer: () => victim.api.ticket.cancelOffer({ reference }),
        'order.cancel': () => victim.api.order.cancel({ orderId: order.orderId }),
      })) {
        expect({ name, answer: await settle<unknown>(call()) }).toEqual({ name, answer: { code: 'FORBIDDEN', reason: 'CROSS_SITE' } });
      }
    }
    expect(await entriesOf(reference)).toEqual([]);
    expect(await fan.fan.api.ticket.get({ reference })).toMatchObject({ state: 'valid', transfer: null });
    // Only the two sign-ins of the operators above were recorded: no verify, no check-in, no upload.
    const auditAfter = await db.execute<{ action: string }>(sql`SELECT action FROM audit_log ORDER BY id OFFSET ${auditBefore[0]!.n}`);
    expect(auditAfter.map((e) => e.action).filter((a) => a.startsWith('ticket.'))).toEqual([]);
  });
});

describe('races at the door', () => {
  it('six gates scanning one ticket at once let it in once', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    const qr = tickets[0]!.qr!;
    const answers = await Promise.all(['1', '2', '3', '4', '5', '6'].map((gate) => owner.api.ticket.checkIn({ scheduleId, gate, qr })));
    expect(answers.filter((a) => a.outcome === 'admitted')).toHaveLength(1);
    expect(answers.filter((a) => a.outcome === 'already_used')).toHaveLength(5);
    expect(await ticketRow(tickets[0]!.reference)).toMatchObject({ admitted: 1 });
    expect(await breached()).toEqual([]);
  });

  // Finding 1 (high): a refund that queues behind a scan reads the ticket as the scan's transaction
  // began (no entry yet), so it refunds a ticket already let in: its price goes back to the buyer and
  // its seat back on sale while its holder is inside. server/ticket/refund.ts ticketsToRefund.
  it('a refund racing a check-in does not refund the ticket that was just let in (finding 1)', async () => {
    const fan = await guest();
    const { tickets, scheduleId, order } = await bought(fan, 2);
    const [scan, refund] = await whileScanning(
      () => owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }),
      () => fan.api.order.cancel({ orderId: order.orderId }),
    );
    expect(scan.outcome).toBe('admitted');
    expect(await breached()).toEqual([]);
    // Only the other ticket is refunded; the one inside keeps its seat.
    expect(refund).toMatchObject({ status: 'refunded', refunded: tickets[1]!.price });
    expect(await ticketRow(tickets[0]!.reference)).toMatchObject({ status: 'live', admitted: 1 });
  });

  // Finding 1, through an offline upload: the same stale read.
  it('a refund racing an offline upload does not refund the ticket the upload records (finding 1)', async () => {
    const fan = await guest();
    const { tickets, scheduleId, order } = await bought(fan, 2);
    const [upload, refund] = await whileScanning(
      () =>
        owner.api.ticket.uploadEntries({
          deviceId: 'device-refund-race',
          entries: [{ localId: '1', scheduleId, gate: 'Off', scannedAt: new Date().toISOString(), qr: tickets[0]!.qr! }],
        }),
      () => fan.api.order.cancel({ orderId: order.orderId }),
    );
    expect(upload.results).toEqual([{ localId: '1', outcome: 'recorded' }]);
    expect(refund).toMatchObject({ refunded: tickets[1]!.price });
    expect(await ticketRow(tickets[0]!.reference)).toMatchObject({ status: 'live', admitted: 1 });
  });

  // Finding 3 (medium): a transfer queued behind a scan passes on the ticket that was just let in.
  // server/ticket/transfer.ts lockHeldTicket.
  it('a transfer racing a check-in does not pass on the ticket that was just let in (finding 3)', async () => {
    const giver = await member('Giver');
    const friend = await member('Friend');
    const { tickets, scheduleId } = await bought(giver.fan, 1);
    const reference = tickets[0]!.reference;
    const [scan, transfer] = await whileScanning(
      () => owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }),
      () => settle(giver.fan.api.ticket.transfer({ reference, toEmail: friend.email })),
    );
    expect(scan.outcome).toBe('admitted');
    expect(transfer).toEqual({ code: 'CONFLICT', reason: 'TICKET_NOT_TRANSFERABLE' });
    expect(await giver.fan.api.ticket.get({ reference })).toMatchObject({ state: 'used', holderName: 'Giver' });
  });

  // Finding 2 (medium): an upload queued behind another device's (or a gate's) admission of the same
  // ticket misses that entry, inserts a second `admitted` one, hits ticket_entries_one_admitted and
  // answers 500: the device's whole batch fails. server/ticket/offline.ts uploadOne (checkIn retries; this does not).
  it('two devices uploading the same ticket at once: both answered, neither 500 (finding 2)', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    const scannedAt = new Date().toISOString();
    const entry = (gate: string) => ({ localId: '1', scheduleId, gate, scannedAt, qr: tickets[0]!.qr! });
    const [first, second] = await whileScanning(
      () => owner.api.ticket.uploadEntries({ deviceId: 'device-race-1', entries: [entry('North')] }),
      () => settle(owner.api.ticket.uploadEntries({ deviceId: 'device-race-2', entries: [entry('South')] })),
    );
    expect(first.results).toEqual([{ localId: '1', outcome: 'recorded' }]);
    expect(second).toEqual({ ok: { results: [expect.objectContaining({ localId: '1', outcome: 'double_entry' })] } });
  });

  // Finding 7 (low): a request queued behind a transfer reads the ticket's old holder, whose join no
  // longer matches once the lock is granted, so the ticket is not found at all: the losing transfer
  // is told 404 NOT_FOUND (not 409 TICKET_NOT_HELD), the gate UNKNOWN (not OLD_QR). server/ticket/read.ts.
  it('the loser of two transfers at once is told TICKET_NOT_HELD (finding 7)', async () => {
    const giver = await member('Twice');
    const [a, b] = [await member('A'), await member('B')];
    const { tickets } = await bought(giver.fan, 1);
    const reference = tickets[0]!.reference;
    const [first, second] = await whileLocked(
      'ticket_transfers',
      () => giver.fan.api.ticket.transfer({ reference, toEmail: a.email }),
      () => settle(giver.fan.api.ticket.transfer({ reference, toEmail: b.email })),
    );
    expect(first.outcome).toBe('transferred');
    expect(second).toEqual({ code: 'CONFLICT', reason: 'TICKET_NOT_HELD' });
  });

  it('a scan queued behind a transfer of its ticket is refused OLD_QR (finding 7)', async () => {
    const giver = await member('Scanned');
    const friend = await member('Friend');
    const { tickets, scheduleId } = await bought(giver.fan, 1);
    const [, scan] = await whileLocked(
      'ticket_transfers',
      () => giver.fan.api.ticket.transfer({ reference: tickets[0]!.reference, toEmail: friend.email }),
      () => owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }),
    );
    expect(scan).toMatchObject({ outcome: 'refused', reason: 'OLD_QR' });
  });

  it('the database still lets a ticket in once when an upload races a gate (even if the upload fails)', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    const [scan, upload] = await whileScanning(
      () => owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: tickets[0]!.qr! }),
      () =>
        settle(
          owner.api.ticket.uploadEntries({
            deviceId: 'device-race-3',
            entries: [{ localId: '1', scheduleId, gate: 'Off', scannedAt: new Date().toISOString(), qr: tickets[0]!.qr! }],
          }),
        ),
    );
    expect(scan.outcome).toBe('admitted');
    expect(upload).toBeDefined();
    expect(await ticketRow(tickets[0]!.reference)).toMatchObject({ admitted: 1 });
    expect(await breached()).toEqual([]);
  });

  it('two transfers of one ticket and a refund at once: one holder, the refund only of what the buyer still holds', async () => {
    const buyer = await member('Multi');
    const [a, b] = [await member('A'), await member('B')];
    const { tickets, order } = await bought(buyer.fan, 2);
    const reference = tickets[0]!.reference;
    const results = await Promise.all([
      settle(buyer.fan.api.ticket.transfer({ reference, toEmail: a.email })),
      settle(buyer.fan.api.ticket.transfer({ reference, toEmail: b.email })),
      settle(buyer.fan.api.order.cancel({ orderId: order.orderId })),
    ]);
    const transferred = results.slice(0, 2).filter((r) => 'ok' in r);
    const refund = results[2]!;
    expect('ok' in refund).toBe(true);
    const row = await ticketRow(reference);
    if (row.status === 'refunded') {
      // The refund came first: nobody got it, and it was refunded once with the other ticket.
      expect(transferred).toEqual([]);
      expect(refund).toMatchObject({ ok: { refunded: tickets[0]!.price + tickets[1]!.price } });
    } else {
      expect(transferred).toHaveLength(1);
      expect(refund).toMatchObject({ ok: { refunded: tickets[1]!.price } });
    }
    const held = async (fan: TestUser) => (await fan.api.ticket.mine()).flatMap((g) => g.tickets).filter((t) => t.state === 'valid');
    expect((await held(a.fan)).length + (await held(b.fan)).length).toBe(row.status === 'refunded' ? 0 : 1);
    expect(await breached()).toEqual([]);
  });

  it('a claim racing the giver’s cancel of the offer: exactly one wins, never both', async () => {
    const giver = await member('Offerer');
    const { tickets } = await bought(giver.fan, 1);
    const reference = tickets[0]!.reference;
    const email = `claimer-${Date.now()}@example.com`;
    await giver.fan.api.ticket.transfer({ reference, toEmail: email, offerIfNoAccount: true });
    const claimer = new TestUser(db, config);
    await claimer.api.account.signUp({ name: 'Claimer', email, password: PASSWORD });
    await db.execute(sql`UPDATE auth_users SET email_verified = true WHERE email = ${email}`);
    const [mine, cancelled] = await Promise.all([
      settle(claimer.api.ticket.mine()),
      settle(giver.fan.api.ticket.cancelOffer({ reference })),
    ]);
    const claimed = 'ok' in mine && mine.ok.length > 0;
    expect(claimed).toBe(!('ok' in cancelled));
    const holder = claimed ? claimer : giver.fan;
    expect(await holder.api.ticket.get({ reference })).toMatchObject({ state: 'valid', qr: expect.stringMatching(/^T2\./) });
    const statuses = await db.execute<{ status: string }>(
      sql`SELECT tr.status FROM ticket_transfers tr JOIN tickets t ON t.id = tr.ticket_id WHERE t.reference = ${reference}`,
    );
    expect(statuses.map((s) => s.status)).toEqual([claimed ? 'accepted' : 'cancelled']);
    expect(await breached()).toEqual([]);
  });
});

describe('hostile offline uploads and door input', () => {
  // Finding 4 (medium): `already_recorded` is answered from (deviceId, localId) alone, whatever ticket
  // the known entry is of: a repeated localId in one batch, or ids another device (or an operator
  // typing its deviceId) used first, silently drop an entry that was never recorded; that ticket can
  // then be let in again with no double_entry report. server/ticket/offline.ts uploadOne (`known`).
  it('a localId used for another ticket is never answered already_recorded (finding 4)', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 2);
    const scannedAt = new Date().toISOString();
    const entry = (i: number) => ({ localId: 'same', scheduleId, gate: 'Off', scannedAt, qr: tickets[i]!.qr! });
    const upload = await owner.api.ticket.uploadEntries({ deviceId: 'device-dup-ids', entries: [entry(0), entry(1)] });
    expect(upload.results[0]).toEqual({ localId: 'same', outcome: 'recorded' });
    expect(upload.results[1]!.outcome).not.toBe('already_recorded');
  });

  it('a repeated upload records nothing twice; one entry past the limit is refused; an upload counts each ticket once', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 2);
    const scannedAt = new Date().toISOString();
    const entries = tickets.map((t, i) => ({ localId: `e${i}`, scheduleId, gate: 'Off', scannedAt, qr: t.qr! }));
    const first = await owner.api.ticket.uploadEntries({ deviceId: 'device-repeat', entries });
    expect(first.results.map((r) => r.outcome)).toEqual(['recorded', 'recorded']);
    const [again, meanwhile] = await Promise.all([
      owner.api.ticket.uploadEntries({ deviceId: 'device-repeat', entries }),
      owner.api.ticket.uploadEntries({ deviceId: 'device-repeat', entries }),
    ]);
    expect([...again.results, ...meanwhile.results].map((r) => r.outcome)).toEqual(Array(4).fill('already_recorded'));
    // The same ticket scanned twice by one device (two localIds): the second is a double entry, counted once.
    const twice = await owner.api.ticket.uploadEntries({
      deviceId: 'device-repeat',
      entries: [{ ...entries[0]!, localId: 'e9' }],
    });
    expect(twice.results).toEqual([expect.objectContaining({ outcome: 'double_entry' })]);
    await expectFailure(
      owner.api.ticket.uploadEntries({
        deviceId: 'device-too-many',
        entries: Array.from({ length: MAX_UPLOAD_ENTRIES + 1 }, (_, i) => ({ ...entries[0]!, localId: `m${i}` })),
      }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    for (const deviceId of ['short', ' '.repeat(10), 'd'.repeat(65)]) {
      await expectFailure(owner.api.ticket.uploadEntries({ deviceId, entries }), 'BAD_REQUEST', 'INVALID_INPUT');
    }
    expect(await owner.api.ticket.doorCount({ scheduleId })).toEqual({ admitted: 2, tickets: 2 });
    expect(await breached()).toEqual([]);
  });

  it('a scannedAt outside the last 30 days (or the next day) is refused as input; within it, the ticket counts once', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    const entry = (localId: string, scannedAt: string) => ({ localId, scheduleId, gate: 'Off', scannedAt, qr: tickets[0]!.qr! });
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const upload = await owner.api.ticket.uploadEntries({
      deviceId: 'device-clock',
      entries: [entry('1', hoursAgo(20)), entry('2', hoursAgo(-20))],
    });
    expect(upload.results.map((r) => r.outcome)).toEqual(['recorded', 'double_entry']);
    for (const bad of [
      '9999-12-31T23:59:59Z',
      '1900-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      hoursAgo(24 * 31),
      hoursAgo(-25),
      '2026-02-30T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      'yesterday',
      '2026-12-07T10:00:00+09:00',
    ]) {
      await expectFailure(
        owner.api.ticket.uploadEntries({ deviceId: 'device-clock', entries: [entry('4', bad)] }),
        'BAD_REQUEST',
        'INVALID_INPUT',
      );
    }
    expect(await ticketRow(tickets[0]!.reference)).toMatchObject({ admitted: 1 });
    expect(await breached()).toEqual([]);
  });

  // Finding 5 (low): year 0000 passes the input's ISO check but not PostgreSQL's: 500 INTERNAL.
  it('a scannedAt in year 0000 is refused as input, not a 500 (finding 5)', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    const answer = await settle(
      owner.api.ticket.uploadEntries({
        deviceId: 'device-year-zero',
        entries: [{ localId: '1', scheduleId, gate: 'Off', scannedAt: '0000-06-01T00:00:00Z', qr: tickets[0]!.qr! }],
      }),
    );
    expect(answer).not.toMatchObject({ reason: 'INTERNAL' });
  });

  it('a NUL in a gate, reference, code, deviceId or localId is INVALID_INPUT; printable unicode gates are stored as given', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 2);
    const qr = tickets[0]!.qr!;
    const scannedAt = new Date().toISOString();
    for (const call of [
      owner.api.ticket.checkIn({ scheduleId, gate: 'A\u0000', qr }),
      owner.api.ticket.checkIn({ scheduleId, gate: 'A', qr: `${qr}\u0000` }),
      owner.api.ticket.checkIn({ scheduleId, gate: 'A', reference: `${tickets[0]!.reference}\u0000`, holderChecked: true }),
      owner.api.ticket.lookup({ scheduleId, code: `\u0000${tickets[0]!.reference}` }),
      owner.api.ticket.verify({ code: `${tickets[0]!.reference}\u0000` }),
      owner.api.ticket.uploadEntries({ deviceId: 'device-\u0000-nul', entries: [] }),
      owner.api.ticket.uploadEntries({
        deviceId: 'device-nul-ids',
        entries: [{ localId: '\u0000', scheduleId, gate: 'A', scannedAt, qr }],
      }),
      fan.api.ticket.get({ reference: `${tickets[0]!.reference}\u0000` }),
    ]) {
      await expectFailure(call, 'BAD_REQUEST', 'INVALID_INPUT');
    }
    const gates = ['Porte Nº 3 — Est', '東ゲート', '🎟️'.repeat(10), 'é'.repeat(40)];
    for (const [i, gate] of gates.entries()) {
      const answer = await owner.api.ticket.checkIn({ scheduleId, gate, qr: i === 0 ? qr : tickets[1]!.qr! });
      expect(answer.outcome).toBe(i <= 1 ? 'admitted' : 'already_used');
    }
    await expectFailure(owner.api.ticket.checkIn({ scheduleId, gate: 'é'.repeat(41), qr }), 'BAD_REQUEST', 'INVALID_INPUT');
    // Control and invisible formatting characters could disguise a gate's name in the console.
    for (const gate of ['\u202Eetag', 'Gate\u200B1', 'Gate\t1']) {
      await expectFailure(owner.api.ticket.checkIn({ scheduleId, gate, qr }), 'BAD_REQUEST', 'INVALID_INPUT');
    }
    expect(await breached()).toEqual([]);
  });

  // Finding 6 (low): a lone UTF-16 surrogate (legal in JSON as "\ud800") in a gate or an undo reason
  // is written into the audit entry's jsonb, which PostgreSQL refuses: 500 INTERNAL, not 400.
  // server/trpc/middleware/refuse-unacceptable-input.ts (refuse it with NUL).
  it('a lone surrogate in a gate is INVALID_INPUT, not a 500 (finding 6)', async () => {
    const fan = await guest();
    const { tickets, scheduleId } = await bought(fan, 1);
    await expectFailure(owner.api.ticket.checkIn({ scheduleId, gate: 'Gate \ud800', qr: tickets[0]!.qr! }), 'BAD_REQUEST', 'INVALID_INPUT');
  });
});

describe.skipIf(!productionBuildExists())('the door over HTTP against npm start', () => {
  /** The operator's jar (signed in over HTTP) and a caller for raw requests. */
  async function door(api: string) {
    const jar = new CookieJar();
    const login = await fetch(`${api}/admin.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'process-test-operator' }),
    });
    expect(login.status).toBe(200);
    jar.absorbAll(login.headers);
    return async (path: string, input: unknown, kind: 'query' | 'mutation', headers: Record<string, string> = {}) => {
      const common = { cookie: jar.header(), ...headers };
      const res =
        kind === 'query'
          ? await fetch(`${api}/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, {
              headers: common,
            })
          : await fetch(`${api}/${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...common },
              body: typeof input === 'string' ? input : JSON.stringify(input),
            });
      const text = await res.text();
      return { status: res.status, reason: /"reason":"(\w+)"/.exec(text)?.[1], text };
    };
  }

  it('refuses cross-site calls, caps uploads, and answers a burst of scans and uploads with no 500, no hang and no death', async () => {
    const server = await startProductionProcess({ databaseUrl: database.url, env: { RATE_LIMIT_PER_MINUTE: '0' } });
    const call = await door(server.api);
    const fans = await Promise.all([guest('Burst 1'), guest('Burst 2'), guest('Burst 3')]);
    const bought3 = (await Promise.all(fans.map(async (f) => [await bought(f, 4), await bought(f, 4)]))).flat();
    const tickets = bought3.flatMap((b) => b.tickets.map((t) => ({ ...t, scheduleId: b.scheduleId })));
    const t0 = tickets[0]!;

    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
      for (const [path, input, kind] of [
        ['ticket.checkIn', { scheduleId: t0.scheduleId, gate: 'X', qr: t0.qr }, 'mutation'],
        ['ticket.uploadEntries', { deviceId: 'device-cross', entries: [] }, 'mutation'],
        ['ticket.undoEntry', { reference: t0.reference, reason: 'x' }, 'mutation'],
        ['ticket.lookup', { scheduleId: t0.scheduleId, code: t0.reference }, 'query'],
        ['ticket.doorList', { scheduleId: t0.scheduleId }, 'query'],
        ['ticket.doorCount', { scheduleId: t0.scheduleId }, 'query'],
        ['ticket.doorDates', undefined, 'query'],
        ['ticket.verify', { code: t0.reference }, 'query'],
        ['ticket.transfer', { reference: t0.reference, toEmail: 'a@example.com' }, 'mutation'],
        ['ticket.cancelOffer', { reference: t0.reference }, 'mutation'],
        ['order.cancel', { orderId: bought3[0]!.order.orderId }, 'mutation'],
      ] as const) {
        const answer = await call(path, input, kind, headers);
        expect({ path, headers, status: answer.status, reason: answer.reason }).toEqual({
          path,
          headers,
          status: 403,
          reason: 'CROSS_SITE',
        });
      }
    }
    // The public key is public, from anywhere.
    expect((await call('ticket.publicKey', undefined, 'query', { 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    // 64 KiB is the upload's cap: a larger body is 413 before it is parsed (see finding 8); so is a huge QR.
    const huge = await call(
      'ticket.uploadEntries',
      {
        deviceId: 'device-huge',
        entries: Array.from({ length: 200 }, (_, i) => ({
          localId: `${'L'.repeat(60)}${i}`,
          scheduleId: 1,
          gate: 'G'.repeat(40),
          scannedAt: new Date().toISOString(),
          qr: `${t0.qr}${' '.repeat(70)}`,
        })),
      },
      'mutation',
    );
    expect([huge.status, huge.reason]).toEqual([413, 'INVALID_INPUT']);
    // The largest upload the input allows (every field at its limit) fits the cap (finding 8).
    const largest = await call(
      'ticket.uploadEntries',
      {
        deviceId: 'd'.repeat(64),
        entries: Array.from({ length: MAX_UPLOAD_ENTRIES }, (_, i) => ({
          localId: `${'L'.repeat(61)}${String(i).padStart(3, '0')}`,
          scheduleId: 2_147_483_647,
          gate: 'G'.repeat(40),
          scannedAt: new Date().toISOString(),
          qr: `${t0.qr!}${'x'.repeat(200 - t0.qr!.length)}`,
        })),
      },
      'mutation',
    );
    expect(largest.status).toBe(200);
    const bigQr = await call('ticket.checkIn', { scheduleId: t0.scheduleId, gate: 'G', qr: `T2.${'A'.repeat(5000)}` }, 'mutation');
    expect([bigQr.status, bigQr.reason]).toEqual([413, 'INVALID_INPUT']);

    // The burst, in two waves: 180 scans of 24 tickets from 6 gates at once; then 4 devices
    // uploading 50 entries each while the gates go on scanning. (The uploads come after the tickets'
    // first admissions, so they do not meet finding 2's race, which has a test of its own below.)
    const scannedAt = new Date().toISOString();
    const scan = (i: number) => {
      const t = tickets[i % tickets.length]!;
      return call('ticket.checkIn', { scheduleId: t.scheduleId, gate: `Gate ${i % 6}`, qr: t.qr }, 'mutation');
    };
    const upload = (d: number) =>
      call(
        'ticket.uploadEntries',
        {
          deviceId: `device-burst-${d}`,
          entries: Array.from({ length: 50 }, (_, i) => {
            const t = tickets[(i + d) % tickets.length]!;
            return { localId: `${i}`, scheduleId: t.scheduleId, gate: 'Offline', scannedAt, qr: t.qr };
          }),
        },
        'mutation',
      );
    const started = performance.now();
    const scans = await Promise.all(Array.from({ length: 180 }, (_, i) => scan(i)));
    const second = await Promise.all([
      ...Array.from({ length: 6 }, (_, d) => upload(d)),
      ...Array.from({ length: 120 }, (_, i) => scan(i)),
    ]);
    const burst = [...scans, ...second];
    const statuses = new Map<string, number>();
    for (const r of burst) statuses.set(`${r.status} ${r.reason ?? ''}`, (statuses.get(`${r.status} ${r.reason ?? ''}`) ?? 0) + 1);
    console.log(
      `door burst: ${burst.length} answered in ${(performance.now() - started).toFixed(0)} ms: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    // Every call answered: 200, or 503 OVERLOADED (a fair answer under load: nothing ran).
    for (const r of burst) expect([200, 503]).toContain(r.status);
    const admittedAnswers = burst.filter((r) => r.text.includes('"outcome":"admitted"')).length;
    const counts = await Promise.all(bought3.map((b) => call('ticket.doorCount', { scheduleId: b.scheduleId }, 'query')));
    const admitted = counts
      .map((c) => (JSON.parse(c.text) as { result: { data: { admitted: number } } }).result.data.admitted)
      .reduce((a, b) => a + b, 0);
    // Each ticket let in once: as many "admitted" answers as admitted tickets, all of them when nothing was shed.
    expect(admittedAnswers).toBe(admitted);
    if (!burst.some((r) => r.status === 503)) expect(admitted).toBe(tickets.length);
    for (const r of second.slice(0, 4).filter((r) => r.status === 200)) {
      expect(r.text).not.toMatch(/"outcome":"(recorded|refused)"/);
    }
    expect(await breached()).toEqual([]);
    expect(server.alive()).toBe(true);
    expect(server.strayErrors()).toBe(0);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);

  // Finding 2 over HTTP: a gate and two offline devices sending the same tickets at once. In the
  // exploration 43 of 120 such requests answered 500, and 11 of 36 in another run (duplicate key
  // ticket_entries_one_admitted); with 24 tickets, a run with none is very unlikely.
  it('a gate and two devices sending the same tickets at once get no 500 (finding 2, over HTTP)', async () => {
    const server = await startProductionProcess({ databaseUrl: database.url, env: { RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const call = await door(server.api);
      const fan = await guest('Race');
      const sets: Awaited<ReturnType<typeof bought>>[] = [];
      for (let i = 0; i < 6; i++) sets.push(await bought(fan, 4));
      const tickets = sets.flatMap((b) => b.tickets.map((t) => ({ ...t, scheduleId: b.scheduleId })));
      const scannedAt = new Date().toISOString();
      const answers = await Promise.all(
        tickets.flatMap((t, i) => [
          call('ticket.checkIn', { scheduleId: t.scheduleId, gate: 'Online', qr: t.qr }, 'mutation'),
          ...['a', 'b'].map((d) =>
            call(
              'ticket.uploadEntries',
              {
                deviceId: `device-http-race-${d}`,
                entries: [{ localId: `${i}`, scheduleId: t.scheduleId, gate: d, scannedAt, qr: t.qr }],
              },
              'mutation',
            ),
          ),
        ]),
      );
      expect(server.alive()).toBe(true);
      expect(await breached()).toEqual([]);
      expect(answers.filter((a) => a.status === 500)).toEqual([]);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
