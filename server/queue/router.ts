import { z } from 'zod';
import { intId } from '@/server/ids';
import { router, sessionProcedure } from '@/server/trpc/init';
import { rateLimited } from '@/server/trpc/middleware/rate-limited';
import { QUEUE_TOKEN_COOKIE, queuePassesOf, queueTokenCookie, queueTokenOf, queueTokensOf } from './cookies';
import { leaveLine } from './leave';
import type { Context } from '@/server/trpc/context';
import { networkPrefix } from '@/server/http/request-guard';
import { issueToken } from './issue';
import { lineSale } from './line-sale';
import { issueJoinChallenge, MAX_SOLUTION_LENGTH } from './join-challenge';
import { tokenStatus } from './status';
import type { QueueStatus } from './views';
import { QUEUE_PASS_HEADER, queuePassCookie } from './queue-pass';

/**
 * The waiting rooms: one line per concert's sale.
 *
 * A token's id is its draw number; its `place` is its place in its concert's line: given by the
 * draw at the opening for the pre-queue's tokens (server/sale/draw.ts), and the next number of the
 * line's place sequence for later joiners (`take_line_place`, last in the join's transaction, after
 * its row is inserted: no join waits for another, no join locks the sale row, and a join refused by a
 * unique index takes no number). So places may commit out of order, and a join that fails after
 * taking its number (its connection lost) leaves a gap; the admission pass admits no
 * place while an earlier one's join is still in flight, and skips gaps (db/functions/admit_line.sql),
 * so admission is in exact place order. Each line's `queue_state` row holds its admission cursor
 * (`admitted_through`, a place): a waiting token's position is `place - admitted_through`, one read
 * however long the line is (overstated only by places ahead that will never be admitted: given up,
 * or gaps). There is no background worker: the calls that issue or read tokens run an admission pass
 * (server/queue/admission.ts) when one is due.
 *
 * Each job has its file: reading a token with its line (read-token.ts), a token as the fan sees it
 * (views.ts), bringing a token up to date (refresh.ts: close, give up, draw, admit, recount),
 * answering a poll (status.ts), issuing (issue.ts) and the active-turn rule (active-turn.ts, for the
 * procedure rungs in procedures.ts).
 *
 * A waiting fan's poll is answered from memory when it carries a valid queue pass
 * (server/queue/queue-pass.ts) and the line's cached state (server/queue/line-cache.ts) shows the place
 * still ahead of the cursor; anything else is read from the database, which stays the source of
 * truth and signs a new queue pass.
 */

const TOKEN_COOKIE_MAX_AGE_SECONDS = 60 * 60 * 24;

/**
 * Gives the caller a new queue pass: a cookie of the line (HttpOnly, kept as long as it can be
 * trusted) and the same value in the `x-queue-ticket` response header, for API clients to send back.
 */
function sendQueuePass(ctx: Context, { concertId, status }: { concertId: number; status: QueueStatus }, queuePass: string | null) {
  // A token no longer waiting (admitted, expired, closed) drops its line's queue pass: an old one must not
  // answer "waiting" from memory once the line's state would allow it again (a sale reopened by a refund).
  if (status !== 'waiting' && status !== 'prequeue') return ctx.setCookie(queuePassCookie(concertId), '', 0);
  if (queuePass === null) return;
  ctx.setCookie(queuePassCookie(concertId), queuePass, ctx.config.QUEUE_ABANDON_SECONDS);
  ctx.appendHeader(QUEUE_PASS_HEADER, queuePass);
}

export const queueRouter = router({
  /**
   * A proof-of-work challenge to join a concert's line (docs/line-cost.md): `required: false` (and no
   * challenge) when this deployment runs with JOIN_CHALLENGE=off.
   */
  challenge: sessionProcedure
    .use(rateLimited('queue.challenge'))
    .input(z.object({ concertId: intId }))
    .mutation(async ({ ctx, input }) => {
      return issueJoinChallenge(ctx.db, ctx.config, {
        userId: ctx.userId,
        concertId: input.concertId,
        isAccount: ctx.account !== null,
        verifiedAccount: ctx.account?.emailVerified === true,
      });
    }),
  /**
   * Joins a concert's line (its pre-queue before the opening); the same live token when issued again.
   * A new place needs `solution` (a solved `queue.challenge`) while JOIN_CHALLENGE is on.
   */
  issue: sessionProcedure
    .use(rateLimited('queue.issue'))
    .input(z.object({ concertId: intId, solution: z.string().max(MAX_SOLUTION_LENGTH).optional() }))
    .mutation(async ({ ctx, input }) => {
      const { issued, queuePass } = await issueToken(ctx.db, ctx.config, {
        userId: ctx.userId,
        concertId: input.concertId,
        isAccount: ctx.account !== null,
        solution: input.solution,
        addressPrefix: ctx.clientIp ? networkPrefix(ctx.clientIp) : null,
      });
      const { token, ...view } = issued;
      // One cookie per line, so a fan may wait for two shows at once; `queue_token` is the line joined last.
      ctx.setCookie(queueTokenCookie(input.concertId), token, TOKEN_COOKIE_MAX_AGE_SECONDS);
      ctx.setCookie(QUEUE_TOKEN_COOKIE, token, TOKEN_COOKIE_MAX_AGE_SECONDS);
      sendQueuePass(ctx, view, queuePass);
      return { token, ...view };
    }),
  /**
   * The caller's token in a concert's line (`concertId`), else the one in the header, else the line
   * joined last. Answered from memory while the request's queue pass allows.
   */
  status: sessionProcedure.input(z.object({ concertId: intId.optional() }).optional()).query(async ({ ctx, input }) => {
    const { view, queuePass } = await tokenStatus(ctx.db, ctx.config, {
      userId: ctx.userId,
      token: queueTokenOf(ctx, input?.concertId),
      queuePasses: queuePassesOf(ctx, input?.concertId),
    });
    sendQueuePass(ctx, view, queuePass);
    return view;
  }),
  /** The line's sale state (paused since when), the same for every fan waiting in it: no database statement. */
  line: sessionProcedure.input(z.object({ concertId: intId })).query(({ ctx, input }) =>
    lineSale(ctx.db, ctx.config, {
      userId: ctx.userId,
      concertId: input.concertId,
      token: queueTokenOf(ctx, input.concertId),
      queuePasses: queuePassesOf(ctx, input.concertId),
    }),
  ),
  /**
   * Leaves the caller's place in a concert's line for good (`expired`: joining again goes to the back).
   * Idempotent; TOKEN_INVALID with no token of that line, NOT_IN_LINE when the token is not waiting.
   */
  leave: sessionProcedure.input(z.object({ concertId: intId })).mutation(async ({ ctx, input }) => {
    const left = await leaveLine(ctx.db, { userId: ctx.userId, concertId: input.concertId, tokens: queueTokensOf(ctx, input.concertId) });
    sendQueuePass(ctx, left, null);
    return left;
  }),
});
