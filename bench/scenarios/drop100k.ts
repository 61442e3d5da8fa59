import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { connect } from '@/db/client';
import { parseEnv } from '@/server/env';
import { checkInvariants } from '@/server/invariants';
import { drawProblems } from '@/server/sale/draw';
import { publishedDraw } from '@/server/sale/service';
import { fetchDraw } from '@/server/sale/verify';
import { nextPollDelayMs } from '@/server/shared/timing';
import { DEFAULT_MAX_ACTIVE, sleep, type Bench } from '@/bench/context';
import { DatabaseActivity, type Activity } from '@/bench/db-activity';
import { cookieOf, makeHall, makeUsers } from '@/bench/fixtures';
import {
  CookieJar,
  httpPool,
  retryAfterMs,
  send,
  trpcGet,
  trpcPost,
  trpcResult,
  wasShed,
  type HttpRequest,
  type HttpResponse,
} from '@/bench/http';
import { percentile, rowFrom } from '@/bench/http-load';
import { processTree, startApp, type AppServer } from '@/bench/servers';

/**
 * Scenario 10, "100,000 fans on one machine" (issue 21 §4): `fans` people are in the pre-queue of one
 * sale when it opens, for `seats` seats over five dates, the server at its defaults (npm start, one
 * worker per core, pool 10, QUEUE_MAX_ACTIVE 100).
 *
 * The pre-queue is written with SQL before the server starts (users, wallets, one waiting token each
 * with no place: exactly what `queue.issue` leaves before the opening); everything after goes through
 * the real server over HTTP: the opening and its draw (`sale.draw`, and the line's own upkeep, whichever
 * notices the time first), admission, seat maps, holds, charges, payments, the sell-out.
 *
 * The model of the crowd (not 100,000 browsers: on this machine their polls alone would be ~8,000/s):
 * - a random sample of `pollers` fans (default 2 %: `--drop100k-pollers`) polls `queue.status` from before the opening to the
 *   sell-out, paced as the waiting room paces it (app/queue/page.tsx: the range's lower end, right after
 *   the opening within a 1.5 s spread, at most every 10 s ± 25 %). The other fans are rows in the line
 *   that do not poll (a fan who stops polling is passed over after QUEUE_ABANDON_SECONDS, as in life);
 * - the fans who can buy, the first seats × 1.1 + QUEUE_MAX_ACTIVE places of the draw (read from the
 *   database once the draw is public: a margin for lost races and fans who give up), poll the same way from the opening
 *   until admitted, then, within a second (a person's reaction), do what drop.ts's fans do: the
 *   dates, a date's seat map, a hold of a free seat (another if it loses the race), a charge of its
 *   price, the payment; one seat each;
 * - a bystander calls `health.ping` every 50 ms on its own socket throughout: its latency while the
 *   draw runs shows whether the draw holds anything up;
 * - a draw watcher calls `sale.draw` (one entry) from the opening until the seed is public: the draw's
 *   time is from `opens_at` to that answer (an upper bound: it includes the call's own time);
 * - admitted fans do not buy at once: first every simulated fan polls since the draw (that first poll
 *   reads the fan's new place from the database, once: the opening's cost), then for
 *   `pollWindowSeconds` only polls run: the database's statements in that window, over the status
 *   polls answered in it, are the "statements per poll" (the line's own upkeep, the admission pass and
 *   heartbeat batches included, nothing taken away: an upper bound). Then the
 *   whole draw is read page by page (`fetchDraw`, as `npm run verify:draw` does) and checked with the
 *   published rule (each page's call time, the request layer's queue included, is reported). Then they buy
 *   (the sell-out's time, from `opens_at`, includes this pause);
 * - after the run, the draw's pages are read again in this process through the procedure's own
 *   function (`publishedDraw`) and turned into JSON: the largest page's time is what one call holds a
 *   worker at most (wall time, database wait included), without the queue in front of it;
 * - memory: every 250 ms the resident size of each app process and each PostgreSQL process (two
 *   separate figures; a PostgreSQL backend's RSS counts the shared buffers it touched, so its private
 *   part, RssAnon, is given too), and each app process's VmHWM (its peak) before it stops.
 *
 * Fails the benchmark (exit 1) like the drop: a 5xx, a server that exits, not sold out within
 * `seconds` of the opening, an admitted fan's p99 over 1 s, a broken invariant, admission out of
 * order, a draw that does not check out.
 */

