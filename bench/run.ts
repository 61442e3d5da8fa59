/**
 * `npm run bench`: builds the production server, starts it on fresh databases (an embedded
 * PostgreSQL), loads it from this process over loopback, and prints one table and the issue's
 * targets. Exits 1 on a correctness breach: a server error, a race with other than one winner, a
 * broken invariant or admission order after the drop, a drop not sold out in its time.
 *
 *   npm run bench -- [--scenarios ceilings,polling,seats,joining,cores,contention,payment,drop,line,challenge,costs,drop100k]
 *                    [--duration 10] [--warmup 2] [--connections 50] [--fans 10000] [--seats 1000]
 *                    [--drop-seconds 60] [--races 7] [--drop100k-fans 100000] [--drop100k-seats 10000]
 *                    [--drop100k-seconds 300] [--drop100k-pollers fans/50] [--smoke] [--no-build] [--json results.json] [--pooler]
 *
 * `--pooler` then measures the main rows (ping, polling, seat map, joining, holds, payments) again
 * with every app reaching PostgreSQL through PgBouncer in transaction mode (server/testing/pgbouncer.ts,
 * DATABASE_POOLER=transaction), printed beside the direct rows with " · PgBouncer" in their names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_ACTIVE, DEFAULT_POOL, type Bench, type Options } from './context';
import { pgbenchAvailable } from './pgbench';
import { table, targets } from './report';
import { runCeilings } from './scenarios/ceilings';
import { runChallenge } from './scenarios/challenge';
import { runCosts } from './scenarios/costs';
import { runDrop } from './scenarios/drop';
import { runDrop100k, type Drop100kSize } from './scenarios/drop100k';
import { runFrontline } from './scenarios/frontline';
import { runHolds } from './scenarios/holds';
import { runLine } from './scenarios/line';
import { runPayment } from './scenarios/payment';
import { startPgBouncer } from '@/server/testing/pgbouncer';
import { routeAppsThrough, startCluster } from './servers';

const ALL = [
  'ceilings',
  'polling',
  'seats',
  'joining',
  'cores',
  'contention',
  'payment',
  'drop',
  'line',
  'challenge',
  'costs',
  'drop100k',
] as const;
type Scenario = (typeof ALL)[number];

const { values: args } = parseArgs({
  options: {
    scenarios: { type: 'string', default: ALL.join(',') },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    fans: { type: 'string' },
    seats: { type: 'string' },
    'drop-seconds': { type: 'string', default: '60' },
    races: { type: 'string' },
    'drop100k-fans': { type: 'string' },
    'drop100k-seats': { type: 'string' },
    'drop100k-seconds': { type: 'string', default: '300' },
    'drop100k-pollers': { type: 'string' },
    smoke: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'string' },
    pooler: { type: 'boolean', default: false },
  },
});

const smoke = args.smoke!;
/** The smoke (CI): short runs and small sizes, every check still made. The drop keeps its time limit. */
const o: Options = {
  duration: Number(args.duration ?? (smoke ? 2 : 10)),
  warmup: Number(args.warmup ?? (smoke ? 1 : 2)),
  connections: Number(args.connections),
  fans: Number(args.fans ?? (smoke ? 300 : 10_000)),
  seats: Number(args.seats ?? (smoke ? 60 : 1_000)),
  dropSeconds: Number(args['drop-seconds']),
  races: Number(args.races ?? (smoke ? 3 : 7)),
  lineSizes: smoke ? [1_000, 10_000] : [1_000, 100_000, 1_000_000],
  pollers: smoke ? 1_000 : 10_000,
  smoke,
};
/** Issue 21 §4, 100,000 fans on one machine (smoke: 2,000 fans, 200 seats, every check still made). */
const drop100k: Drop100kSize = {
  fans: Number(args['drop100k-fans'] ?? (smoke ? 2_000 : 100_000)),
  seats: Number(args['drop100k-seats'] ?? (smoke ? 200 : 10_000)),
  seconds: Number(args['drop100k-seconds']),
  pollers: 0,
  leadSeconds: smoke ? 4 : 10,
  pollWindowSeconds: smoke ? 2 : 5,
};
drop100k.pollers = Number(args['drop100k-pollers'] ?? Math.max(1, Math.round(drop100k.fans / 50)));
const scenarios = new Set(args.scenarios!.split(',').map((s) => s.trim()) as Scenario[]);
for (const s of scenarios) if (!ALL.includes(s)) throw new Error(`unknown scenario ${s}; choose from ${ALL.join(', ')}`);
const has = (...names: Scenario[]) => names.some((n) => scenarios.has(n));

