import postgres from 'postgres';
import { parseEnv } from '@/server/env';
import { checkInvariants } from '@/server/invariants';
import { nextPollDelayMs } from '@/server/shared/timing';
import { DEFAULT_MAX_ACTIVE, type Bench } from '@/bench/context';
import { makeHall } from '@/bench/fixtures';
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
import { rowFrom } from '@/bench/http-load';
import { rssSampler, startApp, type AppServer } from '@/bench/servers';

/**
 * Scenario 6, the ticket drop: `fans` people join at once against `seats` seats over four dates, the
 * server at its default admission settings. Each behaves like the waiting-room page (app/queue/page.tsx:
 * polls paced by `nextPollDelayMs`, keeps every cookie it is sent), then, once admitted, picks a date
 * and a free seat from the map, holds it (another seat if it loses the race), charges what it costs and
 * pays. A call the server sheds (503 OVERLOADED) is sent again after its Retry-After, as the web app
 * does; its time counts in full. It must sell out within `o.dropSeconds`, with an admitted fan's p99
 * per call within ADMITTED_P99_TARGET_MS, or the benchmark fails.
 */

const DATES = 4;
const PRICE = 100_000;
/** Seats a fan tries before giving up (the map is read again before each try). */
const HOLD_ATTEMPTS = 20;
const RSS_TARGET_MB = 300;
const ADMITTED_P99_TARGET_MS = 1_000;
/** Issue 21 §1: a burst of joins is answered within this (p99). */
const JOINING_P99_TARGET_MS = 2_000;
/**
 * Sockets of the crowd's client (joining, waiting polls): calls beyond this wait in the client. With
 * one socket per fan (10,000 requests in flight at the opening), npm start's 200 MB heap ran out.
 */
const CROWD_CONNECTIONS = 256;
const SERVER_CHECK_MS = 500;
/** Sockets of admitted fans' calls, apart from the crowd's: at least one per admitted fan (the cap). */
const ADMITTED_CONNECTIONS = Math.max(256, DEFAULT_MAX_ACTIVE);

interface QueueView {
  status: 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';
  position: number | null;
  estimatedWaitSeconds: number | null;
}

