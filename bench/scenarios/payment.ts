import postgres from 'postgres';
import { addRow, DEFAULT_MAX_ACTIVE, DEFAULT_POOL, ratio, sleep, type Bench } from '@/bench/context';
import { giveTokens, makeHall, makeHolds, makeUsers } from '@/bench/fixtures';
import { trpcPost } from '@/bench/http';
import { once, runLoad } from '@/bench/http-load';
import { pgbench, pgbenchAvailable } from '@/bench/pgbench';
import { startApp } from '@/bench/servers';
import { CostMeter, costPerCall, type Cost } from '@/bench/cost';

/**
 * Payments as on sale day: the server at its defaults (QUEUE_MAX_ACTIVE 100, pool 10), every payer
 * admitted (the sale's cap is the number of payers, so the line is full) and at least as many fans
 * waiting behind them: each payment ends a turn and its freed slot must admit the next fan.
 */

/** Fixtures: enough holds for this rate over the warm-up and the measured time. */
const PAYMENTS_MAX_RPS = 1_500;
/** pgbench's payment ceiling: enough holds for this rate. */
const CEILING_PAYMENTS_MAX_RPS = 5_000;
const PRICE = 100_000;
/** Time for admissions that follow a payment's commit to land before they are counted. */
const ADMISSION_SETTLE_MS = 2_000;

export async function runPayment(bench: Bench): Promise<void> {
  const { o } = bench;
  const url = await bench.cluster.database('bench_payment');
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const payers = PAYMENTS_MAX_RPS * (o.warmup + o.duration);
  const waiting = payers;
  try {
    // Date 1: the payers' held seats; date 2: free seats for the fans admitted after them.
    const hall = await makeHall(sql, 2, payers + waiting, PRICE, { maxActive: payers });
    const [heldSeats] = hall;
    const payerFans = await makeUsers(sql, payers, PRICE);
    await giveTokens(sql, payerFans, 'active', hall.concertId);
    await makeHolds(sql, payerFans, heldSeats!, PRICE);
    const waitingFans = await makeUsers(sql, waiting);
    await giveTokens(sql, waitingFans, 'waiting', hall.concertId);
    await sql`VACUUM (ANALYZE)`;
    const [{ lastPayerPlace } = { lastPayerPlace: 0 }] = await sql<{ lastPayerPlace: number }[]>`
      SELECT max(place)::int AS "lastPayerPlace" FROM queue_tokens WHERE concert_id = ${hall.concertId} AND status = 'active'`;

    const meter = new CostMeter(bench.cluster, 'bench_payment');
    const next = once(payerFans);
    /** Payments against a server started with `env`, the window's cost per payment in its note. */
    const measure = async (scenario: string, env: Record<string, string>) => {
      const app = await startApp('custom', url, env);
      let before: Cost | undefined;
      let after: Cost | undefined;
      try {
        const measured = await runLoad({
          scenario,
          url: app.url,
          connections: o.connections,
          duration: o.duration,
          warmup: o.warmup,
          task: async (send) => {
            const fan = next();
            if (!fan) return false;
            await send(trpcPost('payment.pay', { reservationId: fan.reservationId }, { cookie: fan.cookie }));
            return true;
          },
          window: {
            opened: async () => void (before = await meter.read(app.pid)),
            closed: async () => void (after = await meter.read(app.pid)),
          },
        });
        await sleep(ADMISSION_SETTLE_MS);
        return { row: measured, cost: costPerCall(before!, after!, measured.requests) };
      } finally {
        await app.stop();
      }
    };
    const all = await measure('5. payment, default cap, a line waiting', {});
    // The same with one worker (the payers not yet paid, the same line).
    const one = await measure('5. payment, 1 worker', { WEB_CONCURRENCY: '1' });
    await meter.end();
    const row = all.row;
    const perPayment = (c: typeof all.cost) =>
      `per payment: app CPU ${c.appCpuMs} ms, database CPU ${c.dbCpuMs} ms (statements ${c.dbExecMs} ms); ${c.topLevelStatements} statements (+${c.nestedStatements} inside functions), ${c.transactions} transactions, ${c.walSyncs ?? '?'} WAL flushes`;
    one.row.note = perPayment(one.cost);
    bench.facts.paymentCost = { allWorkers: all.cost, oneWorker: one.cost };

    // Every payment that ended a turn must have admitted one waiting fan.
    const [counts] = await sql<{ ended: number; admitted: number; paid: number }[]>`
      SELECT count(*) FILTER (WHERE place <= ${lastPayerPlace} AND status = 'done')::int AS ended,
             count(*) FILTER (WHERE place > ${lastPayerPlace} AND admitted_at IS NOT NULL)::int AS admitted,
             (SELECT count(*)::int FROM payments) AS paid
      FROM queue_tokens WHERE concert_id = ${hall.concertId}`;
    row.note = `${perPayment(all.cost)}; ${payers.toLocaleString('en-US')} payers admitted (sale cap = payers, QUEUE_MAX_ACTIVE ${DEFAULT_MAX_ACTIVE}), ${waiting.toLocaleString('en-US')} waiting; ${counts!.paid} paid, ${counts!.ended} turns ended, ${counts!.admitted} waiting fans admitted`;
    bench.facts.payment = counts;
    const ceiling = await paymentCeilings(bench);
    addRow(bench, ceiling ? ratio(bench, row, 'db-pay') : row);
    addRow(bench, ceiling ? ratio(bench, one.row, 'db-pay') : one.row);
    bench.targets.push(
      {
        target: 'payments ≥ 2.5x the peer (≥ ~550/s)',
        measured: `${row.rps.toLocaleString('en-US')}/s`,
        met: row.rps >= 550,
      },
      {
        target: 'payments with one worker ≥ 2.5x the peer with one worker (≥ 560/s: 2.5 × 224)',
        measured: `${one.row.rps.toLocaleString('en-US')}/s`,
        met: one.row.rps >= 560,
      },
      {
        target: 'payments with every core ≥ 1,000/s',
        measured: `${row.rps.toLocaleString('en-US')}/s`,
        met: row.rps >= 1_000,
      },
      {
        target: 'a freed slot admits the next fan at once (admitted = turns ended by payments)',
        measured: `${counts!.admitted} admitted for ${counts!.ended} turns ended`,
        met: counts!.ended > 0 && counts!.admitted === counts!.ended,
      },
    );
  } finally {
    await sql.end();
  }
}

