import fs from 'node:fs';
import postgres from 'postgres';
import { type Bench } from '@/bench/context';
import { DatabaseActivity, perCall } from '@/bench/db-activity';
import { giveTokens, makeHall, makeHolds, makeUsers, type BenchUser } from '@/bench/fixtures';
import { CookieJar, httpPool, send, trpcGet, trpcPost, type Send } from '@/bench/http';
import { cycle, once, runLoad } from '@/bench/http-load';
import { processTree, startApp } from '@/bench/servers';
import { queuePassCookie } from '@/server/queue/queue-pass';

/**
 * What each operation costs, for capacity planning (docs/capacity.md): one app process
 * (WEB_CONCURRENCY=1) under a moderate load of one operation at a time, and per call: the app's CPU
 * (user + system time of its process, from /proc), PostgreSQL's CPU (every server process of the
 * cluster), and the statements and transactions (commits) it ran. CPU is measured, not inferred from
 * a rate: a call's cost is the same whether the process was saturated or not.
 */

const DATABASE = 'bench_costs';
const MAP_SEATS = 1_000;
const PRICE = 100_000;
/** Enough distinct fixtures for this many calls a second of each consuming operation. */
const MAX_RPS = 1_500;
/** Fewer connections than the throughput rows: the cost of a call, not the server's queueing. */
const CONNECTIONS = 20;
const CLOCK_TICKS_PER_SECOND = 100;

export interface OperationCost {
  operation: string;
  calls: number;
  appCpuMs: number;
  dbCpuMs: number;
  statements: number | null;
  transactions: number;
}

/** User + system CPU seconds of each process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
function cpuByPid(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND);
    } catch {
      // ended meanwhile
    }
  }
  return seconds;
}

/**
 * CPU seconds spent between two readings: by the processes alive at the second (a process started
 * meanwhile counts whole). A process that ended meanwhile is lost: the app's pool keeps its
 * connections, so its backends live through a window.
 */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** The PostgreSQL server processes of the cluster: those whose command line names its data directory, and their children. */
function postgresPids(dataDir: string): number[] {
  const roots: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(dataDir) && cmd.includes('postgres')) roots.push(Number(entry));
    } catch {
      // gone
    }
  }
  return roots.flatMap((pid) => processTree(pid));
}

