/**
 * `npm run bench`: builds the production server, starts it on fresh databases (an embedded
 * PostgreSQL), loads it from this process over loopback, and prints one table.
 *
 *   npm run bench -- [--scenarios ceilings,polling,joining,contention,payment,drop,line]
 *                    [--duration 10] [--connections 50] [--fans 10000] [--seats 1000]
 *                    [--smoke] [--no-build] [--json results.json]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { Pool } from 'undici';
import { connect } from '../db/client';
import { freePort } from '../db/embedded';
import { parseEnv } from '../server/env';
import { DomainError } from '../server/errors';
import { pay, paymentReplay } from '../server/payment/service';
import { requireActiveToken } from '../server/queue/service';
import { holdSeat } from '../server/reservation/service';
import { ticketDrop, type DropReport } from './drop';
import { fillLine, giveTokens, makeHall, makeHolds, makeUsers, type BenchUser } from './fixtures';
import { cycle, rowFrom, runLoad, type Row } from './http-load';
import { BENCH_SECRET, startApp, startCluster, type AppServer, type Cluster } from './servers';

const ALL = ['ceilings', 'polling', 'joining', 'contention', 'payment', 'drop', 'line'] as const;
type Scenario = (typeof ALL)[number];

const { values: args } = parseArgs({
  options: {
    scenarios: { type: 'string', default: ALL.join(',') },
    duration: { type: 'string' },
    connections: { type: 'string', default: '50' },
    fans: { type: 'string' },
    seats: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const smoke = args.smoke;
const duration = Number(args.duration ?? (smoke ? 2 : 10));
const connections = Number(args.connections);
const fans = Number(args.fans ?? (smoke ? 300 : 10_000));
const seatCount = Number(args.seats ?? (smoke ? 60 : 1_000));
const lineSizes = smoke ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];
const scenarios = new Set(args.scenarios!.split(',').map((s) => s.trim()) as Scenario[]);
for (const s of scenarios) if (!ALL.includes(s)) throw new Error(`unknown scenario ${s}; choose from ${ALL.join(', ')}`);

/** The server pool size; the database ceilings use the same. */
const POOL = 20;
const DEFAULT_MAX_ACTIVE = parseEnv({}).QUEUE_MAX_ACTIVE;
/** Enough admitted users at once for the contention and payment scenarios. */
const WIDE_ENV = { QUEUE_MAX_ACTIVE: '1000000' };

const rows: Row[] = [];
const ceilings = new Map<string, number>();
const facts: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`${line}\n`);

const get = (path: string, cookie?: string) => ({ method: 'GET' as const, path, headers: cookie ? { cookie } : {} });
const post = (path: string, body: unknown, cookie?: string) => ({
  method: 'POST' as const,
  path,
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
  body: JSON.stringify(body),
});

function ratio(row: Row, of: string) {
  const ceiling = ceilings.get(of);
  if (ceiling) row.ratio = { value: row.rps / ceiling, of };
  return row;
}

