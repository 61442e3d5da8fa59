'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { trpc } from '@/app/_trpc/client';
import { reasonOf } from '@/app/_trpc/errors';
import { retryDelayMs, wasShed } from '@/app/_trpc/retry-after';
import { solveJoinChallenge } from './solve';

/** Where joining is: asking for the challenge, solving it in this browser, taking the place. */
export type JoinPhase = 'challenge' | 'solving' | 'joining';

/** A solution kept for a retry is used only while it has this much of its life left. */
const SOLUTION_MARGIN_MS = 10_000;
/** Refusals that a new challenge mends (it ran out while the server was busy, or this session changed). */
const ASK_AGAIN = new Set(['CHALLENGE_EXPIRED', 'CHALLENGE_USED', 'CHALLENGE_WRONG_SESSION', 'CHALLENGE_REQUIRED']);

type Joined = Awaited<ReturnType<ReturnType<typeof trpc.useUtils>['client']['queue']['issue']['mutate']>>;

/**
 * Joining a line: `queue.challenge`, solved in Web Workers while the fan reads the page, then
 * `queue.issue` with the solution (docs/line-cost.md). Idempotent as `queue.issue` is: a live token
 * comes back unchanged. A call the server shed is sent again after its Retry-After, with the same
 * solution while it is good.
 */
export function useJoin(concertId: number, { onJoined }: { onJoined?: (joined: Joined) => void } = {}) {
  const client = trpc.useUtils().client;
  const [phase, setPhase] = useState<JoinPhase>('challenge');
  const [solvingSince, setSolvingSince] = useState<number | null>(null);
  const kept = useRef<{ solution: string; expiresAt: number } | null>(null);

  const join = useMutation({
    mutationFn: async (): Promise<Joined> => {
      for (let attempt = 0; ; attempt++) {
        let solution = kept.current && kept.current.expiresAt - Date.now() > SOLUTION_MARGIN_MS ? kept.current.solution : undefined;
        if (!solution) {
          setPhase('challenge');
          const asked = await client.queue.challenge.mutate({ concertId });
          if (asked.required) {
            setPhase('solving');
            setSolvingSince(Date.now());
            solution = await solveJoinChallenge(asked.challenge);
            kept.current = { solution, expiresAt: Date.parse(asked.expiresAt) };
          }
        }
        setPhase('joining');
        try {
          const joined = await client.queue.issue.mutate({ concertId, solution });
          kept.current = null;
          return joined;
        } catch (error) {
          if (attempt > 0 || !ASK_AGAIN.has(reasonOf(error) ?? '')) throw error;
          kept.current = null;
        }
      }
    },
    retry: (_failures, error) => wasShed(error),
    retryDelay: (_failures, error) => retryDelayMs(error, 1_000),
    onSuccess: (joined) => onJoined?.(joined),
  });
  return { join, phase, solvingSince };
}
