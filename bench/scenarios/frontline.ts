import postgres from 'postgres';
import { addRow, DEFAULT_MAX_ACTIVE, DEFAULT_POOL, ratio, type Bench } from '@/bench/context';
import { DatabaseActivity, perCall, type Activity } from '@/bench/db-activity';
import { giveTokens, makeHall, makeHolds, makeUsers, type BenchUser } from '@/bench/fixtures';
import { CookieJar, httpPool, send, trpcGet, trpcPost } from '@/bench/http';
import { cycle, once, runLoad, type Row } from '@/bench/http-load';
import { pgbench, pgbenchAvailable } from '@/bench/pgbench';
import { rssSampler, startApp } from '@/bench/servers';

/**
 * What every fan does most: the framework's own ceiling (tRPC health.ping via npm start), waiting
 * fans polling their place, admitted fans reading a date's seat map, and new fans joining. With
 * `cores`, the same rows again with one worker (WEB_CONCURRENCY=1) against the default (one per core).
 */

const DATABASE = 'bench_main';
/** The seat map of one date, and how much of it is taken. */
const MAP_SEATS = 1_000;
const MAP_HELD = 200;
/** Seconds of an idle server whose database work is taken away from the polls' (its own timers, autovacuum). */
const QUIET_SECONDS = 3;
/** The naive peer's best figures in issue 21's sittings (one process, 50 connections): token issue, and status at 1,000 waiting. */
const PEER_TOKEN_ISSUE_RPS = 360;
const PEER_STATUS_RPS = 1_464;

export interface FrontlineParts {
  polling: boolean;
  seats: boolean;
  joining: boolean;
  cores: boolean;
}

