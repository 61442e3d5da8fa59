import autocannon from 'autocannon';

export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  requests: number;
  /** Ratio to the ceiling named in `of` (e.g. 0.62 of trpc-node). */
  ratio?: { value: number; of: string };
  note?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
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
    note,
  };
}

export interface LoadOptions {
  scenario: string;
  url: string;
  connections: number;
  /** Seconds; or `amount` requests in all. */
  duration?: number;
  amount?: number;
  requests: autocannon.Request[];
  /** Statuses that are a correct answer (default 2xx); anything else counts as an error. */
  ok?: (status: number) => boolean;
  note?: string;
}

/** Discarded before a timed run: the server's JIT and pools warm up, as they are in production. */
const WARMUP_SECONDS = 2;

/** HTTP load from this process (the server is another), with every latency kept. */
export async function runLoad(options: LoadOptions): Promise<Row> {
  if (!options.amount) {
    await new Promise<void>((resolve, reject) =>
      autocannon(
        { url: options.url, connections: options.connections, duration: WARMUP_SECONDS, requests: options.requests, timeout: 10 },
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  }
  const latencies: number[] = [];
  let errors = 0;
  const ok = options.ok ?? ((s: number) => s >= 200 && s < 300);
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
        requests: options.requests,
        timeout: 10,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (!ok(status)) errors++;
    });
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return rowFrom(options.scenario, latencies, seconds, errors + result.errors + result.timeouts, options.note);
}

/** Spreads requests over a list: the n-th request of any connection takes the next item. */
export function cycle<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length]!;
}
