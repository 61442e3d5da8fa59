import type { APIRequestContext } from '@playwright/test';
import type { Challenge } from 'altcha-lib';
import { solveJoinChallenge } from '@/server/testing/join-solver';

/**
 * Joins a line over HTTP as an API client does (docs/line-cost.md): asks for the join challenge,
 * solves it with Node's solver, then `queue.issue` with the solution. Returns `queue.issue`'s answer.
 */
export async function joinLineByApi(request: APIRequestContext, concertId: number) {
  const asked = await request.post('/api/trpc/queue.challenge', { data: { concertId } });
  const { required, challenge } = (await asked.json()).result.data as { required: boolean; challenge: Challenge | null };
  const solution = required && challenge ? await solveJoinChallenge(challenge) : undefined;
  return request.post('/api/trpc/queue.issue', { data: { concertId, solution } });
}