async function main() {
  if (!args['no-build']) {
    process.stderr.write('Building the production server …\n');
    execFileSync(process.execPath, ['node_modules/.bin/tsx', 'scripts/build.ts', '--compile-only'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
  const cluster = await startCluster();
  // Ctrl-C stops the database too (servers are children and die with this process).
  process.once('SIGINT', () => void cluster.stop().finally(() => process.exit(130)));
  const bench: Bench = {
    o,
    cluster,
    rows: [],
    facts: {},
    ceilings: new Map(),
    targets: [],
    breaches: [],
    log: (line) => process.stderr.write(`${line}\n`),
  };
  if (!pgbenchAvailable())
    bench.facts.databaseCeilings = 'not measured: pgbench is not installed (Debian: postgresql-15 or postgresql-client)';
  try {
    if (has('ceilings')) {
      bench.log('Ceilings: bare Node, the Next route handler …');
      await runCeilings(bench);
    }
    // The framework ceiling (tRPC ping via npm start) is measured with these; every API row is compared with it.
    bench.log('Polling, seat map, joining, cores …');
    await runFrontline(bench, { polling: has('polling'), seats: has('seats'), joining: has('joining'), cores: has('cores') });
    if (has('contention')) {
      bench.log('Holds: contention, distinct seats, the 200-way race …');
      await runHolds(bench);
    }
    if (has('payment')) {
      bench.log('Payments …');
      await runPayment(bench);
    }
    if (has('drop')) {
      bench.log(`Ticket drop (${o.fans} fans, ${o.seats} seats, ${o.dropSeconds} s) …`);
      await runDrop(bench);
    }
    if (has('line')) {
      bench.log('Line length …');
      await runLine(bench);
    }
    if (has('drop100k')) {
      bench.log(`100k drop (${drop100k.fans} fans in the pre-queue, ${drop100k.seats} seats, ${drop100k.seconds} s) …`);
      await runDrop100k(bench, drop100k);
    }
    if (has('challenge')) {
      bench.log('The join challenge: Chromium, the server, a script …');
      await runChallenge(bench);
    }
    if (has('costs')) {
      bench.log('What each operation costs (one app process; CPU of the app and of PostgreSQL, statements, commits) …');
      await runCosts(bench);
    }
    if (args.pooler) await throughPooler(bench, has);
  } finally {
    await cluster.stop();
  }

  const serverErrors = bench.rows.filter((r) => r.errors > 0).map((r) => `${r.scenario}: ${r.errors} errors`);
  const breaches = [...serverErrors, ...bench.breaches];
  console.log(
    `Run of ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${o.connections} connections, ` +
      `${o.duration} s measured after ${o.warmup} s warm-up; server at its defaults (pool ${DEFAULT_POOL}, QUEUE_MAX_ACTIVE ${DEFAULT_MAX_ACTIVE}, WEB_CONCURRENCY unset)${smoke ? '; SMOKE sizes' : ''}.`,
  );
  console.log();
  for (const line of table(bench.rows)) console.log(line);
  console.log();
  for (const line of targets(bench.targets)) console.log(line);
  console.log();
  for (const [name, value] of Object.entries(bench.facts)) console.log(`${name}: ${JSON.stringify(value)}`);
  if (args.json)
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          options: o,
          rows: bench.rows,
          ceilings: Object.fromEntries(bench.ceilings),
          targets: bench.targets,
          facts: bench.facts,
          breaches,
        },
        null,
        2,
      ),
    );
  if (breaches.length > 0) {
    console.error(`\nbench: correctness breached:\n- ${breaches.join('\n- ')}`);
    process.exit(1);
  }
  process.exit(0);
}

/** The main rows again, every app reaching the database through PgBouncer in transaction mode. */
async function throughPooler(bench: Bench, has: (...names: Scenario[]) => boolean) {
  bench.log('Through PgBouncer (transaction mode): polling, seat map, joining, holds, payments …');
  const pgbouncer = await startPgBouncer(bench.cluster.server.url, { mode: 'transaction' });
  const targetsBefore = bench.targets.length;
  const directFacts = { ...bench.facts };
  routeAppsThrough(pgbouncer);
  bench.label = ' · PgBouncer';
  try {
    await runFrontline(bench, { polling: has('polling'), seats: has('seats'), joining: has('joining'), cores: false });
    if (has('contention')) await runHolds(bench);
    if (has('payment')) await runPayment(bench);
  } finally {
    routeAppsThrough(undefined);
    bench.label = undefined;
    await pgbouncer.stop();
  }
  for (const target of bench.targets.slice(targetsBefore)) target.target = `(PgBouncer) ${target.target}`;
  bench.facts = { ...directFacts, pooler: Object.fromEntries(Object.entries(bench.facts).filter(([k, v]) => directFacts[k] !== v)) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
