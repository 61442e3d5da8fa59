import { solveChallengeWorkers, type Challenge } from 'altcha/lib';

/** A solver gives up after this long; the page then asks for a new challenge. */
const SOLVE_TIMEOUT_MS = 120_000;
/** Workers beside the page: every core but one, at least one, at most four (a phone keeps a core for its page). */
const MAX_WORKERS = 4;

/** A solver worker: bundled by Next from solver.worker.ts (the `new Worker(new URL(…))` form is what the bundler follows). */
function newSolver(): Worker {
  return new Worker(new URL('./solver.worker.ts', import.meta.url));
}

/**
 * Solves a join challenge in Web Workers (self-hosted: the worker is part of this app's bundle, no
 * third-party service) and returns what `queue.issue` takes: the base64 of `{ challenge, solution }`.
 */
export async function solveJoinChallenge(challenge: Challenge, signal?: AbortSignal): Promise<string> {
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  const concurrency = Math.min(MAX_WORKERS, Math.max(1, (navigator.hardwareConcurrency || 2) - 1));
  const solution = await solveChallengeWorkers({
    challenge,
    concurrency,
    controller,
    timeout: SOLVE_TIMEOUT_MS,
    createWorker: newSolver,
  });
  if (!solution) throw new Error(signal?.aborted ? 'aborted' : 'The challenge was not solved in time.');
  return btoa(JSON.stringify({ challenge, solution }));
}
