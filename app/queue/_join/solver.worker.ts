import { pbkdf2, solveChallenge, type Challenge } from 'altcha/lib';

/**
 * One solver of a join challenge (altcha's WebCrypto PBKDF2), off the page's thread. Speaks the
 * protocol of altcha's `solveChallengeWorkers`: `work` starts at `counterStart` and steps by
 * `counterStep` (one worker per core, interleaved); `abort` stops it. Posts the solution, or null.
 */
let controller: AbortController | undefined;

self.onmessage = async (
  message: MessageEvent<{ type: 'work' | 'abort'; challenge: Challenge; counterStart: number; counterStep: number; timeout?: number }>,
) => {
  const { type, challenge, counterStart, counterStep, timeout } = message.data;
  if (type === 'abort') return controller?.abort();
  controller = new AbortController();
  try {
    self.postMessage(await solveChallenge({ challenge, controller, counterStart, counterStep, timeout, deriveKey: pbkdf2.deriveKey }));
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
};
