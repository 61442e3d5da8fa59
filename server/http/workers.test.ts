import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { productionBuildExists, startProductionProcess, type ProductionProcess } from '@/server/testing/production-process';
import { useTestDatabase } from '@/server/testing/test-database';
import { MAX_RESTART_DELAY_MS, MAX_RESTARTS, RESTART_BACKOFF_MS, RESTART_WINDOW_MS, RestartBudget } from './workers';

/**
 * `npm start` with WEB_CONCURRENCY=2: two worker processes answer on one port, a worker that dies is
 * replaced, and a crash loop slows the replacements down but never leaves the port without a server. (SIGTERM with two workers: server/security/sigterm.test.ts.)
 * The process tests need the production build (`npm test` makes it) and are skipped without it.
 */

describe('the restart budget', () => {
  it('replaces up to MAX_RESTARTS deaths within the window, and forgets deaths older than it', () => {
    const budget = new RestartBudget();
    for (let i = 0; i < MAX_RESTARTS; i++) expect(budget.allow(1_000 + i)).toBe(true);
    expect(budget.allow(2_000)).toBe(false);
    const later = new RestartBudget();
    for (let i = 0; i < MAX_RESTARTS; i++) expect(later.allow(i * 1_000)).toBe(true);
    // The first death is out of the window by now: one more is allowed.
    expect(later.allow(RESTART_WINDOW_MS + 1)).toBe(true);
    expect(later.allow(RESTART_WINDOW_MS + 2)).toBe(false);
  });

  it('delays replacements past the budget, doubling up to a cap', () => {
    const budget = new RestartBudget();
    const delays = [];
    for (let i = 0; i < MAX_RESTARTS + 8; i++) {
      budget.allow(1_000 + i);
      delays.push(budget.delayMs);
    }
    expect(delays.slice(0, MAX_RESTARTS)).toEqual(Array<number>(MAX_RESTARTS).fill(0));
    expect(delays.slice(MAX_RESTARTS, MAX_RESTARTS + 3)).toEqual([RESTART_BACKOFF_MS, 2 * RESTART_BACKOFF_MS, 4 * RESTART_BACKOFF_MS]);
    expect(delays.at(-1)).toBe(MAX_RESTART_DELAY_MS);
  });
});

/** A GET on a connection of its own (no keep-alive), so each one can reach another worker. */
function pingOnNewConnection(api: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${api}/health.ping`, { agent: false, headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Pings until every worker in `pids` has answered at least one (each ping a new connection). */
async function untilEachAnswers(server: ProductionProcess, pids: number[]) {
  await expect
    .poll(
      async () => {
        expect(await pingOnNewConnection(server.api)).toBe(200);
        const answeredBy = server.countsByWorker();
        return pids.filter((pid) => (answeredBy.get(pid)?.answered ?? 0) > 0).length;
      },
      { timeout: 20_000, interval: 1 },
    )
    .toBe(pids.length);
}

const database = productionBuildExists() ? await useTestDatabase() : undefined;

describe.skipIf(!productionBuildExists())('npm start with two workers', () => {
  it('answers from two worker processes, and replaces one that dies', async () => {
    const server = await startProductionProcess({ databaseUrl: database!.url, env: { WEB_CONCURRENCY: '2' } });
    const workers = server.workerPids();
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(server.pid);
    await untilEachAnswers(server, workers);

    const [victim, survivor] = workers as [number, number];
    process.kill(victim, 'SIGKILL');
    await expect.poll(() => server.workerPids().filter((pid) => pid !== victim && pid !== survivor), { timeout: 30_000 }).toHaveLength(1);
    const [replacement] = server.workerPids().filter((pid) => pid !== survivor);
    await untilEachAnswers(server, [survivor, replacement!]);
    expect(server.alive()).toBe(true);
    expect(server.stderr()).toMatch(new RegExp(`Worker pid ${victim} stopped \\(signal SIGKILL\\); starting another`));

    expect(await server.stop()).toEqual({ code: 0, signal: null });
    for (const pid of [survivor, replacement!]) expect(() => process.kill(pid, 0)).toThrow();
  }, 120_000);

  it('keeps replacing workers that keep dying, and never leaves the port without one', async () => {
    const server = await startProductionProcess({ databaseUrl: database!.url, env: { WEB_CONCURRENCY: '2' } });
    await untilEachAnswers(server, server.workerPids());
    // Every worker killed as soon as it appears, well past the budget: both at once, each time.
    const killed = new Set<number>();
    while (killed.size <= MAX_RESTARTS + 4) {
      expect(server.alive()).toBe(true);
      for (const pid of server.workerPids()) {
        if (killed.has(pid)) continue;
        killed.add(pid);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.stderr()).toMatch(
      /Workers keep dying \(\d+ in 60 s, the last with signal SIGKILL\); starting another in \d+(\.\d+)? s\./,
    );
    // The killing stops: the site answers again (a worker started at once whenever none was left).
    await expect.poll(() => pingOnNewConnection(server.api).catch(() => 0), { timeout: 30_000, interval: 100 }).toBe(200);
    expect(server.alive()).toBe(true);
    // And the delayed replacements come: two workers again (stopped once started, they exit cleanly).
    await expect.poll(() => server.workerPids().length, { timeout: 60_000 }).toBe(2);
    await untilEachAnswers(server, server.workerPids());
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