/** Runs jobs straight through the services (drizzle over postgres.js), `concurrency` at a time. */
async function serviceLoad(
  scenario: string,
  concurrency: number,
  nextJob: () => (() => Promise<unknown>) | undefined,
  seconds?: number,
): Promise<Row> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = seconds ? started + seconds * 1000 : Infinity;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let job = nextJob(); job && performance.now() < until; job = nextJob()) {
        const t0 = performance.now();
        await job().catch((e: unknown) => {
          if (!(e instanceof DomainError) || e.reason === 'UNAVAILABLE') errors++;
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return rowFrom(scenario, latencies, (performance.now() - started) / 1000, errors);
}

async function bareNodeServer(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, [
    '-e',
    `require('http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"ok":true}'); }).listen(${port})`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 50));
  return { url, stop: () => child.kill() };
}

async function runCeilings(cluster: Cluster) {
  const bare = await bareNodeServer();
  rows.push(await runLoad({ scenario: '1. ceiling: bare Node http', url: bare.url, connections, duration, requests: [get('/')] }));
  ceilings.set('node', rows.at(-1)!.rps);
  bare.stop();

  const next = await startApp('next', await cluster.database('bench_next'));
  rows.push(
    await runLoad({
      scenario: '1. ceiling: Next route handler, constant',
      url: next.url,
      connections,
      duration,
      requests: [get('/api/ping')],
    }),
  );
  rows.push(
    await runLoad({
      scenario: '1. ceiling: tRPC ping via Next route handler',
      url: next.url,
      connections,
      duration,
      requests: [get('/api/trpc/health.ping')],
    }),
  );
  ceilings.set('trpc-next', rows.at(-1)!.rps);
  await next.stop();
}

async function runWithMainServer(cluster: Cluster) {
  const url = await cluster.database('bench_main');
  const app = await startApp('custom', url);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  try {
    if (scenarios.has('ceilings')) {
      rows.push(
        ratio(
          await runLoad({
            scenario: '1. ceiling: tRPC ping via npm start (Node adapter)',
            url: app.url,
            connections,
            duration,
            requests: [get('/api/trpc/health.ping')],
          }),
          'trpc-next',
        ),
      );
      ceilings.set('trpc-node', rows.at(-1)!.rps);
      rows.at(-1)!.note = 'ratio: × the Next route handler';
    }
    if (scenarios.has('polling')) {
      // The line as on sale day: every slot taken, thousands waiting, each polling with its own token.
      await giveTokens(sql, await makeUsers(sql, DEFAULT_MAX_ACTIVE), 'active');
      const waiting = await makeUsers(sql, smoke ? 1_000 : 10_000);
      await giveTokens(sql, waiting, 'waiting');
      const next = cycle(waiting);
      rows.push(
        ratio(
          await runLoad({
            scenario: '2. status polling',
            url: app.url,
            connections,
            duration,
            requests: [
              { method: 'GET', path: '/api/trpc/queue.status', setupRequest: (req) => ({ ...req, headers: { cookie: next().cookie } }) },
            ],
            note: `${waiting.length} distinct waiting tokens`,
          }),
          'trpc-node',
        ),
      );
    }
    if (scenarios.has('joining')) {
      rows.push(
        ratio(
          await runLoad({
            scenario: '3. joining (session.start + queue.issue)',
            url: app.url,
            connections,
            duration,
            requests: [
              {
                ...post('/api/trpc/session.start', {}),
                onResponse: (_s, _b, context, headers) =>
                  void ((context as { cookie?: string }).cookie = String(headers?.['set-cookie']).split(';')[0]),
              },
              {
                method: 'POST',
                path: '/api/trpc/queue.issue',
                setupRequest: (req, context) => ({
                  ...req,
                  headers: { 'content-type': 'application/json', cookie: String((context as { cookie?: string }).cookie) },
                  body: '{}',
                }),
              },
            ],
            note: 'requests/s counts both calls',
          }),
          'trpc-node',
        ),
      );
    }
  } finally {
    await sql.end();
    await app.stop();
  }
}

async function runWide(cluster: Cluster) {
  const url = await cluster.database('bench_wide');
  const app = await startApp('custom', url, WIDE_ENV);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const direct = connect(url, { max: POOL });
  const config = parseEnv({ NODE_ENV: 'production', SESSION_SECRET: BENCH_SECRET, OPERATOR_PASSWORD: BENCH_SECRET, ...WIDE_ENV });
  try {
    if (scenarios.has('contention')) {
      // Many people, one date each run, half of them going for the same 20 seats.
      const [ceilingDate, httpDate, raceDate] = await makeHall(sql, 3, smoke ? 200 : 500);
      const pickSeat = (seats: number[]) =>
        Math.random() < 0.5 ? seats[Math.floor(Math.random() * 20)]! : seats[Math.floor(Math.random() * seats.length)]!;
      const ceilingUsers = await makeUsers(sql, 1_000);
      const httpUsers = await makeUsers(sql, 1_000);
      await giveTokens(sql, [...ceilingUsers, ...httpUsers], 'active');
      const pick = (users: BenchUser[]) => users[Math.floor(Math.random() * users.length)]!;

      rows.push(
        await serviceLoad(
          '1. ceiling: hold SQL via postgres.js',
          connections,
          () => {
            const u = pick(ceilingUsers);
            const seatId = pickSeat(ceilingDate!);
            return async () =>
              holdSeat(direct.db, config, {
                userId: u.userId,
                token: await requireActiveToken(direct.db, config, { userId: u.userId, token: u.token }),
                seatId,
              });
          },
          duration,
        ),
      );
      ceilings.set('db-hold', rows.at(-1)!.rps);
      rows.push(
        ratio(
          await runLoad({
            scenario: '4. seat contention (holds)',
            url: app.url,
            connections,
            duration,
            ok: (s) => s === 200 || s === 409,
            requests: [
              {
                ...post('/api/trpc/reservation.hold', {}),
                setupRequest: (req) => ({
                  ...req,
                  headers: { ...req.headers, cookie: pick(httpUsers).cookie },
                  body: JSON.stringify({ seatId: pickSeat(httpDate!) }),
                }),
              },
            ],
            note: '409 SEAT_UNAVAILABLE/HOLD_LIMIT are correct answers',
          }),
          'db-hold',
        ),
      );

      // 200 people click the same seat at the same moment.
      const racers = await makeUsers(sql, 200);
      await giveTokens(sql, racers, 'active');
      const pool = new Pool(app.url, { connections: 200 });
      const t0 = performance.now();
      const statuses = await Promise.all(
        racers.map((u) =>
          pool
            .request({ ...post('/api/trpc/reservation.hold', { seatId: raceDate![0] }, u.cookie) })
            .then(async (r) => (await r.body.text(), r.statusCode)),
        ),
      );
      const raceMs = performance.now() - t0;
      await pool.close();
      facts.race = {
        racers: 200,
        winners: statuses.filter((s) => s === 200).length,
        refused: statuses.filter((s) => s === 409).length,
        ms: Math.round(raceMs),
      };
      rows.push({
        ...rowFrom('4. 200-way race for one seat', [raceMs], raceMs / 1000, statuses.filter((s) => s !== 200 && s !== 409).length),
        rps: 200,
        requests: 200,
        note: `${statuses.filter((s) => s === 200).length} winner, settled in ${Math.round(raceMs)} ms`,
      });
    }
    if (scenarios.has('payment')) {
      const perRun = smoke ? 300 : 3_000;
      const [ceilingSeats, httpSeats] = await makeHall(sql, 2, perRun);
      const ceilingUsers = await makeUsers(sql, perRun, 100_000);
      const httpUsers = await makeUsers(sql, perRun, 100_000);
      await giveTokens(sql, [...ceilingUsers, ...httpUsers], 'active');
      await makeHolds(sql, ceilingUsers, ceilingSeats!);
      await makeHolds(sql, httpUsers, httpSeats!);

      const queue = [...ceilingUsers] as (BenchUser & { reservationId?: number })[];
      rows.push(
        await serviceLoad('1. ceiling: payment SQL via postgres.js', connections, () => {
          const u = queue.pop();
          return (
            u &&
            (async () => {
              // What payment.pay runs: the replay look-up and the active-turn check of its rung, then the payment.
              const asked = { userId: u.userId, reservationId: u.reservationId! };
              const replay = await paymentReplay(direct.db, asked);
              if (replay) return replay;
              await requireActiveToken(direct.db, config, { userId: u.userId, token: u.token });
              return pay(direct.db, config, asked);
            })
          );
        }),
      );
      ceilings.set('db-pay', rows.at(-1)!.rps);
      const next = cycle(httpUsers as (BenchUser & { reservationId?: number })[]);
      rows.push(
        ratio(
          await runLoad({
            scenario: '5. payment',
            url: app.url,
            connections,
            amount: httpUsers.length,
            requests: [
              {
                ...post('/api/trpc/payment.pay', {}),
                setupRequest: (req) => {
                  const u = next();
                  return {
                    ...req,
                    headers: { ...req.headers, cookie: u.cookie },
                    body: JSON.stringify({ reservationId: u.reservationId }),
                  };
                },
              },
            ],
            note: `${httpUsers.length} holds paid once each`,
          }),
          'db-pay',
        ),
      );
    }
  } finally {
    await direct.close();
    await sql.end();
    await app.stop();
  }
}

async function runDrop(cluster: Cluster): Promise<DropReport> {
  const url = await cluster.database('bench_drop');
  const app = await startApp('custom', url);
  try {
    return await ticketDrop({
      url: app.url,
      databaseUrl: url,
      serverPid: app.pid,
      fans,
      seats: seatCount,
      dates: 4,
      connections: Math.max(connections, 100),
      maxSeconds: smoke ? 60 : 300,
      maxActive: DEFAULT_MAX_ACTIVE,
    });
  } finally {
    await app.stop();
  }
}

async function runLine(cluster: Cluster) {
  const url = await cluster.database('bench_line');
  const app: AppServer = await startApp('custom', url);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const PROBES = 300;
  const LATENCY_CONNECTIONS = 10;
  try {
    await giveTokens(sql, await makeUsers(sql, DEFAULT_MAX_ACTIVE), 'active');
    let inLine = 0;
    const p50s: Record<number, { status: number; issue: number }> = {};
    for (const size of lineSizes) {
      log(`  filling the line to ${size.toLocaleString()} …`);
      await fillLine(sql, size - inLine - PROBES);
      const probes = await makeUsers(sql, PROBES);
      await giveTokens(sql, probes, 'waiting'); // at the back of the line
      inLine = size;
      // Let the fill settle (no autovacuum or checkpoint running under the measurement).
      await sql`VACUUM (ANALYZE) queue_tokens, users`;
      await sql`CHECKPOINT`;
      const next = cycle(probes);
      const status = await runLoad({
        scenario: `7. status, ${size.toLocaleString()} in line`,
        url: app.url,
        connections: LATENCY_CONNECTIONS,
        duration: Math.max(2, Math.round(duration / 2)),
        requests: [
          { method: 'GET', path: '/api/trpc/queue.status', setupRequest: (req) => ({ ...req, headers: { cookie: next().cookie } }) },
        ],
      });
      const joiners = await makeUsers(sql, PROBES);
      inLine += PROBES;
      const nextJoiner = cycle(joiners);
      const issue = await runLoad({
        scenario: `7. issue, ${size.toLocaleString()} in line`,
        url: app.url,
        connections: LATENCY_CONNECTIONS,
        amount: PROBES,
        requests: [
          {
            ...post('/api/trpc/queue.issue', {}),
            setupRequest: (req) => ({ ...req, headers: { ...req.headers, cookie: nextJoiner().cookie } }),
          },
        ],
      });
      rows.push(status, issue);
      p50s[size] = { status: status.p50, issue: issue.p50 };
    }
    const [first, last] = [p50s[lineSizes[0]!]!, p50s[lineSizes.at(-1)!]!];
    facts.lineLength = { p50s, statusRatio: +(last.status / first.status).toFixed(2), issueRatio: +(last.issue / first.issue).toFixed(2) };
  } finally {
    await sql.end();
    await app.stop();
  }
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

function printTable() {
  const header = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'vs ceiling', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    r.rps.toLocaleString('en-US'),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    String(r.errors),
    r.ratio
      ? r.ratio.of === 'trpc-next'
        ? `${r.ratio.value.toFixed(1)}× ${r.ratio.of}`
        : `${Math.round(r.ratio.value * 100)}% of ${r.ratio.of}`
      : '',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 1 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 1 && i <= 5 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const b of body) console.log(line(b));
}

async function main() {
  if (!args['no-build']) {
    log('Building the production server …');
    execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
  const cluster = await startCluster();
  // Ctrl-C stops the database too (servers are children and die with this process).
  process.once('SIGINT', () => void cluster.stop().finally(() => process.exit(130)));
  try {
    if (scenarios.has('ceilings')) {
      log('Scenario 1: ceilings …');
      await runCeilings(cluster);
    }
    if (['ceilings', 'polling', 'joining'].some((s) => scenarios.has(s as Scenario))) {
      log('Scenarios 2–3: polling and joining …');
      await runWithMainServer(cluster);
    }
    if (scenarios.has('contention') || scenarios.has('payment')) {
      log('Scenarios 4–5: seat contention and payment …');
      await runWide(cluster);
    }
    if (scenarios.has('drop')) {
      log(`Scenario 6: ticket drop (${fans} fans, ${seatCount} seats) …`);
      const drop = await runDrop(cluster);
      rows.push(drop.row);
      facts.drop = { ...drop, row: undefined, invariantBreaches: drop.invariants.filter((i) => i.breaches.length).map((i) => i.name) };
      delete (facts.drop as { invariants?: unknown }).invariants;
    }
    if (scenarios.has('line')) {
      log('Scenario 7: line length …');
      await runLine(cluster);
    }
  } finally {
    await cluster.stop();
  }

  printTable();
  console.log();
  for (const [name, value] of Object.entries(facts)) console.log(`${name}: ${JSON.stringify(value)}`);
  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          options: { duration, connections, fans, seats: seatCount, smoke },
          rows,
          ceilings: Object.fromEntries(ceilings),
          facts,
        },
        null,
        2,
      ),
    );

  const drop = facts.drop as { invariantBreaches: string[]; sold: number } | undefined;
  const race = facts.race as { winners: number } | undefined;
  const failed = (drop && drop.invariantBreaches.length > 0) || (race && race.winners !== 1) || rows.some((r) => r.errors > 0);
  if (failed) console.error('bench: a correctness check failed (see errors, race winners, invariants above)');
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