export async function runCosts(bench: Bench): Promise<OperationCost[]> {
  const { o } = bench;
  const url = await bench.cluster.database(DATABASE);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const activity = new DatabaseActivity(bench.cluster, DATABASE);
  const consumed = MAX_RPS * (o.warmup + o.duration);
  try {
    // Date 1: a map of 1,000 seats (200 held); date 2: the payers' holds; date 3: free seats to hold.
    const hall = await makeHall(sql, 3, Math.max(MAP_SEATS, consumed), PRICE, { maxActive: 1_000_000 });
    // The waiting fans' line: its one turn taken, so they stay waiting (and are answered from memory).
    const waitingLine = await makeHall(sql, 1, 1, PRICE, { maxActive: 1 });
    await giveTokens(sql, await makeUsers(sql, 1), 'active', waitingLine.concertId);
    const [mapSeats, payerSeats, freeSeats] = hall as unknown as [number[], number[], number[]];
    const readers = await makeUsers(sql, 100);
    await giveTokens(sql, readers, 'active', hall.concertId);
    await makeHolds(sql, await makeUsers(sql, 200), mapSeats.slice(0, MAP_SEATS).slice(-200), PRICE);
    const payers = await makeUsers(sql, consumed, PRICE);
    await giveTokens(sql, payers, 'active', hall.concertId);
    await makeHolds(sql, payers, payerSeats, PRICE);
    const holders = await makeUsers(sql, consumed);
    await giveTokens(sql, holders, 'active', hall.concertId);
    const waiting = await makeUsers(sql, 2_000);
    await giveTokens(sql, waiting, 'waiting', waitingLine.concertId);
    const joinLine = await makeHall(sql, 1, 1);
    await sql`VACUUM (ANALYZE)`;
    const [schedule] = await sql<{ id: number }[]>`SELECT schedule_id AS id FROM seats WHERE id = ${mapSeats[0]!}`;

    const app = await startApp('custom', url, { WEB_CONCURRENCY: '1' });
    const costs: OperationCost[] = [];
    const measure = async (operation: string, task: (send: Send) => Promise<boolean>, requestsPerCall = 1) => {
      const quiet = await activity.quietRate(2);
      type Reading = { app: Map<number, number>; db: Map<number, number>; at: Awaited<ReturnType<DatabaseActivity['read']>> };
      let before: Reading | undefined;
      let after: Reading | undefined;
      const read = async (): Promise<Reading> => ({
        app: cpuByPid(processTree(app.pid)),
        db: cpuByPid(postgresPids(bench.cluster.server.dir)),
        at: await activity.read(),
      });
      const row = await runLoad({
        scenario: `cost: ${operation}`,
        url: app.url,
        connections: CONNECTIONS,
        duration: o.duration,
        warmup: o.warmup,
        task,
        window: { opened: async () => void (before = await read()), closed: async () => void (after = await read()) },
      });
      const calls = Math.max(1, Math.round(row.requests / requestsPerCall));
      const per = perCall(before!.at, after!.at, calls, quiet);
      const cost = {
        operation,
        calls,
        appCpuMs: +((cpuBetween(before!.app, after!.app) * 1000) / calls).toFixed(3),
        dbCpuMs: +((cpuBetween(before!.db, after!.db) * 1000) / calls).toFixed(3),
        statements: per.statements,
        transactions: per.transactions,
      };
      if (row.errors > 0) bench.breaches.push(`cost: ${operation}: ${row.errors} errors`);
      bench.log(
        `  cost: ${operation}: app ${cost.appCpuMs} ms CPU, database ${cost.dbCpuMs} ms CPU, ${cost.statements ?? '?'} statements, ${cost.transactions} transactions per call (${calls} calls)`,
      );
      costs.push(cost);
    };

    try {
      await measure('tRPC ping', async (s) => (await s(trpcGet('health.ping')), true));
      // Waiting fans poll once first (not measured) to get their queue pass, as after joining.
      const pollers = waiting.map((u: BenchUser) => new CookieJar(u.cookie));
      const pool = httpPool(app.url, CONNECTIONS);
      const prime = once(pollers);
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          for (let jar = prime(); jar; jar = prime())
            jar.from(await send(pool, trpcGet('queue.status', { concertId: waitingLine.concertId }, jar.header())));
        }),
      );
      await pool.close();
      const nextPoller = cycle(pollers);
      await measure('status poll of a waiting fan', async (s) => {
        const jar = nextPoller();
        jar.from(await s(trpcGet('queue.status', { concertId: waitingLine.concertId }, jar.header())));
        return true;
      });
      // queue.line answers only a fan with the line's queue pass: those whose first poll was not shed.
      const nextPassHolder = cycle(pollers.filter((jar) => jar.has(queuePassCookie(waitingLine.concertId))));
      await measure("the line's sale state (queue.line) of a waiting fan", async (s) => {
        const jar = nextPassHolder();
        jar.from(await s(trpcGet('queue.line', { concertId: waitingLine.concertId }, jar.header())));
        return true;
      });
      const nextReader = cycle(readers);
      await measure(`seat map of one date (${MAP_SEATS} seats)`, async (s) => {
        await s(trpcGet('concert.seats', { scheduleId: schedule!.id }, { cookie: nextReader().cookie }));
        return true;
      });
      await measure(
        'join (session.start + queue.issue, a new fan)',
        async (s) => {
          const jar = new CookieJar();
          const started = await s(trpcPost('session.start', {}, jar.header()));
          if (started.status !== 200) return true;
          jar.from(started);
          await s(trpcPost('queue.issue', { concertId: joinLine.concertId }, jar.header()));
          return true;
        },
        2,
      );
      const nextHolder = once(holders);
      const nextFree = once(freeSeats);
      await measure('hold of one free seat', async (s) => {
        const fan = nextHolder();
        const seatId = nextFree();
        if (!fan || seatId === undefined) return false;
        await s(trpcPost('order.hold', { seatIds: [seatId] }, { cookie: fan.cookie }));
        return true;
      });
      const nextPayer = once(payers);
      await measure('payment of a held seat', async (s) => {
        const fan = nextPayer();
        if (!fan) return false;
        await s(trpcPost('payment.pay', { reservationId: fan.reservationId }, { cookie: fan.cookie }));
        return true;
      });
    } finally {
      await app.stop();
    }
    bench.facts.costs = costs;
    return costs;
  } finally {
    await activity.end();
    await sql.end();
  }
}
