import { parseEnv } from '@/server/env';
import type { Row } from './http-load';
import type { Cluster } from './servers';

/** What every scenario gets: the options, the cluster, and where its results go. */

export interface Options {
  /** Measured seconds of each timed run, and the discarded warm-up before it. */
  duration: number;
  warmup: number;
  /** Concurrent HTTP connections (and pgbench clients) of the throughput rows. */
  connections: number;
  fans: number;
  seats: number;
  /** The ticket drop fails the benchmark when not sold out in this many seconds. */
  dropSeconds: number;
  races: number;
  lineSizes: number[];
  /** Distinct waiting fans of the polling rows. */
  pollers: number;
  smoke: boolean;
}

/** One target of the issue, with what this run measured. `met` null: not measured in this run. */
export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface Bench {
  o: Options;
  cluster: Cluster;
  rows: Row[];
  facts: Record<string, unknown>;
  /** Rates that other rows are compared with, by name (`trpc-node`: tRPC ping via npm start). */
  ceilings: Map<string, number>;
  targets: Target[];
  /** Correctness breaches: each fails the benchmark (exit 1). */
  breaches: string[];
  log: (line: string) => void;
  /** Appended to the names of the rows added (the `--pooler` pass: " · PgBouncer"). */
  label?: string;
}

const DEFAULTS = parseEnv({});
/** The server's defaults, as users run it. */
export const DEFAULT_MAX_ACTIVE = DEFAULTS.QUEUE_MAX_ACTIVE;
export const DEFAULT_POOL = DEFAULTS.DATABASE_POOL_MAX;

export function ratio(bench: Bench, row: Row, of: string): Row {
  const ceiling = bench.ceilings.get(of);
  if (ceiling) row.ratio = { value: row.rps / ceiling, of };
  return row;
}

export function addRow(bench: Bench, row: Row): Row {
  if (bench.label) row.scenario += bench.label;
  bench.rows.push(row);
  bench.log(
    `  ${row.scenario}: ${row.rps.toLocaleString('en-US')}/s${row.refusedRps !== undefined ? ` (+${row.refusedRps}/s refused)` : ''}, p50 ${row.p50.toFixed(1)} ms${row.errors ? `, ${row.errors} errors` : ''}`,
  );
  return row;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
