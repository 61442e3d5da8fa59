import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

/**
 * Solves a join challenge as an API client would (altcha-lib's solver, Node's PBKDF2) and returns
 * what `queue.issue` takes as `solution`: the base64 of `{ challenge, solution }`.
 */
export async function solveJoinChallenge(challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('The join challenge was not solved in time');
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}
