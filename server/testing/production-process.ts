import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../db/embedded';

/**
 * The production server as `npm start` runs it (package.json's start command line: the compiled
 * launcher and its heap flags), spawned on a given database, for process-level tests. A preload
 * (request-counter.mjs) counts the requests it received, answered and dropped.
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
  /** Live counts, as the server reports them. */
  counts: RequestCounts;
  /** Whether the process is still running. */
  alive: () => boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The final counts, written as the process exited. */
  finalCounts: () => RequestCounts;
  /** What it wrote to stderr (also passed through to the test's stderr). */
  stderr: () => string;
  /** SIGTERM, then the exit. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 250;

/** package.json's start command line, with the request counter preloaded. */
function startCommand(): string[] {
  const { scripts } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start should run node directly, not ${node}`);
  return ['--import', path.resolve('server/testing/request-counter.mjs'), ...args];
}

export async function startProductionProcess(options: { databaseUrl: string; env?: Record<string, string> }): Promise<ProductionProcess> {
  const port = await freePort();
  const countsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-counts-')), 'counts.json');
  const child = spawn(process.execPath, startCommand(), {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      SESSION_SECRET: 'process-test-secret-0123456789abcdef',
      REQUEST_COUNTS_FILE: countsFile,
      ...options.env,
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  const counts: RequestCounts = { received: 0, answered: 0, dropped: 0 };
  child.on('message', (message: { requestCounts?: RequestCounts }) => {
    if (message.requestCounts) Object.assign(counts, message.requestCounts);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const api = `http://127.0.0.1:${port}/api/trpc`;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!alive()) throw new Error(`npm start exited during start-up: ${stderr.trim()}`);
    const ready = await fetch(`${api}/health.ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
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
    finalCounts: () => {
      const final = JSON.parse(fs.readFileSync(countsFile, 'utf8')) as RequestCounts;
      fs.rmSync(path.dirname(countsFile), { recursive: true, force: true });
      return final;
    },
    stderr: () => stderr,
    stop: () => {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
}