export async function runFrontline(bench: Bench, parts: FrontlineParts): Promise<void> {
  const { o } = bench;
  const url = await bench.cluster.database(DATABASE);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const activity = new DatabaseActivity(bench.cluster, DATABASE);
  try {
    // The line as on sale day: every slot taken (the admitted fans read the map), thousands waiting behind.
    const hall = await makeHall(sql, 1, MAP_SEATS);
    const [mapSeats] = hall;
    const admitted = await makeUsers(sql, DEFAULT_MAX_ACTIVE);
    await giveTokens(sql, admitted, 'active', hall.concertId);
    await makeHolds(sql, await makeUsers(sql, MAP_HELD), mapSeats!.slice(-MAP_HELD));
    const waiting = await makeUsers(sql, o.pollers);
    await giveTokens(sql, waiting, 'waiting', hall.concertId);
    const joinLine = await makeHall(sql, 1, 1);
    await sql`VACUUM (ANALYZE)`;
    const [scheduleRow] = await sql<{ id: number }[]>`SELECT schedule_id AS id FROM seats WHERE id = ${mapSeats![0]!}`;
    const fixtures: Fixtures = {
      concertId: hall.concertId,
      scheduleId: scheduleRow!.id,
      pollers: waiting.map((u) => new CookieJar(u.cookie)),
      readers: admitted.map((u: BenchUser) => new CookieJar(u.cookie)),
      seenNow: async () =>
        void (await sql`UPDATE queue_tokens SET last_seen_at = now() WHERE concert_id = ${hall.concertId} AND status = 'waiting'`),
    };

    const all = await measureServer(bench, activity, url, fixtures, parts, {});
    if (parts.joining) {
      const app = await startApp('custom', url);
      try {
        const joins = addRow(bench, ratio(bench, await joining(bench, app.url, joinLine.concertId), 'trpc-node'));
        // A join is two calls (the row counts both); the peer's token issue was one call that also made the user.
        bench.targets.push({
          target: `token issue ≥ 2x the peer (≥ ${PEER_TOKEN_ISSUE_RPS * 2}/s joins: peer ${PEER_TOKEN_ISSUE_RPS}/s in issue 21's sitting)`,
          measured: `${Math.round(joins.rps / 2).toLocaleString('en-US')} joins/s (${joins.rps.toLocaleString('en-US')} calls/s)`,
          met: joins.rps / 2 >= PEER_TOKEN_ISSUE_RPS * 2,
        });
      } finally {
        await app.stop();
      }
    }
    if (parts.cores) {
      const one = await measureServer(bench, activity, url, fixtures, parts, { WEB_CONCURRENCY: '1' });
      for (const [name, row] of one.rows) {
        const base = all.rows.get(name);
        if (base) row.ratio = { value: row.rps / base.rps, of: 'all workers' };
      }
      const ping = [all.rows.get('ping'), one.rows.get('ping')];
      const oneWorkerStatus = one.rows.get('status');
      if (oneWorkerStatus)
        bench.targets.push({
          target: `status polling with 1 worker ≥ 2x the peer's (≥ ${(PEER_STATUS_RPS * 2).toLocaleString('en-US')}/s: peer ${PEER_STATUS_RPS.toLocaleString('en-US')}/s at 1,000 waiting)`,
          measured: `${oneWorkerStatus.rps.toLocaleString('en-US')}/s with ${fixtures.pollers.length.toLocaleString('en-US')} waiting`,
          met: oneWorkerStatus.rps >= PEER_STATUS_RPS * 2,
        });
      bench.facts.cores = {
        processesDefault: all.processes,
        processesOneWorker: one.processes,
        maxRssMbDefault: all.maxRssMb,
        maxRssMbOneWorker: one.maxRssMb,
        pingScaling: ping[0] && ping[1] ? +(ping[0].rps / ping[1].rps).toFixed(2) : null,
      };
      bench.targets.push({
        target: 'every core: npm start runs one worker per core (1 worker vs all)',
        measured: `${all.processes} processes by default; ping ${ping[1]?.rps ?? '?'}/s with 1 worker, ${ping[0]?.rps ?? '?'}/s with all (×${(bench.facts.cores as { pingScaling: number | null }).pingScaling ?? '?'})`,
        met: all.processes > 1 && (ping[0]?.rps ?? 0) > (ping[1]?.rps ?? 0) * 1.2,
      });
    }

    if (pgbenchAvailable()) {
      // Context for the HTTP rows: what the database alone does for them.
      const tokens = await sql<
        { lo: number; hi: number }[]
      >`SELECT min(id)::int AS lo, max(id)::int AS hi FROM queue_tokens WHERE concert_id = ${hall.concertId}`;
      if (parts.polling)
        addRow(
          bench,
          await pgbench({
            scenario: '1. ceiling: status SQL (one indexed read)',
            url,
            clients: DEFAULT_POOL,
            duration: o.duration,
            warmup: o.warmup,
            note: "the app's pool size of connections",
            script: `\\set n random(${tokens[0]!.lo}, ${tokens[0]!.hi})\nSELECT status, place FROM queue_tokens WHERE id = :n;\n`,
          }),
        );
      if (parts.seats)
        addRow(
          bench,
          await pgbench({
            scenario: '1. context: seat map SQL of one date, uncached',
            url,
            clients: DEFAULT_POOL,
            duration: o.duration,
            warmup: o.warmup,
            script: `SELECT s.id, s.section, s.row, s.number, s.price, r.status, r.user_id FROM seats s
  LEFT JOIN reservations r ON r.seat_id = s.id AND r.status IN ('held', 'confirmed') AND (r.status = 'confirmed' OR r.held_until > now())
  WHERE s.schedule_id = ${fixtures.scheduleId} ORDER BY s.id;\n`,
            note: `${MAP_SEATS} seats, the app's pool size of connections`,
          }),
        );
    }
  } finally {
    await activity.end();
    await sql.end();
  }
}

interface Fixtures {
  concertId: number;
  scheduleId: number;
  pollers: CookieJar[];
  readers: CookieJar[];
  /** Marks every waiting fan as seen now (as their polls would have). */
  seenNow: () => Promise<void>;
}

/** Every waiting fan polls once, `connections` at a time, and keeps the queue pass it is given. */
async function primeQueuePasses(url: string, f: Fixtures, connections: number) {
  const pool = httpPool(url, connections);
  const next = once(f.pollers);
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        for (let jar = next(); jar; jar = next())
          jar.from(await send(pool, trpcGet('queue.status', { concertId: f.concertId }, jar.header())));
      }),
    );
  } finally {
    await pool.close();
  }
}

