import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, startEmbeddedPostgres, withDatabase, type EmbeddedServer } from '@/db/embedded';
import { applyMigrations } from '@/db/migrate';
import { ensureDatabase } from '@/server/provision';
import type { PgBouncer } from '@/server/testing/pgbouncer';
import { npmStartNodeArgs } from '@/server/testing/start-command';
import { UNSENT_MAIL_ENV } from '@/server/testing/unsent-mail';
import { trpcGet } from './http';
import { runLoad } from './http-load';

export const BENCH_SECRET = 'bench-session-secret-0123456789abcdef-xyz';

export interface Cluster {
  server: EmbeddedServer;
  /** pg_stat_statements is loaded (its view lives in the `postgres` database, covering every database). */
  statements: boolean;
  /** A fresh, migrated database on the cluster. */
  database: (name: string) => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * The embedded PostgreSQL of the benchmark, with pg_stat_statements loaded (statements per call are
 * counted from it): the library can only be preloaded at start-up, so the cluster is initialised,
 * configured with ALTER SYSTEM and started again. `statements` is false when the extension is missing.
 */
export async function startCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  const first = await startEmbeddedPostgres({ dir: dataDir, persistent: true });
  let statements = false;
  const setup = postgres(first.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await setup<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'pg_stat_statements'`;
    if (row!.n > 0) {
      await setup`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`;
      await setup`ALTER SYSTEM SET pg_stat_statements.track = 'all'`;
      statements = true;
    }
  } finally {
    await setup.end();
    await first.stop();
  }
  const server = await startEmbeddedPostgres({ dir: dataDir, persistent: false });
  if (statements) {
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    await admin`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.catch(() => (statements = false));
    await admin.end();
  }
  return {
    server,
    statements,
    database: async (name) => {
      const admin = postgres(server.url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await ensureDatabase(server.url, name);
      const url = withDatabase(server.url, name);
      await applyMigrations(url);
      return url;
    },
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** While set (`npm run bench -- --pooler`'s second pass), apps reach their database through it. */
let pooler: PgBouncer | undefined;

/** Routes the apps started from now on through PgBouncer in transaction mode (undefined: directly again). */
export function routeAppsThrough(through: PgBouncer | undefined): void {
  pooler = through;
}

/** The database URL as an app reaches it: the same database, on PgBouncer's port while one is set. */
function appDatabaseUrl(direct: string): { url: string; env: Record<string, string> } {
  if (!pooler) return { url: direct, env: {} };
  const url = new URL(direct);
  url.port = new URL(pooler.url).port;
  return { url: url.toString(), env: { DATABASE_POOLER: 'transaction' } };
}

export interface AppServer {
  url: string;
  pid: number;
  /** The server's process has ended (crashed, or ran out of memory). */
  exited: () => boolean;
  stop: () => Promise<void>;
}

/**
 * The app as deployed: `custom` is `npm start`'s server (tRPC's Node adapter for the API), `next` is
 * `next start` (the Next route handler, as on Vercel). Both on the production build.
 */
export async function startApp(kind: 'custom' | 'next', databaseUrl: string, env: Record<string, string> = {}): Promise<AppServer> {
  const port = await freePort();
  const database = appDatabaseUrl(databaseUrl);
  const command =
    kind === 'custom' ? npmStartCommand() : [process.execPath, 'node_modules/next/dist/bin/next', 'start', '--port', String(port)];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...inheritedEnv(),
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: database.url,
      ...database.env,
      SESSION_SECRET: BENCH_SECRET,
      OPERATOR_PASSWORD: BENCH_SECRET,
      ...UNSENT_MAIL_ENV,
      PORT: String(port),
      // All the load comes from one loopback address: the limiter would measure itself, not the service.
      RATE_LIMIT_PER_MINUTE: '0',
      // The rows measure the line itself; the challenge's own costs are the `challenge` scenario's.
      JOIN_CHALLENGE: 'off',
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${kind} server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 300) throw new Error(`${kind} server did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await warmUp(url);
  return {
    url,
    pid: child.pid!,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: async () => {
      const tree = processTree(child.pid!);
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      // Workers the primary left behind (they are ours: started by this server).
      for (const pid of tree.slice(1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** A freshly started server loads its routes and compiles its hot code on its first calls. */
const FRESH_SERVER_WARMUP_SECONDS = 2;
const FRESH_SERVER_WARMUP_CONNECTIONS = 10;

/** Calls a new server for a moment before any row measures it (its first row then compares like with like). */
async function warmUp(url: string): Promise<void> {
  await runLoad({
    scenario: 'warm-up of a new server',
    url,
    connections: FRESH_SERVER_WARMUP_CONNECTIONS,
    duration: FRESH_SERVER_WARMUP_SECONDS,
    warmup: 0,
    task: async (send) => (await send(trpcGet('health.ping')), true),
  });
}

/** This process's environment without the settings the benchmark must see at their defaults (pool size, workers). */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_POOL_MAX;
  delete env.WEB_CONCURRENCY;
  return env;
}

/** Exactly what `npm start` runs (its heap budget included), as one process whose memory we can read. */
function npmStartCommand(): string[] {
  return [process.execPath, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...npmStartNodeArgs()];
}

/** A process and all its descendants (the primary of `npm start` and its workers), from /proc. */
export function processTree(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const list = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (list) children.push(...list.split(/\s+/).map(Number));
    }
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(processTree)];
}

/** Samples the resident memory of every process of a server while it runs; `stop` gives the largest one seen. */
export function rssSampler(pid: number, everyMs = 250): { stop: () => { maxMb: number; processes: number } } {
  let maxMb = 0;
  let processes = 0;
  const sample = () => {
    const tree = processTree(pid);
    processes = Math.max(processes, tree.length);
    for (const p of tree) maxMb = Math.max(maxMb, rssMb(p));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { maxMb, processes };
    },
  };
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}
