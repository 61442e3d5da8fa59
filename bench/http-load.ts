import type { HttpResponse, Send } from './http';
import { httpPool, retryAfterMs, send, wasShed } from './http';

/** One line of the table: a rate over measured time, with the latencies behind it. */
export interface Row {
  scenario: string;
  /** Successful answers a second, over the measured time. */
  rps: number;
  /** Correct refusals (e.g. 409 SEAT_UNAVAILABLE) a second, counted apart from successes. */
  refusedRps?: number;
  p50: number;
  p95: number;
  p99: number;
  /** Server errors (5xx), wrong statuses and failed connections: each one fails the benchmark. */
  errors: number;
  requests: number;
  /** Length of the measured window. */
  seconds: number;
  /** Ratio to the ceiling named in `of` (e.g. 0.62 of trpc-node). */
  ratio?: { value: number; of: string };
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function rowFrom(scenario: string, latencies: number[], seconds: number, errors: number, note?: string): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    scenario,
    rps: Math.round(latencies.length / seconds),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors,
    requests: latencies.length,
    seconds: +seconds.toFixed(2),
    note,
  };
}

export type Outcome = 'ok' | 'refused' | 'error';

/** Default: 2xx is a success, anything else an error. */
const twoHundreds = (res: HttpResponse): Outcome => (res.status >= 200 && res.status < 300 ? 'ok' : 'error');

export interface LoadOptions {
  scenario: string;
  url: string;
  connections: number;
  /** Measured seconds, after `warmup` discarded seconds. */
  duration: number;
  warmup: number;
  /**
   * One unit of work of one connection: makes its calls with `send` (each timed and classified).
   * Returns false when its fixtures are used up: the measured window then ends at the last answer.
   */
  task: (send: Send) => Promise<boolean>;
  classify?: (res: HttpResponse) => Outcome;
  /** Called as the measured window opens and closes (e.g. to read the database's counters). */
  window?: { opened: () => Promise<void>; closed: () => Promise<void> };
  note?: string;
}

/**
 * Duration-based HTTP load from this process (undici, keep-alive, `connections` workers each waiting
 * for its answer before the next call). The rate is answers ÷ the measured window's own elapsed time
 * (never a request count ÷ a timer's tick); the warm-up's answers are discarded.
 */
export async function runLoad(o: LoadOptions): Promise<Row> {
  const pool = httpPool(o.url, o.connections);
  const classify = o.classify ?? twoHundreds;
  let recording = false;
  let exhausted = false;
  const latencies: number[] = [];
  let ok = 0;
  let refused = 0;
  let errors = 0;
  let lastAnswer = 0;
  const errorSamples = new Set<string>();

  const timedSend: Send = async (request) => {
    try {
      const res = await send(pool, request);
      // Shed by the server's admission control: counted as refused, and the connection waits as asked.
      if (wasShed(res)) {
        if (recording) refused++;
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs(res)));
        return res;
      }
      if (recording) {
        latencies.push(res.ms);
        lastAnswer = performance.now();
        const outcome = classify(res);
        if (outcome === 'ok') ok++;
        else if (outcome === 'refused') refused++;
        else {
          errors++;
          if (errorSamples.size < 3) errorSamples.add(`${res.status} ${res.text.slice(0, 200)}`);
        }
      }
      return res;
    } catch (error) {
      if (recording) {
        errors++;
        if (errorSamples.size < 3) errorSamples.add(String(error));
      }
      throw error;
    }
  };

  const phase = async (seconds: number) => {
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (!exhausted && performance.now() < until) {
          const more = await o.task(timedSend).catch(() => true);
          if (!more) exhausted = true;
        }
      }),
    );
  };

  try {
    if (o.warmup > 0) await phase(o.warmup);
    if (exhausted) throw new Error(`${o.scenario}: its fixtures ran out during the warm-up`);
    await o.window?.opened();
    recording = true;
    const started = performance.now();
    await phase(o.duration);
    recording = false;
    await o.window?.closed();
    const seconds = ((exhausted ? lastAnswer : performance.now()) - started) / 1000;
    const row = rowFrom(o.scenario, latencies, seconds, errors, o.note);
    row.rps = Math.round(ok / seconds);
    if (refused > 0 || o.classify) row.refusedRps = Math.round(refused / seconds);
    if (exhausted) row.note = [row.note, `fixtures ran out after ${seconds.toFixed(1)} s`].filter(Boolean).join('; ');
    if (errorSamples.size) process.stderr.write(`  ${o.scenario}: errors, e.g. ${[...errorSamples].join(' | ')}\n`);
    return row;
  } finally {
    await pool.close();
  }
}

/** Spreads work over a list: each call takes the next item, round and round. */
export function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}

/** Hands out each item once, then undefined (for fixtures that are used up: a hold paid, a user who joined). */
export function once<T>(items: T[]): () => T | undefined {
  let i = 0;
  return () => items[i++];
}
