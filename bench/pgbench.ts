import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Row } from './http-load';

/**
 * Database ceilings: the least SQL an operation needs, run by pgbench (C, prepared statements, so the
 * client costs next to nothing) against the same database server the app uses.
 */

const run = promisify(execFile);
const PGBENCH = process.env.PGBENCH ?? 'pgbench';
/** pgbench's client threads: one per core of this machine, as the load generator gets. */
const THREADS = Math.max(1, Math.min(2, os.cpus().length));

export function pgbenchAvailable(): boolean {
  try {
    execFileSync(PGBENCH, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PgbenchOptions {
  scenario: string;
  /** postgres:// URL of the database (libpq takes it as the database name). */
  url: string;
  /** The transaction, in pgbench's script language. */
  script: string;
  clients: number;
  duration: number;
  warmup: number;
  note?: string;
}

/** Runs the script `clients` at a time: a discarded warm-up, then `duration` seconds measured. Errors abort a client: counted as errors. */
export async function pgbench(o: PgbenchOptions): Promise<Row> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pgbench-')), 'script.sql');
  fs.writeFileSync(file, o.script);
  const args = (seconds: number) => [
    '-n',
    '-M',
    'prepared',
    '-f',
    file,
    '-c',
    String(o.clients),
    '-j',
    String(THREADS),
    '-T',
    String(seconds),
    o.url,
  ];
  const exec = async (seconds: number) => {
    try {
      const { stdout } = await run(PGBENCH, args(seconds), { maxBuffer: 1 << 24 });
      return { stdout, failed: false };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      process.stderr.write(`  ${o.scenario}: pgbench failed: ${(e.stderr ?? String(error)).split('\n').slice(0, 3).join(' | ')}\n`);
      return { stdout: e.stdout ?? '', failed: true };
    }
  };
  try {
    if (o.warmup > 0) await exec(Math.max(1, Math.round(o.warmup)));
    const { stdout, failed } = await exec(o.duration);
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1] ?? 0);
    const latency = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1] ?? Number.NaN);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0);
    return {
      scenario: o.scenario,
      rps: Math.round(tps),
      p50: Number.NaN,
      p95: Number.NaN,
      p99: Number.NaN,
      errors: failed ? 1 : 0,
      requests: transactions,
      seconds: o.duration,
      note: [o.note, `pgbench -c ${o.clients}, mean ${Number.isNaN(latency) ? '?' : latency.toFixed(1)} ms`].filter(Boolean).join('; '),
    };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