/** Starts a server with `env`, measures ping, polling and the seat map against it, stops it. */
async function measureServer(
  bench: Bench,
  activity: DatabaseActivity,
  url: string,
  f: Fixtures,
  parts: FrontlineParts,
  env: Record<string, string>,
): Promise<{ rows: Map<string, Row>; processes: number; maxRssMb: number }> {
  const { o } = bench;
  const oneWorker = env.WEB_CONCURRENCY === '1';
  const app = await startApp('custom', url, env);
  const rss = rssSampler(app.pid);
  const rows = new Map<string, Row>();
  try {
    const ping = await runLoad({
      scenario: oneWorker ? '9. ping, 1 worker' : '1. ceiling: tRPC ping via npm start',
      url: app.url,
      connections: o.connections,
      duration: o.duration,
      warmup: o.warmup,
      task: async (send) => (await send(trpcGet('health.ping')), true),
      note: oneWorker ? undefined : 'the framework ceiling of every tRPC call',
    });
    rows.set('ping', addRow(bench, ping));
    if (!oneWorker) bench.ceilings.set('trpc-node', ping.rps);

    if (parts.polling) {
      // The fixtures write the waiting tokens straight into the database, so no fan has yet the queue
      // pass queue.issue would have given it: each polls once first (not measured), as after joining.
      // Every fan was last seen now (on a busy machine the fixtures and the rows before can take longer
      // than QUEUE_ABANDON_SECONDS: the places would be given up, and every poll read from the database).
      await f.seenNow();
      await primeQueuePasses(app.url, f, o.connections);
      const quiet = await activity.quietRate(QUIET_SECONDS);
      let before: Activity | undefined;
      let after: Activity | undefined;
      const next = cycle(f.pollers);
      const status = await runLoad({
        scenario: oneWorker ? '9. status polling, 1 worker' : '2. status polling',
        url: app.url,
        connections: o.connections,
        duration: o.duration,
        warmup: o.warmup,
        task: async (send) => {
          const jar = next();
          jar.from(await send(trpcGet('queue.status', { concertId: f.concertId }, jar.header())));
          return true;
        },
        window: { opened: async () => void (before = await activity.read()), closed: async () => void (after = await activity.read()) },
      });
      const per = perCall(before!, after!, status.requests, quiet);
      status.note = `${f.pollers.length.toLocaleString('en-US')} distinct waiting fans with their cookies and queue passes; per poll ${per.statements ?? '?'} statements, ${per.transactions} transactions`;
      rows.set('status', addRow(bench, oneWorker ? status : ratio(bench, status, 'trpc-node')));
      if (!oneWorker) {
        bench.facts.polling = { ...per, quietPerSecond: quiet, polls: status.requests };
        const share = status.rps / ping.rps;
        bench.targets.push(
          {
            target: 'polls without the database (statements per poll ≈ 0)',
            measured: `${per.statements ?? 'n/a'} statements, ${per.transactions} transactions per poll`,
            met: (per.statements ?? per.transactions) < 0.05,
          },
          {
            target: 'status ≥ 80% of the framework ceiling (tRPC ping via npm start)',
            measured: `${status.rps.toLocaleString('en-US')}/s = ${Math.round(share * 100)}% of ${ping.rps.toLocaleString('en-US')}/s`,
            met: share >= 0.8,
          },
        );
      }
    }

    if (parts.seats) {
      const next = cycle(f.readers);
      const seats = await runLoad({
        scenario: oneWorker ? '9. seat map, 1 worker' : '8. seat map of one date (concert.seats)',
        url: app.url,
        connections: o.connections,
        duration: o.duration,
        warmup: o.warmup,
        task: async (send) => {
          const jar = next();
          jar.from(await send(trpcGet('concert.seats', { scheduleId: f.scheduleId }, jar.header())));
          return true;
        },
        note: `${MAP_SEATS} seats, ${MAP_HELD} held; ${f.readers.length} admitted fans`,
      });
      rows.set('seats', addRow(bench, seats));
      if (!oneWorker)
        bench.targets.push({
          target: 'seat lists ≥ 5x today (≥ 2,040/s: 5 × 408)',
          measured: `${seats.rps.toLocaleString('en-US')}/s`,
          met: seats.rps >= 5 * 408,
        });
    }
  } finally {
    await app.stop();
  }
  const { maxMb, processes } = rss.stop();
  for (const row of rows.values()) row.note = [row.note, `${processes} process(es), max RSS ${maxMb} MB`].filter(Boolean).join('; ');
  return { rows, processes, maxRssMb: maxMb };
}

/** New fans: a session, then a place in the line (both calls counted). */
async function joining(bench: Bench, url: string, concertId: number): Promise<Row> {
  const { o } = bench;
  return runLoad({
    scenario: '3. joining (session.start + queue.issue)',
    url,
    connections: o.connections,
    duration: o.duration,
    warmup: o.warmup,
    task: async (send) => {
      const jar = new CookieJar();
      const started = await send(trpcPost('session.start', {}, jar.header()));
      // Shed (counted as refused), a fan has no session to join with: it starts again, as a browser would.
      if (started.status !== 200) return true;
      jar.from(started);
      jar.from(await send(trpcPost('queue.issue', { concertId }, jar.header())));
      return true;
    },
    note: 'requests/s counts both calls; a new user each',
  });
}
