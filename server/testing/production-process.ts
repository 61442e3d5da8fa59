import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { freePort } from '@/db/embedded';
import { npmStartNodeArgs } from './start-command';
import { UNSENT_MAIL_ENV } from './unsent-mail';

/**
 * The production server as `npm start` runs it (package.json's start command line: the compiled
 * launcher and its heap flags), spawned on a given database, for process-level tests. A preload
 * (request-counter.mjs) counts the requests it received, answered and dropped: the process's own,
 * plus each worker's when it runs several (WEB_CONCURRENCY, default 1 here).
 */
export const productionBuildExists = () => fs.existsSync('.next/BUILD_ID') && fs.existsSync('dist/serve.js');

export interface RequestCounts {
  received: number;
  answered: number;
  dropped: number;
}

export interface ProductionProcess {
  /** http://127.0.0.1:<port>/api/trpc */
  api: string;
  pid: number;
  /** Live counts, as the server reports them (every worker's together). */
  counts: RequestCounts;
  /** Each worker's live counts by pid (empty with one worker: it is the process itself). */
  countsByWorker: () => Map<number, RequestCounts>;
  /** The pids of the processes it forked (its workers), from /proc. */
  workerPids: () => number[];
  /** Whether the process is still running. */
  alive: () => boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The final counts, written as the process exited (and as each worker exited). */
  finalCounts: () => RequestCounts;
  /** Errors that escaped every caller (unhandled rejections, uncaught exceptions) it has logged. */
  strayErrors: () => number;
  /** The end of what it wrote to stderr (its error log: a test under faults makes it long). */
  stderr: () => string;
  /** SIGTERM, then the exit. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 250;
const STDERR_KEPT_CHARS = 64 * 1024;
/**
 * How an error that escaped every caller is logged, by Next's process handlers (which npm start's
 * server installs) and by our own (server/http/request-scope.ts): each is a bug, whether or not the
 * process survives it.
 */
const STRAY_ERROR = /unhandledRejection|uncaughtException|Unhandled(Promise)?Rejection|unhandled rejection:|uncaught exception:/;

/** The processes `pid` forked that still run (Linux: /proc/<pid>/task/<pid>/children). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** package.json's start command line, with the request counter preloaded. */
function startCommand(): string[] {
  return ['--import', path.resolve('server/testing/request-counter.mjs'), ...npmStartNodeArgs()];
}

export async function startProductionProcess(options: { databaseUrl: string; env?: Record<string, string> }): Promise<ProductionProcess> {
  const port = await freePort();
  const countsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-counts-')), 'counts.json');
  const child = spawn(process.execPath, startCommand(), {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      SESSION_SECRET: 'process-test-secret-0123456789abcdef',
      OPERATOR_PASSWORD: 'process-test-operator',
      ...UNSENT_MAIL_ENV,
      REQUEST_COUNTS_FILE: countsFile,
      // Process tests join lines over HTTP; the join challenge has tests of its own (server/queue/join-challenge.test.ts, e2e).
      JOIN_CHALLENGE: 'off',
      // One process unless a test asks for workers: most process tests are about one server.
      WEB_CONCURRENCY: '1',
      ...options.env,
    },
  });
  // "Ready on …" is logged once every worker listens (health.ping answers as soon as one does).
  let announcedReady = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (/Ready on /.test(chunk.toString())) announcedReady = true;
  });
  let stderr = '';
  let strays = 0;
  let partialLine = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-STDERR_KEPT_CHARS);
    const lines = (partialLine + text).split('\n');
    partialLine = lines.pop()!;
    strays += lines.filter((line) => STRAY_ERROR.test(line)).length;
  });
  const ownCounts: RequestCounts = { received: 0, answered: 0, dropped: 0 };
  child.on('message', (message: { requestCounts?: RequestCounts }) => {
    if (message.requestCounts) Object.assign(ownCounts, message.requestCounts);
  });
  const countsByWorker = () => {
    const byPid = new Map<number, RequestCounts>();
    const prefix = `${path.basename(countsFile)}.`;
    for (const name of fs.readdirSync(path.dirname(countsFile))) {
      if (!name.startsWith(prefix)) continue;
      try {
        byPid.set(
          Number(name.slice(prefix.length)),
          JSON.parse(fs.readFileSync(path.join(path.dirname(countsFile), name), 'utf8')) as RequestCounts,
        );
      } catch {
        // Gone between the listing and the read: nothing else (workers replace their file in one step).
      }
    }
    return byPid;
  };
  const sum = (parts: RequestCounts[]): RequestCounts =>
    parts.reduce((a, b) => ({ received: a.received + b.received, answered: a.answered + b.answered, dropped: a.dropped + b.dropped }), {
      received: 0,
      answered: 0,
      dropped: 0,
    });
  const live = () => sum([ownCounts, ...countsByWorker().values()]);
  const counts: RequestCounts = {
    get received() {
      return live().received;
    },
    get answered() {
      return live().answered;
    },
    get dropped() {
      return live().dropped;
    },
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  /** The launcher and its workers: a SIGKILL of the launcher alone leaves its workers running, orphaned. */
  const killAll = () => {
    const workers = childrenOf(child.pid!);
    child.kill('SIGKILL');
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  };
  // Whatever the test's outcome, the server does not outlive it (nor do its workers), nor its counts file.
  onTestFinished(() => {
    if (alive()) killAll();
    fs.rmSync(path.dirname(countsFile), { recursive: true, force: true });
  });
  const api = `http://127.0.0.1:${port}/api/trpc`;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!alive()) throw new Error(`npm start exited during start-up: ${stderr.trim()}`);
    const ready =
      announcedReady &&
      (await fetch(`${api}/health.ping`).then(
        (r) => r.ok,
        () => false,
      ));
    if (ready) break;
    if (Date.now() > deadline) {
      killAll();
      throw new Error(`npm start did not answer within ${READY_TIMEOUT_MS / 1000} s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }

  return {
    api,
    pid: child.pid!,
    counts,
    alive,
    exited,
    countsByWorker,
    workerPids: () => childrenOf(child.pid!),
    finalCounts: () => sum([JSON.parse(fs.readFileSync(countsFile, 'utf8')) as RequestCounts, ...countsByWorker().values()]),
    strayErrors: () => strays,
    stderr: () => stderr,
    stop: () => {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
}
