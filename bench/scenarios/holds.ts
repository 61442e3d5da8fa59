import postgres from 'postgres';
import { addRow, DEFAULT_POOL, ratio, sleep, type Bench } from '@/bench/context';
import { giveTokens, makeHall, makeUsers, NUMBERED_USER_SQL, type BenchUser } from '@/bench/fixtures';
import { CookieJar, httpPool, send, trpcPost, type HttpResponse } from '@/bench/http';
import { once, runLoad, type Outcome } from '@/bench/http-load';
import { pgbench, pgbenchAvailable } from '@/bench/pgbench';
import { startApp } from '@/bench/servers';

/**
 * Holding seats: contested holds (successes and refusals apart), holds of distinct free seats against
 * the database's own ceiling for a hold, and the 200-way race for one seat from a cold client.
 */

/** Fixtures for distinct holds: enough for this rate over the warm-up and the measured time. */
const DISTINCT_HOLDS_MAX_RPS = 2_000;
/** pgbench's hold ceiling: enough seats for this rate. */
const CEILING_HOLDS_MAX_RPS = 10_000;
/** Contention: fans of one date, half of whom go for the same few seats. */
const CONTENDED_SEATS = 5_000;
const HOT_SEATS = 20;
const CONTENDERS = 2_000;
const RACERS = 200;
const PAUSE_BETWEEN_RACES_MS = 500;

/** 409s a contested hold may correctly answer (BUSY: a lock conflict, safe to retry). */
const REFUSALS = new Set(['SEAT_UNAVAILABLE', 'HOLD_LIMIT', 'PURCHASE_LIMIT', 'BUSY']);
const reasonOf = (res: HttpResponse) => /"reason":"([A-Z_]+)"/.exec(res.text)?.[1];
const holdOutcome = (res: HttpResponse): Outcome => {
  if (res.status === 200) return 'ok';
  const reason = reasonOf(res);
  return res.status === 409 && reason && REFUSALS.has(reason) ? 'refused' : 'error';
};

export async function runHolds(bench: Bench): Promise<void> {
  const { o } = bench;
  const url = await bench.cluster.database('bench_holds');
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const distinctCount = DISTINCT_HOLDS_MAX_RPS * (o.warmup + o.duration);
  const racers = RACERS * o.races;
  const active = CONTENDERS + distinctCount + racers;
  try {
    // One sale whose cap admits every fixture fan at once (the cap is not what these rows measure).
    const hall = await makeHall(sql, 3, 0, undefined, { maxActive: active });
    const [contended, distinct, raceSeats] = await Promise.all([
      seatsOf(sql, hall.concertId, 0, CONTENDED_SEATS),
      seatsOf(sql, hall.concertId, 1, distinctCount),
      seatsOf(sql, hall.concertId, 2, o.races),
    ]);
    const contenders = await makeUsers(sql, CONTENDERS);
    const distinctFans = await makeUsers(sql, distinctCount);
    const racerFans = await makeUsers(sql, racers);
    await giveTokens(sql, [...contenders, ...distinctFans, ...racerFans], 'active', hall.concertId);
    await sql`VACUUM (ANALYZE)`;

    const app = await startApp('custom', url);
    try {
      const refusals: Record<string, number> = {};
      const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;
      const contendedRow = await runLoad({
        scenario: '4. seat contention (holds)',
        url: app.url,
        connections: o.connections,
        duration: o.duration,
        warmup: o.warmup,
        classify: (res) => {
          const outcome = holdOutcome(res);
          if (outcome === 'refused') refusals[reasonOf(res)!] = (refusals[reasonOf(res)!] ?? 0) + 1;
          return outcome;
        },
        task: async (send) => {
          const seatId = Math.random() < 0.5 ? pick(contended.slice(0, HOT_SEATS)) : pick(contended);
          await send(trpcPost('reservation.hold', { seatId }, { cookie: pick(contenders).cookie }));
          return true;
        },
        note: `req/s = seats held; refused/s = correct 409s (${[...REFUSALS].join('/')}); ${CONTENDERS} fans, half on ${HOT_SEATS} of ${CONTENDED_SEATS} seats`,
      });
      addRow(bench, contendedRow);
      bench.facts.contentionRefusals = refusals;

      const nextHold = once(distinctFans.map((fan, i) => ({ fan, seatId: distinct[i]! })));
      const distinctRow = await runLoad({
        scenario: '4. holds of distinct free seats',
        url: app.url,
        connections: o.connections,
        duration: o.duration,
        warmup: o.warmup,
        task: async (send) => {
          const next = nextHold();
          if (!next) return false;
          await send(trpcPost('reservation.hold', { seatId: next.seatId }, { cookie: next.fan.cookie }));
          return true;
        },
        note: 'each a different fan and a free seat',
      });
      const holdCeiling = await holdCeilings(bench);
      addRow(bench, holdCeiling ? ratio(bench, distinctRow, 'db-hold') : distinctRow);
      bench.targets.push({
        target: 'holds ≥ 2.5x the peer (≥ ~400/s of distinct seats)',
        measured: `${distinctRow.rps.toLocaleString('en-US')}/s`,
        met: distinctRow.rps >= 400,
      });

      await race(bench, app.url, racerFans, raceSeats);
    } finally {
      await app.stop();
    }
  } finally {
    await sql.end();
  }
}

