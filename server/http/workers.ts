import cluster, { type Worker } from 'node:cluster';

/**
 * `npm start` on every core: the primary process forks WEB_CONCURRENCY workers (node:cluster; they
 * inherit its Node flags and environment), each runs the production server on the same port, and
 * the primary only watches them. Workers share nothing but PostgreSQL: each has its own pool and its
 * own caches (a date's seat map, at most SEAT_MAP_MAX_AGE_MS old).
 */

/**
 * A worker that dies is replaced at once; past this many deaths within the window, each further
 * replacement waits longer (RESTART_BACKOFF_MS doubling up to MAX_RESTART_DELAY_MS), unless no worker
 * is left, when one is started at once. The process never stops on its own: whatever kills workers
 * (a bug, or requests from outside), it must not be able to leave the site with no server at all.
 */
export const MAX_RESTARTS = 5;
export const RESTART_WINDOW_MS = 60_000;
export const RESTART_BACKOFF_MS = 1_000;
export const MAX_RESTART_DELAY_MS = 30_000;
/** How long the primary waits for a worker's graceful stop (the server's own grace is 10 s) before killing it. */
export const WORKER_STOP_TIMEOUT_MS = 15_000;

const READY_MESSAGE = 'tickets:worker-ready';

/**
 * Deaths seen in the last `RESTART_WINDOW_MS`: whether one more may be replaced. Pure, so a crash
 * loop's end is tested without crashing anything.
 */
export class RestartBudget {
  private deaths: number[] = [];
  constructor(
    private readonly max = MAX_RESTARTS,
    private readonly windowMs = RESTART_WINDOW_MS,
  ) {}
  /** Records a death at `now`; false once more than `max` fell within the window. */
  allow(now: number): boolean {
    this.deaths = this.deaths.filter((t) => now - t < this.windowMs);
    this.deaths.push(now);
    return this.deaths.length <= this.max;
  }
  get recent(): number {
    return this.deaths.length;
  }
  /**
   * How long to wait before replacing the worker whose death was just recorded: nothing within the
   * budget, then RESTART_BACKOFF_MS doubling with every further death in the window, up to
   * MAX_RESTART_DELAY_MS.
   */
  get delayMs(): number {
    const over = this.deaths.length - this.max;
    return over <= 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, RESTART_BACKOFF_MS * 2 ** (over - 1));
  }
}

const describeExit = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `exit code ${code}`);

export interface PrimaryOptions {
  workers: number;
  port: number;
  /** After every worker has stopped (the embedded database's stop). */
  afterStop: () => Promise<void>;
}

/**
 * Runs the primary: forks the workers, logs "Ready on …" once all of them listen, replaces a worker
 * that dies (after a growing delay in a crash loop, at once when none is left; a death during
 * start-up, a configuration that cannot start, ends the process with exit code 1), and on
 * SIGTERM/SIGINT stops every worker gracefully (each answers what it took), then `afterStop`, then exits.
 */
export function runPrimary({ workers, port, afterStop }: PrimaryOptions): void {
  // The workers accept connections themselves (the kernel spreads them): with round-robin the primary
  // accepts and hands each socket over, and a socket handed to a worker that dies at that moment was
  // left open in the primary, unanswered, for good (found by killing workers under load).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const budget = new RestartBudget();
  let ready = 0;
  let allReady = false;
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (message !== READY_MESSAGE || allReady) return;
      ready++;
      if (ready === workers) {
        allReady = true;
        console.log(`Ready on http://localhost:${port} (${workers} workers)`);
      }
    });
  };

  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    for (const timer of pending) clearTimeout(timer);
    const clean = await stopWorkers();
    await afterStop().catch((error: unknown) => console.error(error));
    process.exit(clean ? exitCode : 1);
  };

  /** Replacements waiting out their delay. */
  const pending = new Set<NodeJS.Timeout>();
  const forkLater = (delayMs: number) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      // One started at once meanwhile (none was left) may already stand in for this one.
      if (!stopping && liveWorkers() < workers) fork();
    }, delayMs);
    pending.add(timer);
  };
  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead()).length;

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const how = describeExit(code, signal);
    if (!allReady) {
      console.error(`A worker (pid ${worker.process.pid}) stopped during start-up (${how}); stopping.`);
      return void stop(1);
    }
    if (budget.allow(Date.now())) {
      console.error(`Worker pid ${worker.process.pid} stopped (${how}); starting another.`);
      return fork();
    }
    // None left: one starts now whatever the delay, so the port always has a server behind it.
    const delayMs = liveWorkers() === 0 ? 0 : budget.delayMs;
    console.error(
      `Workers keep dying (${budget.recent} in ${RESTART_WINDOW_MS / 1000} s, the last with ${how}); starting another in ${delayMs / 1000} s.`,
    );
    forkLater(delayMs);
  });

  for (let i = 0; i < workers; i++) fork();
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

/** SIGTERM to every live worker, then waits for each to exit (killing it after WORKER_STOP_TIMEOUT_MS). True when all exited 0. */
async function stopWorkers(): Promise<boolean> {
  const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const codes = await Promise.all(
    live.map(
      (worker) =>
        new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_TIMEOUT_MS);
          worker.once('exit', (code: number | null) => {
            clearTimeout(timer);
            resolve(code);
          });
          worker.process.kill('SIGTERM');
        }),
    ),
  );
  return codes.every((code) => code === 0);
}

/**
 * A worker: the production server on the shared port; tells the primary when it listens. It stops on
 * SIGTERM from the primary; a terminal's Ctrl-C (SIGINT to the whole group) is left to the primary,
 * which stops every worker the same way.
 */
export async function runWorker(port: number): Promise<void> {
  const { startProductionServer, stopProductionServer } = await import('./production-server');
  const started: { server?: Awaited<ReturnType<typeof startProductionServer>> } = {};
  let stopping = false;
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    // Still starting: nothing was accepted yet.
    if (!started.server) return process.exit(0);
    void stopProductionServer(started.server).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  started.server = await startProductionServer(port);
  process.send?.(READY_MESSAGE);
}
