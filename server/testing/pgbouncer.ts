import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, systemAccount } from '@/db/embedded';

/**
 * Debian's PgBouncer in front of a PostgreSQL server, on loopback, for the tests and the bench that
 * run the app as hosted deployments do (Vercel previews, Supabase, Neon: a pooler in transaction mode
 * between the functions and the database). `.ci/run` installs it when missing.
 *
 * Every database of the server passes through (`* =`), each with its own pool of server connections;
 * clients log in with the server's own user and password (`auth_type = plain`, checked by PgBouncer
 * against a user list written here). In transaction mode a client's session lasts one transaction:
 * no prepared statements (the app's `DATABASE_POOLER=transaction` turns them off), no session
 * settings, no LISTEN.
 */

export type PoolMode = 'session' | 'transaction';

export interface PgBouncer {
  /** The server URL with PgBouncer's port: same user, password and database names. */
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Where Debian puts it, for callers whose PATH lacks /usr/sbin; PGBOUNCER_PATH overrides. */
const CANDIDATES = ['pgbouncer', '/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const STOP_TIMEOUT_MS = 5_000;
/** Server connections per database and user: above the app's pool (10) and a test's (24) alike. */
const POOL_SIZE = 30;
const MAX_CLIENT_CONNECTIONS = 4_000;

/** The PgBouncer executable, or undefined when none is installed. */
export function pgbouncerPath(): string | undefined {
  const wanted = process.env.PGBOUNCER_PATH;
  if (wanted) return fs.existsSync(wanted) ? wanted : undefined;
  for (const candidate of CANDIDATES) {
    if (candidate.includes('/')) {
      if (fs.existsSync(candidate)) return candidate;
      continue;
    }
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      const file = path.join(dir, candidate);
      if (dir && fs.existsSync(file)) return file;
    }
  }
  return undefined;
}

function configuration(server: URL, { port, mode, dir }: { port: number; mode: PoolMode; dir: string }): string {
  return `[databases]
* = host=${server.hostname} port=${server.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = plain
auth_file = ${path.join(dir, 'userlist.txt')}
pool_mode = ${mode}
default_pool_size = ${POOL_SIZE}
max_client_conn = ${MAX_CLIENT_CONNECTIONS}
ignore_startup_parameters = extra_float_digits
server_lifetime = 3600
server_idle_timeout = 60
autodb_idle_timeout = 60
`;
}

const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;

async function untilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PgBouncer exited during start-up: ${log()}`);
    const probe = postgres(url, { max: 1, prepare: false, fetch_types: false, connect_timeout: 2, onnotice: () => {} });
    try {
      await probe`SELECT 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`PgBouncer did not answer within ${READY_TIMEOUT_MS / 1000} s: ${log()}`, { cause: error });
    } finally {
      await probe.end({ timeout: 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/**
 * Starts PgBouncer in front of `serverUrl`'s server (in `mode`, transaction by default) and resolves
 * once a query passes through it. It runs as the `postgres` system user when we are root (it refuses
 * to run as root), and is stopped with this process if that ends first.
 */
export async function startPgBouncer(serverUrl: string, options: { mode?: PoolMode } = {}): Promise<PgBouncer> {
  const executable = pgbouncerPath();
  if (!executable) throw new Error('PgBouncer is not installed: `apt-get install pgbouncer` (.ci/run does), or set PGBOUNCER_PATH.');
  const server = new URL(serverUrl);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-pgbouncer-'));
  const account = os.userInfo().uid === 0 ? systemAccount() : undefined;
  const user = decodeURIComponent(server.username);
  const userList = path.join(dir, 'userlist.txt');
  fs.writeFileSync(userList, `${quote(user)} ${quote(decodeURIComponent(server.password))}\n`, { mode: 0o600 });
  const configFile = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(configFile, configuration(server, { port, mode: options.mode ?? 'transaction', dir }), { mode: 0o644 });
  if (account) {
    fs.chmodSync(dir, 0o755);
    fs.chownSync(userList, account.uid, account.gid);
  }
  const args = [...(account ? ['-u', 'postgres'] : []), configFile];
  const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_192)));
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      process.off('exit', onExit);
      const done = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      // SIGINT: PgBouncer's "safe shutdown" waits for clients; SIGTERM closes at once.
      child.kill('SIGTERM');
    });
  try {
    await untilReady(url.toString(), child, () => output.trim());
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: url.toString(), pid: child.pid!, stop };
}