/** Seat ids of one date (the `date`-th of the concert), made now: `count` of them. */
async function seatsOf(sql: postgres.Sql, concertId: number, date: number, count: number): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    INSERT INTO seats (schedule_id, section, row, number, price)
    SELECT (SELECT id FROM schedules WHERE concert_id = ${concertId} ORDER BY starts_at OFFSET ${date} LIMIT 1),
           'R', 'R' || ((g - 1) / 50 + 1), (g - 1) % 50 + 1, 100000
    FROM generate_series(1, ${count}::int) g RETURNING id`;
  return rows.map((r) => r.id);
}

/**
 * The least SQL of a hold (lock the seat NOWAIT, insert its order, insert the reservation, commit),
 * each a different free seat, at the app's pool size and at the HTTP rows' concurrency.
 */
async function holdCeilings(bench: Bench): Promise<boolean> {
  if (!pgbenchAvailable()) {
    bench.log('  pgbench not installed: no database ceiling for holds');
    return false;
  }
  const { o } = bench;
  const url = await bench.cluster.database('bench_db_hold');
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const users = 1_000;
  try {
    const runs = [DEFAULT_POOL, o.connections].filter((c, i, all) => all.indexOf(c) === i);
    const hall = await makeHall(sql, 1, CEILING_HOLDS_MAX_RPS * (o.warmup + o.duration) * runs.length);
    await makeUsers(sql, users, 0, { numbered: true });
    await sql.unsafe(`CREATE SEQUENCE bench_next_seat START ${hall[0]!.reduce((a, b) => Math.min(a, b))}`);
    await sql`VACUUM (ANALYZE)`;
    const script = `\\set u random(1, ${users})
BEGIN;
SELECT id AS seat, schedule_id AS date, price FROM seats WHERE id = (SELECT nextval('bench_next_seat')::int) FOR UPDATE NOWAIT \\gset
INSERT INTO orders (user_id, schedule_id, total, held_until) VALUES (${NUMBERED_USER_SQL(':u')}, :date, :price, now() + interval '5 minutes') RETURNING id AS order_id \\gset
INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, held_until) VALUES (${NUMBERED_USER_SQL(':u')}, :order_id, :seat, :date, :price, now() + interval '5 minutes');
END;
`;
    for (const clients of runs) {
      const row = addRow(
        bench,
        await pgbench({
          scenario: `1. ceiling: hold SQL, ${clients} connections`,
          url,
          script,
          clients,
          duration: o.duration,
          warmup: o.warmup,
          note: 'lock seat NOWAIT, insert order and reservation, commit',
        }),
      );
      if (clients === DEFAULT_POOL) bench.ceilings.set('db-hold', row.rps);
    }
    return true;
  } finally {
    await sql.end();
  }
}

/** `o.races` races: each a fresh client with 200 new connections, 200 fans clicking one seat at once. */
async function race(bench: Bench, url: string, racers: BenchUser[], seats: number[]): Promise<void> {
  const times: number[] = [];
  const winners: number[] = [];
  let errors = 0;
  for (let r = 0; r < bench.o.races; r++) {
    const fans = racers.slice(r * RACERS, (r + 1) * RACERS);
    const pool = httpPool(url, RACERS);
    const t0 = performance.now();
    const answers = await Promise.all(
      fans.map((fan) =>
        send(pool, trpcPost('reservation.hold', { seatId: seats[r]! }, new CookieJar(fan.cookie).header())).catch(() => undefined),
      ),
    );
    times.push(performance.now() - t0);
    await pool.close();
    winners.push(answers.filter((a) => a?.status === 200).length);
    errors += answers.filter((a) => !a || (a.status !== 200 && holdOutcome(a) !== 'refused')).length;
    await sleep(PAUSE_BETWEEN_RACES_MS);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const range = `${Math.round(sorted[0]!)}–${Math.round(sorted.at(-1)!)} ms`;
  bench.facts.race = { races: times.length, racers: RACERS, winners, msEach: times.map(Math.round), medianMs: Math.round(median) };
  bench.rows.push({
    scenario: `4. 200-way race for one seat (${times.length} races)`,
    rps: Number.NaN,
    p50: median,
    p95: Number.NaN,
    p99: Number.NaN,
    errors,
    requests: RACERS * times.length,
    seconds: sorted.reduce((a, b) => a + b, 0) / 1000,
    note: `time until all 200 answered: median ${Math.round(median)} ms, range ${range}; winners ${winners.join(',')}; fresh client, 200 new connections each`,
  });
  bench.log(`  race: median ${Math.round(median)} ms, ${range}, winners ${winners.join(',')}`);
  if (winners.some((w) => w !== 1)) bench.breaches.push(`a 200-way race had other than one winner: ${winners.join(', ')}`);
  bench.targets.push({
    target: '200-way race from a cold client < 400 ms, exactly one winner',
    measured: `median ${Math.round(median)} ms (${range}), winners ${winners.join(',')}`,
    met: median < 400 && winners.every((w) => w === 1),
  });
}
