import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, startEmbeddedPostgres, withDatabase, type EmbeddedServer } from '../db/embedded';
import { applyMigrations } from '../db/migrate';
import { ensureDatabase } from '../db/provision';

export const BENCH_SECRET = 'bench-session-secret-0123456789abcdef-xyz';

export interface Cluster {
  server: EmbeddedServer;
  /** A fresh, migrated database on the cluster. */
  database: (name: string) => Promise<string>;
  stop: () => Promise<void>;
}

export async function startCluster(): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-bench-pg-'));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({ dir: path.join(dir, 'data'), persistent: false });
  return {
    server,
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

export interface AppServer {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * The app as deployed: `custom` is `npm start`'s server (tRPC's Node adapter for the API), `next` is
 * `next start` (the Next route handler, as on Vercel). Both on the production build.
 */
export async function startApp(kind: 'custom' | 'next', databaseUrl: string, env: Record<string, string> = {}): Promise<AppServer> {
  const port = await freePort();
  const command =
    kind === 'custom' ? npmStartCommand() : [process.execPath, 'node_modules/next/dist/bin/next', 'start', '--port', String(port)];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: BENCH_SECRET,
      OPERATOR_PASSWORD: BENCH_SECRET,
      PORT: String(port),
      DATABASE_POOL_MAX: '20',
      // All the load comes from one loopback address: the limiter would measure itself, not the service.
      RATE_LIMIT_PER_MINUTE: '0',
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
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Exactly what `npm start` runs (its heap budget included), as one process whose memory we can read. */
function npmStartCommand(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start should run node directly, not ${node}`);
  return [process.execPath, ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args];
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