export async function runDrop(bench: Bench): Promise<void> {
  const { o } = bench;
  const url = await bench.cluster.database('bench_drop');
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const limits = parseEnv({});
  let app: AppServer | undefined;
  try {
    const seatsByDate = await makeHall(sql, DATES, Math.ceil(o.seats / DATES), PRICE, { maxActive: DEFAULT_MAX_ACTIVE });
    const { concertId } = seatsByDate;
    const totalSeats = seatsByDate.reduce((n, d) => n + d.length, 0);
    const server = (app = await startApp('custom', url));
    const rss = rssSampler(server.pid);
    const latency = { joining: [] as number[], waiting: [] as number[], admitted: [] as number[] };
    const shed = { joining: 0, waiting: 0, admitted: 0 };
    let serverErrors = 0;
    let failedCalls = 0;
    let sold = 0;
    let lostRaces = 0;
    let gaveUp = 0;
    let soldOutAt: number | null = null;
    let endDrop!: () => void;
    const ended = new Promise<void>((resolve) => (endDrop = resolve));
    const started = performance.now();
    const deadline = setTimeout(endDrop, o.dropSeconds * 1000);
    let over = false;
    void ended.then(() => (over = true));
    let crashed = false;
    const watchdog = setInterval(() => {
      if (server.exited()) {
        crashed = true;
        endDrop();
      }
    }, SERVER_CHECK_MS);
    const pause = (ms: number) => Promise.race([new Promise((r) => setTimeout(r, ms)), ended]);

    // Admitted fans' calls go on their own sockets: they never wait behind the crowd's calls in this client.
    const crowd = httpPool(server.url, CROWD_CONNECTIONS);
    const admitted = httpPool(server.url, ADMITTED_CONNECTIONS);
    /**
     * A fan's call with its cookies, timed by kind from the first try to the answer. A GET whose
     * connection broke is sent again, as a browser does; a call the server shed, after its Retry-After.
     */
    const call = async (kind: keyof typeof latency, browser: CookieJar, request: HttpRequest): Promise<HttpResponse> => {
      const pool = kind === 'admitted' ? admitted : crowd;
      const t0 = performance.now();
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
        latency[kind].push(performance.now() - t0);
        if (res.status >= 500 && !wasShed(res)) serverErrors++;
        return res;
      }
    };

    async function fan() {
      const browser = new CookieJar();
      await call('joining', browser, trpcPost('session.start'));
      let view = trpcResult<QueueView>(await call('joining', browser, trpcPost('queue.issue', { concertId }))).data;
      let unchanged = 0;
      while (view?.status !== 'active') {
        if (over || !view || view.status === 'closed') return;
        // As the waiting room paces it (app/queue/page.tsx): sooner near the front.
        await pause(nextPollDelayMs(unchanged, Math.random(), view.status === 'waiting' ? view.estimatedWaitSeconds : null));
        if (over) return;
        const polled = trpcResult<QueueView>(await call('waiting', browser, trpcGet('queue.status', { concertId }))).data;
        if (!polled) continue;
        unchanged = polled.position === view.position ? unchanged + 1 : 0;
        view = polled;
        if (view.status === 'expired') {
          // The page offers to join again; the fan does.
          view = trpcResult<QueueView>(await call('joining', browser, trpcPost('queue.issue', { concertId }))).data;
          unchanged = 0;
        }
      }

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
        if (!over) gaveUp++; // no free seat left on the map after its tries (not stopped by the drop's end)
        return;
      }
      await call('admitted', browser, trpcPost('wallet.charge', { amount: hold.price }));
      const paid = await call('admitted', browser, trpcPost('payment.pay', { reservationId: hold.reservationId }));
      if (paid.status === 200 && ++sold === totalSeats) {
        soldOutAt = performance.now();
        endDrop();
      }
    }

    await Promise.all(Array.from({ length: o.fans }, () => fan().catch(() => void failedCalls++)));
    clearTimeout(deadline);
    clearInterval(watchdog);
    endDrop();
    const seconds = (performance.now() - started) / 1000;
    await Promise.all([crowd.close(), admitted.close()]);
    await server.stop();
    const memory = rss.stop();

    // Admission order: by place, no token admitted before one ahead of it in the line.
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
    const invariants = await checkInvariants(sql, DEFAULT_MAX_ACTIVE, limits);
    const broken = invariants.filter((i) => i.breaches.length > 0).map((i) => i.name);

    const soldOutSeconds = soldOutAt === null ? null : +((soldOutAt - started) / 1000).toFixed(1);
    const admittedRow = rowFrom(
      '6. ticket drop: admitted fans’ calls',
      latency.admitted,
      seconds,
      serverErrors,
      `${o.fans.toLocaleString('en-US')} fans, ${totalSeats} seats over ${DATES} dates; sold ${soldInDb} in ${soldOutSeconds ?? `> ${o.dropSeconds}`} s`,
    );
    const waitingRow = rowFrom(
      '6. ticket drop: waiting polls',
      latency.waiting,
      seconds,
      0,
      `paced by nextPollDelayMs, cookies kept; joining and polls share ${CROWD_CONNECTIONS} sockets (admitted fans have their own)`,
    );
    bench.rows.push(admittedRow, waitingRow);
    const admittedP99 = admittedRow.p99;
    const joiningP99Ms = Math.round(rowFrom('', latency.joining, seconds, 0).p99);
    bench.facts.drop = {
      soldOutSeconds,
      timeLimitSeconds: o.dropSeconds,
      sold: soldInDb,
      seats: totalSeats,
      admitted: admittedRows.length,
      admittedOutOfOrder: outOfOrder,
      lostRaces,
      gaveUp,
      failedFans: failedCalls,
      admittedCallP99Ms: Math.round(admittedP99),
      shedCalls: shed,
      waitingPollsPerSecond: waitingRow.rps,
      joiningP99Ms,
      processes: memory.processes,
      maxRssMbPerProcess: memory.maxMb,
      invariantBreaches: broken,
    };
    bench.log(
      `  drop: sold ${soldInDb}/${totalSeats} in ${soldOutSeconds ?? `> ${o.dropSeconds}`} s, admitted p99 ${Math.round(admittedP99)} ms, ` +
        `joining p99 ${bench.facts.drop ? (bench.facts.drop as { joiningP99Ms: number }).joiningP99Ms : '?'} ms, ` +
        `shed ${JSON.stringify(shed)}, max RSS ${memory.maxMb} MB`,
    );

    if (crashed) bench.breaches.push('the server exited during the ticket drop (see its output above)');
    if (soldOutSeconds === null)
      bench.breaches.push(`the ticket drop sold ${soldInDb} of ${totalSeats} seats, not sold out within ${o.dropSeconds} s`);
    if (!(admittedP99 <= ADMITTED_P99_TARGET_MS))
      bench.breaches.push(
        `admitted fans' p99 per call was ${Math.round(admittedP99)} ms in the ticket drop, over ${ADMITTED_P99_TARGET_MS} ms`,
      );
    if (broken.length > 0) bench.breaches.push(`invariants broken after the drop: ${broken.join('; ')}`);
    if (outOfOrder > 0) bench.breaches.push(`${outOfOrder} fans were admitted before someone ahead of them in the line`);
    if (failedCalls > 0) bench.breaches.push(`${failedCalls} fans hit a failed call (connection error or unreadable answer)`);
    bench.targets.push(
      {
        target: `ticket drop: ${o.fans.toLocaleString('en-US')} fans / ${totalSeats} seats sold out in ≤ ${o.dropSeconds} s`,
        measured: soldOutSeconds === null ? `not sold out: ${soldInDb} sold in ${o.dropSeconds} s` : `${soldOutSeconds} s`,
        met: soldOutSeconds !== null,
      },
      {
        target: 'ticket drop: an admitted fan’s p99 per call ≤ 1 s',
        measured: `${Math.round(admittedP99)} ms`,
        met: admittedP99 <= ADMITTED_P99_TARGET_MS,
      },
      {
        target: `ticket drop: joining p99 ≤ 2 s for ${o.fans.toLocaleString('en-US')} joins in a burst (issue 21 §1)`,
        measured: `${joiningP99Ms.toLocaleString('en-US')} ms`,
        met: joiningP99Ms <= JOINING_P99_TARGET_MS,
      },
      {
        target: 'ticket drop: RSS < 300 MB per process',
        measured: `${memory.maxMb} MB (largest of ${memory.processes} processes)`,
        met: memory.maxMb < RSS_TARGET_MB,
      },
    );
  } finally {
    await app?.stop();
    await sql.end();
  }
}