const DATES = 5;
const PRICE = 100_000;
const HOLD_ATTEMPTS = 20;
const RSS_TARGET_MB = 300;
const ADMITTED_P99_TARGET_MS = 1_000;
const DRAW_TARGET_SECONDS = 5;
/** A bystander's call the draw held up would wait about as long as the draw; the slowest may take this. */
const BYSTANDER_TARGET_MS = 250;
/** The longest one `sale.draw` call should hold a worker (measured from outside: an upper bound). */
const DRAW_PAGE_TARGET_MS = 100;
const POLLS_STATEMENTS_TARGET = 0.05;
/** The longest the statements window waits for every simulated fan to have polled since the draw. */
const PRIME_WAIT_MS = 20_000;
const CROWD_CONNECTIONS = 256;
const ADMITTED_CONNECTIONS = Math.max(256, DEFAULT_MAX_ACTIVE);
const SERVER_CHECK_MS = 500;
const BYSTANDER_EVERY_MS = 50;
const BASELINE_MS = 3_000;
const DRAW_WATCH_EVERY_MS = 100;
/** As the waiting room (app/queue/page.tsx): right after the opening, pre-queue fans spread their polls over this. */
const OPENING_SPREAD_MS = 1_500;
const MIN_POLL_MS = 1_000;
/** An admitted fan starts buying within this long of learning it (at random): a person's reaction. */
const REACTION_MS = 1_000;

interface QueueView {
  status: 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';
  position: number | null;
  estimatedWaitSeconds: number | null;
  estimatedWaitRange: { min: number; max: number } | null;
  opensAt: string | null;
}

export interface Drop100kSize {
  fans: number;
  seats: number;
  /** Sold out within this many seconds of the opening, or the benchmark fails. */
  seconds: number;
  /** Fans of the sample that polls throughout. */
  pollers: number;
  /** Seconds between the server's start and the opening (the pre-queue polls meanwhile). */
  leadSeconds: number;
  /** Seconds after the draw in which admitted fans wait: the statements-per-poll window. */
  pollWindowSeconds: number;
}

/** The waiting room's pacing (app/queue/page.tsx `pollDelay`), with the same timing rules. */
function pollDelay(view: QueueView, unchangedPolls: number): number {
  const soonest = view.position === 1 ? 0 : (view.estimatedWaitRange?.min ?? view.estimatedWaitSeconds);
  const delay = nextPollDelayMs(unchangedPolls, Math.random(), view.status === 'waiting' ? soonest : null);
  if (view.status === 'prequeue' && view.opensAt) {
    const untilOpening = Date.parse(view.opensAt) - Date.now();
    return Math.max(MIN_POLL_MS, Math.min(delay, untilOpening + Math.random() * OPENING_SPREAD_MS));
  }
  return delay;
}

/** Peak resident memory of processes: per pid, the largest VmRSS sampled (and RssAnon), and VmHWM when read. */
class MemoryWatch {
  readonly rss = new Map<number, { rssMb: number; anonMb: number; hwmMb: number }>();
  private timer: NodeJS.Timeout;

