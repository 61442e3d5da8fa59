import postgres from 'postgres';
import { Pool } from 'undici';
import { checkInvariants, type InvariantReport } from '../server/invariants';
import { makeHall } from './fixtures';
import { rowFrom, type Row } from './http-load';
import { rssMb } from './servers';

/**
 * Scenario 6, the ticket drop: `fans` people join at once against `seats` seats over `dates` dates,
 * with the server's default admission settings. Each behaves like the waiting-room page (polls with
 * backoff and jitter), then, once admitted, picks a date and a free seat, holds it (another seat if it
 * loses the race), charges what the seat costs and pays. Runs until every seat is sold (or time is up).
 */
export interface DropOptions {
  url: string;
  databaseUrl: string;
  serverPid: number;
  fans: number;
  seats: number;
  dates: number;
  connections: number;
  maxSeconds: number;
  maxActive: number;
}

export interface DropReport {
  row: Row;
  soldOutSeconds: number | null;
  sold: number;
  admitted: number;
  admittedOutOfOrder: number;
  lostRaces: number;
  maxRssMb: number;
  invariants: InvariantReport[];
}

const POLL_MIN_MS = 1_500;
const POLL_MAX_MS = 10_000;
const PRICE = 100_000;
const HOLD_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => ms * (0.75 + Math.random() * 0.5);

interface QueueState {
  status: 'prequeue' | 'waiting' | 'active' | 'expired' | 'closed';
  position: number | null;
}

export async function ticketDrop(o: DropOptions): Promise<DropReport> {
  const sql = postgres(o.databaseUrl, { max: 2, onnotice: () => {} });
  const seatsByDate = await makeHall(sql, o.dates, Math.ceil(o.seats / o.dates), PRICE, { maxActive: o.maxActive });
  const { concertId } = seatsByDate;
  const totalSeats = seatsByDate.reduce((n, d) => n + d.length, 0);

  const pool = new Pool(o.url, { connections: o.connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let sold = 0;
  let lostRaces = 0;
  let soldOutAt: number | null = null;
  const started = performance.now();
  const deadline = started + o.maxSeconds * 1000;
  const over = () => soldOutAt !== null || performance.now() > deadline;

  /** One tRPC call as a fan's browser makes it; `T` is what the procedure answers. */
  async function call<T = unknown>(method: 'GET' | 'POST', procedure: string, cookie: string, input?: unknown) {
    const path =
      method === 'GET'
        ? `/api/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
        : `/api/trpc/${procedure}`;
    const t0 = performance.now();
    const res = await pool.request({
      method,
      path,
      headers: { cookie, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify(input ?? {}) : undefined,
    });
    const text = await res.body.text();
    latencies.push(performance.now() - t0);
    if (res.statusCode >= 500) errors++;
    const setCookie = res.headers['set-cookie'];
    const cookies = (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]!);
    return { status: res.statusCode, json: JSON.parse(text) as { result?: { data: T }; error?: { data: { reason: string } } }, cookies };
  }

  async function fan() {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const remember = (cookies: string[]) => cookies.forEach((c) => jar.set(c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)));

    remember((await call('POST', 'session.start', cookie())).cookies);
    const issued = await call<QueueState>('POST', 'queue.issue', cookie(), { concertId });
    remember(issued.cookies);
    let status: string = issued.json.result?.data.status ?? 'waiting';
    let position: number | null = issued.json.result?.data.position ?? null;
    let delay = POLL_MIN_MS;
    while (status !== 'active') {
      if (over()) return;
      await sleep(jitter(delay));
      if (over()) return;
      const polled = await call<QueueState>('GET', 'queue.status', cookie());
      const next = polled.json.result?.data;
      if (!next) continue;
      delay = next.position === position ? Math.min(POLL_MAX_MS, delay * 1.5) : POLL_MIN_MS;
      ({ status, position } = next);
      if (status === 'closed') return; // sold out: the line closed
      if (status === 'expired') {
        remember((await call('POST', 'queue.issue', cookie(), { concertId })).cookies);
        status = 'waiting';
      }
    }

    const dates = (await call<{ scheduleId: number; availableSeats: number }[]>('GET', 'concert.dates', cookie(), { concertId })).json
      .result?.data;
    let open = dates?.filter((d) => d.availableSeats > 0) ?? [];
    let hold: { reservationId: number; price: number } | undefined;
    for (let attempt = 0; attempt < HOLD_ATTEMPTS && !hold && open.length > 0 && !over(); attempt++) {
      const date = open[Math.floor(Math.random() * open.length)]!;
      const seats = (await call<{ seatId: number; status: string }[]>('GET', 'concert.seats', cookie(), { scheduleId: date.scheduleId }))
        .json.result?.data;
      const free = seats?.filter((s) => s.status === 'available') ?? [];
      if (free.length === 0) {
        open = open.filter((d) => d !== date);
        continue;
      }
      const seat = free[Math.floor(Math.random() * free.length)]!;
      const held = await call<{ reservationId: number; price: number }>('POST', 'reservation.hold', cookie(), { seatId: seat.seatId });
      if (held.json.result) hold = held.json.result.data;
      else lostRaces++;
    }
    if (!hold) return;
    await call('POST', 'wallet.charge', cookie(), { amount: hold.price });
    const paid = await call('POST', 'payment.pay', cookie(), { reservationId: hold.reservationId });
    if (paid.json.result && ++sold === totalSeats) soldOutAt = performance.now();
  }

  let maxRss = rssMb(o.serverPid);
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(o.serverPid))), 250);
  await Promise.all(
    Array.from({ length: o.fans }, () =>
      fan().catch(() => {
        errors++;
      }),
    ),
  );
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  await pool.close();

  // Admission order against issue order: a token admitted strictly before an earlier ticket was.
  const admittedRows = await sql<
    { id: string; admitted_at: Date }[]
  >`SELECT id, admitted_at FROM queue_tokens WHERE admitted_at IS NOT NULL ORDER BY id`;
  let latest = 0;
  let outOfOrder = 0;
  for (const r of admittedRows) {
    const t = r.admitted_at.getTime();
    if (t < latest) outOfOrder++;
    latest = Math.max(latest, t);
  }
  const [{ n: soldInDb } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM reservations WHERE status = 'confirmed'`;
  const invariants = await checkInvariants(sql, o.maxActive);
  await sql.end();

  const soldOutSeconds = soldOutAt === null ? null : (soldOutAt - started) / 1000;
  return {
    row: rowFrom('6. ticket drop', latencies, seconds, errors, `${o.fans} fans, ${totalSeats} seats`),
    soldOutSeconds,
    sold: soldInDb,
    admitted: admittedRows.length,
    admittedOutOfOrder: outOfOrder,
    lostRaces,
    maxRssMb: maxRss,
    invariants,
  };
}