/**
 * The least SQL of a payment (lock seat, reservation and wallet; insert payment and ledger entry;
 * update wallet and reservation; commit), each a different hold, at the app's pool size and at the
 * HTTP rows' concurrency.
 */
async function paymentCeilings(bench: Bench): Promise<boolean> {
  if (!pgbenchAvailable()) {
    bench.log('  pgbench not installed: no database ceiling for payments');
    return false;
  }
  const { o } = bench;
  const url = await bench.cluster.database('bench_db_pay');
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    const runs = [DEFAULT_POOL, o.connections].filter((c, i, all) => all.indexOf(c) === i);
    const holds = CEILING_PAYMENTS_MAX_RPS * (o.warmup + o.duration) * runs.length;
    const hall = await makeHall(sql, 1, holds, PRICE);
    const fans = await makeUsers(sql, holds, PRICE);
    await makeHolds(sql, fans, hall[0]!, PRICE);
    await sql.unsafe(`CREATE SEQUENCE bench_next_hold START ${fans.reduce((a, f) => Math.min(a, f.reservationId!), Infinity)}`);
    await sql`VACUUM (ANALYZE)`;
    const script = `BEGIN;
SELECT r.id AS rid, r.user_id AS uid, r.order_id AS oid, r.price AS price, w.balance - r.price AS after
  FROM reservations r JOIN seats s ON s.id = r.seat_id JOIN wallets w ON w.user_id = r.user_id
  WHERE r.id = (SELECT nextval('bench_next_hold')) FOR UPDATE \\gset
INSERT INTO payments (order_id, reservation_id, user_id, amount) VALUES (:oid, :rid, :uid, :price) RETURNING id AS pid \\gset
INSERT INTO ledger_entries (user_id, kind, amount, balance_after, payment_id) VALUES (:uid, 'payment', 0 - :price::int, :after, :pid);
UPDATE wallets SET balance = :after, updated_at = now() WHERE user_id = :uid;
UPDATE reservations SET status = 'confirmed', updated_at = now() WHERE id = :rid;
END;
`;
    for (const clients of runs) {
      const row = addRow(
        bench,
        await pgbench({
          scenario: `1. ceiling: payment SQL, ${clients} connections`,
          url,
          script,
          clients,
          duration: o.duration,
          warmup: o.warmup,
          note: 'lock seat, reservation, wallet; 2 inserts, 2 updates, commit',
        }),
      );
      if (clients === DEFAULT_POOL) bench.ceilings.set('db-pay', row.rps);
    }
    return true;
  } finally {
    await sql.end();
  }
}