  constructor(
    private readonly roots: () => number[],
    everyMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample() {
    for (const pid of this.roots().flatMap(processTree)) {
      const s = procStatus(pid);
      if (!s) continue;
      const seen = this.rss.get(pid) ?? { rssMb: 0, anonMb: 0, hwmMb: 0 };
      this.rss.set(pid, {
        rssMb: Math.max(seen.rssMb, s.rssMb),
        anonMb: Math.max(seen.anonMb, s.anonMb),
        hwmMb: Math.max(seen.hwmMb, s.hwmMb),
      });
    }
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
  }

  largest(): { processes: number; rssMb: number; anonMb: number; hwmMb: number } {
    const all = [...this.rss.values()];
    return {
      processes: all.length,
      rssMb: Math.max(0, ...all.map((p) => p.rssMb)),
      anonMb: Math.max(0, ...all.map((p) => p.anonMb)),
      hwmMb: Math.max(0, ...all.map((p) => p.hwmMb)),
    };
  }
}

function procStatus(pid: number): { rssMb: number; anonMb: number; hwmMb: number } | undefined {
  try {
    const lines = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n');
    const kb = (key: string) => Number(lines.find((l) => l.startsWith(`${key}:`))?.split(/\s+/)[1] ?? 0);
    return { rssMb: Math.round(kb('VmRSS') / 1024), anonMb: Math.round(kb('RssAnon') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

/** The PostgreSQL server's postmaster (first line of postmaster.pid in its data directory). */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

export async function runDrop100k(bench: Bench, size: Drop100kSize): Promise<void> {
  const database = 'bench_drop100k';
  const url = await bench.cluster.database(database);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  const activity = new DatabaseActivity(bench.cluster, database);
  const limits = parseEnv({});
  let app: AppServer | undefined;
  try {
    // The hall and the sale, its pre-queue open for an hour and its opening set once the server is up.
    const seatsByDate = await makeHall(sql, DATES, Math.ceil(size.seats / DATES), PRICE, { maxActive: DEFAULT_MAX_ACTIVE });
    const { concertId } = seatsByDate;
    const totalSeats = seatsByDate.reduce((n, d) => n + d.length, 0);
    await sql`
      UPDATE sales SET prequeue_opens_at = now() - interval '1 hour', opens_at = now() + interval '1 hour', opened_at = NULL,
                       drawn_count = NULL
      WHERE concert_id = ${concertId}`;
    const t0 = performance.now();
    const users = await makeUsers(sql, size.fans);
    // The pre-queue: one waiting token each, no place yet (what queue.issue writes before the opening).
    const tokens = await sql<{ id: string; user_id: string; token: string }[]>`
      INSERT INTO queue_tokens (token, user_id, concert_id, status)
      SELECT replace(gen_random_uuid()::text, '-', ''), u, ${concertId}, 'waiting' FROM unnest(${users.map((u) => u.userId)}::uuid[]) AS t(u)
      RETURNING id, user_id, token`;
    const tokenOf = new Map(tokens.map((t) => [t.user_id, t.token]));
    await sql`VACUUM (ANALYZE)`;
    bench.log(
      `  drop100k: ${fmt(size.fans)} fans in the pre-queue, ${fmt(totalSeats)} seats, written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const server = (app = await startApp('custom', url));
    const pgPid = postmasterPid(bench.cluster.server.dir);
    const appMemory = new MemoryWatch(() => [server.pid]);
    const pgMemory = new MemoryWatch(() => (pgPid ? [pgPid] : []));

    // The opening: `leadSeconds` from now. Every fan was last heard from when its token was written, well
    // within QUEUE_ABANDON_SECONDS of the opening (no refresh: 100,000 dead rows would slow the draw).
    const [{ opens_at: opensAtDate } = { opens_at: new Date() }] = await sql<{ opens_at: Date }[]>`
      UPDATE sales SET opens_at = date_trunc('second', now()) + make_interval(secs => ${size.leadSeconds}) WHERE concert_id = ${concertId}
      RETURNING opens_at`;
    const opensAt = opensAtDate.getTime();

    const latency = { waiting: [] as number[], admitted: [] as number[] };
    /** Fans whose poll has seen their place (or their turn) since the draw: their queue pass is current. */
    const placed = new Set<string>();
    const pollTimes: number[] = [];
    const shed = { waiting: 0, admitted: 0 };
    let serverErrors = 0;
    const errorSamples: string[] = [];
    let failedFans = 0;
    let sold = 0;
    let lostRaces = 0;
    let gaveUp = 0;
    let soldOutAt: number | null = null;
    let endDrop!: () => void;
    const ended = new Promise<void>((resolve) => (endDrop = resolve));
    let over = false;
    void ended.then(() => (over = true));
    const deadline = setTimeout(endDrop, Math.max(0, opensAt - Date.now()) + size.seconds * 1000);
    let crashed = false;
    const watchdog = setInterval(() => {
      if (server.exited()) {
        crashed = true;
        endDrop();
      }
    }, SERVER_CHECK_MS);
    const pause = (ms: number) => Promise.race([sleep(ms), ended]);
    let startBuying!: () => void;
    const buying = new Promise<void>((resolve) => (startBuying = resolve));

    const crowd = httpPool(server.url, CROWD_CONNECTIONS);
    const admittedPool = httpPool(server.url, ADMITTED_CONNECTIONS);
    const call = async (kind: 'waiting' | 'admitted', browser: CookieJar, request: HttpRequest): Promise<HttpResponse> => {
      const pool = kind === 'admitted' ? admittedPool : crowd;
      const t = performance.now();
      for (;;) {
        const withCookies = { ...request, headers: { ...request.headers, ...browser.header() } };
        const res = browser.from(
          await send(pool, withCookies).catch((error: unknown) => {
            if (request.method !== 'GET') throw error;
            return send(pool, withCookies);
          }),
        );
        if (wasShed(res) && !over) {
          shed[kind]++;
          await pause(retryAfterMs(res));
          continue;
        }
        latency[kind].push(performance.now() - t);
        if (kind === 'waiting') pollTimes.push(performance.now());
        if (res.status >= 500 && !wasShed(res)) {
          serverErrors++;
          if (errorSamples.length < 5) errorSamples.push(`${request.path.split('?')[0]} ${res.status} ${res.text.slice(0, 300)}`);
        }
        return res;
      }
    };

    /** A fan in the waiting room until admitted (true) or out of the line (false). */
    async function wait(browser: CookieJar, userId: string): Promise<boolean> {
      let view: QueueView | undefined;
      let unchanged = 0;
      for (;;) {
        if (over) return false;
        const polled = trpcResult<QueueView>(await call('waiting', browser, trpcGet('queue.status', { concertId }))).data;
        if (polled && polled.status !== 'prequeue') placed.add(userId);
        if (polled) {
          unchanged = view && polled.position === view.position && polled.status === view.status ? unchanged + 1 : 0;
          view = polled;
        }
        if (view?.status === 'active') return true;
        if (view && (view.status === 'closed' || view.status === 'expired')) return false;
        await pause(view ? pollDelay(view, unchanged) : 1_000);
      }
    }

    async function buy(browser: CookieJar) {
      let hold: { reservationId: number; price: number } | undefined;
      for (let attempt = 0; attempt < HOLD_ATTEMPTS && !hold && !over; attempt++) {
        const dates = trpcResult<{ scheduleId: number; availableSeats: number }[]>(
          await call('admitted', browser, trpcGet('concert.dates', { concertId })),
        ).data;
        const open = dates?.filter((d) => d.availableSeats > 0) ?? [];
        if (open.length === 0) break;
        const date = open[Math.floor(Math.random() * open.length)]!;
        const seats = trpcResult<{ seatId: number; status: string }[]>(
          await call('admitted', browser, trpcGet('concert.seats', { scheduleId: date.scheduleId })),
        ).data;
        const free = seats?.filter((s) => s.status === 'available') ?? [];
        if (free.length === 0) continue;
        const seat = free[Math.floor(Math.random() * free.length)]!;
        const held = trpcResult<{ reservationId: number; price: number }>(
          await call('admitted', browser, trpcPost('reservation.hold', { seatId: seat.seatId })),
        );
        if (held.data) hold = held.data;
        else lostRaces++;
      }
      if (!hold) {
        if (!over) gaveUp++;
        return;
      }
      await call('admitted', browser, trpcPost('wallet.charge', { amount: hold.price }));
      const paid = await call('admitted', browser, trpcPost('payment.pay', { reservationId: hold.reservationId }));
      if (paid.status === 200 && ++sold === totalSeats) {
        soldOutAt = Date.now();
        endDrop();
      }
    }

    const jarOf = (userId: string) => new CookieJar(cookieOf(userId, tokenOf.get(userId), concertId));

    // The sample of pollers: random fans, polling from now (the pre-queue) to the end.
    const shuffled = users.map((u) => u.userId);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const sample = shuffled.slice(0, size.pollers);
    const sampled = new Set(sample);
    /** A fan in the waiting room who, once admitted, buys (when the poll window is over). */
    const fan = async (userId: string) => {
      const browser = jarOf(userId);
      try {
        if (!(await wait(browser, userId))) return;
        await Promise.race([buying, ended]);
        // A person reacts to "your turn" within a moment, not all on the same millisecond.
        await pause(Math.random() * REACTION_MS);
        if (!over) await buy(browser);
      } catch {
        failedFans++;
      }
    };
    const pollers = Promise.all(sample.map(fan));

    // The bystander: a ping every 50 ms on its own socket, from now until the draw is public and a bit.
    const bystanderPool = httpPool(server.url, 1);
    const pings: { at: number; ms: number }[] = [];
    const bystanderShed: number[] = [];
    let bystanding = true;
    const bystander = (async () => {
      while (bystanding && !over) {
        const at = Date.now();
        const res = await send(bystanderPool, trpcGet('health.ping'));
        // Sent back busy (503 with Retry-After: the request layer's admission, at once): counted apart.
        if (wasShed(res)) bystanderShed.push(at);
        else if (res.status !== 200) serverErrors++;
        else pings.push({ at, ms: res.ms });
        await sleep(BYSTANDER_EVERY_MS);
      }
    })();

    // The draw watcher: from the opening, sale.draw until the seed is public.
    const watcherPool = httpPool(server.url, 1);
    await pause(Math.max(0, opensAt - Date.now()));
    let drawPublicAt: number | null = null;
    while (!over) {
      const res = await send(watcherPool, trpcGet('sale.draw', { concertId, limit: 1 }));
      const draw = trpcResult<{ seed: string | null }>(res).data;
      if (res.status >= 500 && !wasShed(res)) serverErrors++;
      if (draw?.seed) {
        drawPublicAt = Date.now();
        break;
      }
      await pause(DRAW_WATCH_EVERY_MS);
    }
    const [{ opened_at: openedAt = null } = {}] = await sql<{ opened_at: Date | null }[]>`
      SELECT opened_at FROM sales WHERE concert_id = ${concertId}`;
    const drawSeconds = drawPublicAt === null ? null : (drawPublicAt - opensAt) / 1000;
    bench.log(`  drop100k: the draw was public ${drawSeconds?.toFixed(2) ?? '(never)'} s after the opening`);
    await sleep(1_000);
    bystanding = false;
    await bystander;

    // The fans who can buy: the front of the drawn line.
    const buyerCount = Math.min(size.fans, Math.ceil(totalSeats * 1.1) + DEFAULT_MAX_ACTIVE);
    const front = await sql<{ user_id: string }[]>`
      SELECT user_id FROM queue_tokens WHERE concert_id = ${concertId} AND place <= ${buyerCount} ORDER BY place`;
    // (A sampled fan who drew a front place is already polling, and buys once admitted.)
    const buyers = Promise.all(front.filter((f) => !sampled.has(f.user_id)).map((f) => fan(f.user_id)));

    // Statements per waiting poll: a window in which only polls (and the line's own upkeep) run, once
    // every simulated fan has polled since the draw (the first poll after it reads the fan's place from
    // the database, once: that is the opening's cost, not a waiting poll's).
    const simulated = new Set([...sample, ...front.map((f) => f.user_id)]).size;
    const primeDeadline = Date.now() + PRIME_WAIT_MS;
    while (!over && placed.size < simulated && Date.now() < primeDeadline) await pause(100);
    const primedSeconds = (Date.now() - (drawPublicAt ?? Date.now())) / 1000;
    const before: Activity = await activity.read();
    await pause(size.pollWindowSeconds * 1000);
    const after: Activity = await activity.read();
    const pollsInWindow = pollTimes.filter((t) => t >= before.at && t <= after.at).length;
    const statementsPerPoll =
      before.statements === null || after.statements === null
        ? null
        : +((after.statements - before.statements) / Math.max(1, pollsInWindow)).toFixed(3);
    const transactionsPerPoll = +((after.transactions - before.transactions) / Math.max(1, pollsInWindow)).toFixed(3);

    // The whole draw, page by page, as verify:draw reads it; checked with the published rule.
    const pageMs: number[] = [];
    let pageRetries = 0;
    let drawChecked: string[] = ['the draw could not be read'];
    let drawEntries = 0;
    let drawPages = 0;
    try {
      const whole = await fetchDraw(server.url, concertId, { onPage: (_n, ms, retries) => (pageMs.push(ms), (pageRetries += retries)) });
      drawEntries = whole.entries?.length ?? 0;
      drawPages = whole.pages;
      drawChecked = drawProblems(whole);
      if (drawEntries !== size.fans) drawChecked.push(`the draw placed ${drawEntries} of the ${size.fans} pre-queue fans`);
    } catch (error) {
      drawChecked = [`the draw could not be read: ${error instanceof Error ? error.message : String(error)}`];
    }
    startBuying();

    await buyers;
    endDrop();
    clearTimeout(deadline);
    clearInterval(watchdog);
    await pollers;
    const seconds = (Date.now() - opensAt) / 1000;
    await Promise.all([crowd.close(), admittedPool.close(), bystanderPool.close(), watcherPool.close()]);
    appMemory.sample();
    pgMemory.sample();
    await server.stop();
    appMemory.stop();
    pgMemory.stop();

    const admittedRows = await sql<{ admitted_at: Date }[]>`
      SELECT admitted_at FROM queue_tokens WHERE concert_id = ${concertId} AND admitted_at IS NOT NULL ORDER BY place`;
    let latest = 0;
    let outOfOrder = 0;
    for (const r of admittedRows) {
      const t = r.admitted_at.getTime();
      if (t < latest) outOfOrder++;
      latest = Math.max(latest, t);
    }
    const [{ n: soldInDb } = { n: 0 }] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM reservations r JOIN seats s ON s.id = r.seat_id JOIN schedules d ON d.id = s.schedule_id
      WHERE d.concert_id = ${concertId} AND r.status = 'confirmed'`;
    // What one sale.draw call costs a worker, without the request layer's queue in front of it: the
    // procedure's own function (the page's read, its rows turned into the answer) and the answer's
    // JSON, in this process, page by page. Wall time, so an upper bound of the event loop's share.
    const inProcessMs: number[] = [];
    const direct = connect(url, { max: 1 });
    try {
      for (let cursor: number | null = null; ;) {
        const t = performance.now();
        const page = await publishedDraw(direct.db, { concertId, cursor });
        JSON.stringify(page);
        inProcessMs.push(performance.now() - t);
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
    } finally {
      await direct.close();
    }
    const largestInProcessMs = inProcessMs.length ? Math.max(...inProcessMs) : Number.NaN;
    const invariants = await checkInvariants(sql, DEFAULT_MAX_ACTIVE, limits);
    const broken = invariants.filter((i) => i.breaches.length > 0).map((i) => i.name);

    const soldOutSeconds = soldOutAt === null ? null : +((soldOutAt - opensAt) / 1000).toFixed(1);
    const drawStart = openedAt?.getTime() ?? opensAt;
    const drawEnd = drawPublicAt ?? drawStart;
    const during = pings.filter((p) => p.at + p.ms >= drawStart && p.at <= drawEnd).map((p) => p.ms);
    const shedDuring = bystanderShed.filter((at) => at >= drawStart && at <= drawEnd).length;
    // The bystander's baseline: the last BASELINE_MS before the opening (the pre-queue polling).
    const beforeOpening = pings.filter((p) => p.at >= opensAt - BASELINE_MS && p.at + p.ms < opensAt).map((p) => p.ms);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const duringMax = during.length ? Math.max(...during) : Number.NaN;
    const largestPageMs = pageMs.length ? Math.max(...pageMs) : Number.NaN;
    const appMem = appMemory.largest();
    const pg = pgMemory.largest();

    const admittedRow = rowFrom(
      '10. 100k drop: admitted fans’ calls',
      latency.admitted,
      seconds,
      serverErrors,
      `${fmt(size.fans)} fans in the pre-queue, ${fmt(totalSeats)} seats over ${DATES} dates; sold ${fmt(soldInDb)} in ${soldOutSeconds ?? `> ${size.seconds}`} s from the opening`,
    );
    const waitingRow = rowFrom(
      '10. 100k drop: waiting polls',
      latency.waiting,
      seconds,
      0,
      `a sample of ${fmt(size.pollers)} fans all along, and the ${fmt(front.length)} at the front until admitted; per poll ${statementsPerPoll ?? '?'} statements, ${transactionsPerPoll} transactions`,
    );
    const bystanderRow = rowFrom(
      '10. 100k drop: bystander ping during the draw',
      during,
      Math.max(0.001, (drawEnd - drawStart) / 1000),
      0,
      `one ping every ${BYSTANDER_EVERY_MS} ms on its own socket; the draw ${drawSeconds?.toFixed(2) ?? '–'} s after the opening; the 3 s before the opening p99 ${percentile(sorted(beforeOpening), 99).toFixed(0)} ms; slowest during ${Number.isNaN(duringMax) ? '–' : duringMax.toFixed(0)} ms`,
    );
    const pagesRow = rowFrom(
      '10. 100k drop: sale.draw, every page',
      pageMs,
      Math.max(0.001, pageMs.reduce((a, b) => a + b, 0) / 1000),
      0,
      `${drawPages} pages of ≤ 10,000 of ${fmt(drawEntries)} entries, one after another (${pageRetries} sent back busy first); in process the largest ${Number.isNaN(largestInProcessMs) ? '–' : largestInProcessMs.toFixed(0)} ms; largest call ${Number.isNaN(largestPageMs) ? '–' : largestPageMs.toFixed(0)} ms`,
    );
    bench.rows.push(admittedRow, waitingRow, bystanderRow, pagesRow);
    bench.facts.drop100k = {
      fans: size.fans,
      seats: totalSeats,
      drawSeconds,
      drawTransactionStartedAfterOpeningSeconds: openedAt ? (openedAt.getTime() - opensAt) / 1000 : null,
      bystanderDuringDrawMs: {
        count: during.length,
        p50: percentile(sorted(during), 50),
        p99: percentile(sorted(during), 99),
        max: duringMax,
      },
      bystanderShedDuringDraw: shedDuring,
      bystanderShed: bystanderShed.length,
      bystanderBeforeOpeningP99Ms: percentile(sorted(beforeOpening), 99),
      soldOutSeconds,
      timeLimitSeconds: size.seconds,
      sold: soldInDb,
      admitted: admittedRows.length,
      admittedOutOfOrder: outOfOrder,
      buyers: front.length,
      lostRaces,
      gaveUp,
      failedFans,
      admittedCallP99Ms: Math.round(admittedRow.p99),
      waitingPolls: latency.waiting.length,
      statementsPerPoll,
      transactionsPerPoll,
      pollsInWindow,
      primedSeconds,
      primedFans: placed.size,
      simulatedFans: simulated,
      drawPageRetries: pageRetries,
      drawPageInProcessMs: inProcessMs.map((m) => Math.round(m)),
      shedCalls: shed,
      drawPages,
      drawPageMs: pageMs.map((m) => Math.round(m)),
      drawProblems: drawChecked,
      appProcesses: appMem,
      postgresProcesses: pg,
      invariantBreaches: broken,
      errorSamples,
    };
    bench.log(
      `  drop100k: draw ${drawSeconds?.toFixed(2)} s (bystander slowest ${duringMax.toFixed(0)} ms), sold ${soldInDb}/${totalSeats} in ${soldOutSeconds ?? `> ${size.seconds}`} s, ` +
        `admitted p99 ${Math.round(admittedRow.p99)} ms, ${statementsPerPoll} statements/poll, largest draw page ${largestPageMs.toFixed(0)} ms, ` +
        `app max RSS ${appMem.rssMb} MB (HWM ${appMem.hwmMb}), PostgreSQL max RSS ${pg.rssMb} MB (private ${pg.anonMb})`,
    );

    if (crashed) bench.breaches.push('the server exited during the 100k drop (see its output above)');
    // Its times (sold out, admitted p99) are targets, reported below, not breaches: on a busy machine
    // they are the machine's (docs/performance.md). What is never the machine's fails the run.
    if (broken.length > 0) bench.breaches.push(`invariants broken after the 100k drop: ${broken.join('; ')}`);
    if (outOfOrder > 0) bench.breaches.push(`${outOfOrder} fans were admitted before someone ahead of them in the 100k drop's line`);
    if (failedFans > 0)
      bench.breaches.push(`${failedFans} fans of the 100k drop hit a failed call (connection error or unreadable answer)`);
    if (drawChecked.length > 0) bench.breaches.push(`the 100k drop's draw does not check out: ${drawChecked.slice(0, 3).join('; ')}`);

    const fans = fmt(size.fans);
    bench.targets.push(
      {
        target: `100k drop: the draw of ${fans} pre-queue fans ≤ ${DRAW_TARGET_SECONDS} s`,
        measured: drawSeconds === null ? 'never public' : `${drawSeconds.toFixed(2)} s from opens_at to the public draw`,
        met: drawSeconds !== null && drawSeconds <= DRAW_TARGET_SECONDS,
      },
      {
        target: `100k drop: the draw holds up no other call (a bystander's slowest ping during it ≤ ${BYSTANDER_TARGET_MS} ms)`,
        measured: `${during.length} pings answered (${shedDuring} sent back busy), p99 ${percentile(sorted(during), 99).toFixed(0)} ms, slowest ${Number.isNaN(duringMax) ? '–' : duringMax.toFixed(0)} ms`,
        met: during.length > 0 && duringMax <= BYSTANDER_TARGET_MS,
      },
      {
        target: `100k drop: ${fmt(totalSeats)} seats sold out ≤ ${size.seconds} s after the opening`,
        measured: soldOutSeconds === null ? `not sold out: ${soldInDb} sold` : `${soldOutSeconds} s`,
        met: soldOutSeconds !== null,
      },
      {
        target: '100k drop: an admitted fan’s p99 per call ≤ 1 s',
        measured: `${Math.round(admittedRow.p99)} ms`,
        met: admittedRow.p99 <= ADMITTED_P99_TARGET_MS,
      },
      {
        target: '100k drop: 0 invariant breaches, admission in drawn order, the draw checks out',
        measured: `${broken.length} broken, ${outOfOrder} out of order, ${drawChecked.length} draw problems`,
        met: broken.length === 0 && outOfOrder === 0 && drawChecked.length === 0,
      },
      {
        target: `100k drop: largest app process < ${RSS_TARGET_MB} MB (VmHWM)`,
        measured: `${appMem.hwmMb} MB (largest of ${appMem.processes} processes; sampled RSS ${appMem.rssMb} MB)`,
        met: appMem.hwmMb < RSS_TARGET_MB,
      },
      {
        target: `100k drop: largest PostgreSQL process < ${RSS_TARGET_MB} MB (sampled RSS)`,
        measured: `${pg.rssMb} MB RSS, ${pg.anonMb} MB private (RssAnon), ${pg.processes} processes seen`,
        met: pg.processes > 0 ? pg.rssMb < RSS_TARGET_MB : null,
      },
      {
        target: `100k drop: waiting polls without the database (statements per poll < ${POLLS_STATEMENTS_TARGET})`,
        measured: `${statementsPerPoll ?? 'n/a'} statements, ${transactionsPerPoll} transactions per poll (${fmt(pollsInWindow)} polls, upkeep included)`,
        met: (statementsPerPoll ?? transactionsPerPoll) < POLLS_STATEMENTS_TARGET,
      },
      {
        target: `100k drop: no sale.draw call holds a worker over ~${DRAW_PAGE_TARGET_MS} ms (largest page's call)`,
        measured:
          `${Number.isNaN(largestInProcessMs) ? '–' : largestInProcessMs.toFixed(0)} ms in process (the procedure and its JSON, ${inProcessMs.length} pages); ` +
          `from the client over HTTP ${Number.isNaN(largestPageMs) ? '–' : largestPageMs.toFixed(0)} ms (the request layer's queue included)`,
        met: largestInProcessMs <= DRAW_PAGE_TARGET_MS,
      },
    );
  } finally {
    await app?.stop();
    await activity.end();
    await sql.end();
  }
}
