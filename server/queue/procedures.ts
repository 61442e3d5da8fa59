import type { z } from 'zod';
import type { Context } from '@/server/trpc/context';
import { sessionProcedure } from '@/server/trpc/init';
import { requireActiveToken, type ActiveToken } from './active-turn';
import { queueTokensOf } from './cookies';

/** The concert whose line a call's resource belongs to; undefined when the resource is unknown. */
export type ConcertOf<TInput> = (ctx: Context & { userId: string }, input: TInput) => Promise<number | undefined>;

/** Needs a session and that user's active, unexpired queue token of any sale; adds `token`. */
export const activeTokenProcedure = sessionProcedure.use(async ({ ctx, next }) => {
  const token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx) });
  return next({ ctx: { token } });
});

/**
 * A signed-in account needs only its session (a fan tops up before the opening and reads the wallet
 * after buying without queueing again); a guest needs an active token, the original rule.
 */
export const accountOrActiveTokenProcedure = sessionProcedure.use(async ({ ctx, next }) => {
  if (ctx.account) return next();
  await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx) });
  return next();
});

/**
 * Needs a session and the user's active token of the line of the concert the call touches
 * (`concertOf`: another concert's token is FORBIDDEN / TOKEN_WRONG_SALE); adds `token`. A resource
 * that does not exist needs an active token of any sale (the procedure then says NOT_FOUND).
 */
export function activeTokenForConcertProcedure<TInput extends z.ZodType>(input: TInput, concertOf: ConcertOf<z.output<TInput>>) {
  return sessionProcedure.input(input).use(async ({ ctx, input, next }) => {
    const concertId = await concertOf(ctx, input as z.output<TInput>);
    const token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx, concertId), concertId });
    return next({ ctx: { token } });
  });
}

/** What `activeTokenOrReplayLookupProcedure` asks first: the first answer of a call this one repeats, and the concert it touches. */
export interface ReplayLookup<TReplay> {
  replay: TReplay | undefined;
  /** The concert whose line the call's resource belongs to; undefined when the resource is unknown. */
  concertId: number | undefined;
}

/**
 * `activeTokenProcedure` for a call that may repeat one whose effect already happened and ended the
 * turn (paying a reservation that is already paid needs only the session: docs/api.md). `lookup`
 * finds, in one step, that first answer and the concert the call touches: when there is an answer,
 * the call needs only the session and gets it as `ctx.replay`; otherwise it needs the active turn of
 * that concert's line, as on `activeTokenForConcertProcedure`. A duplicate racing the first call can
 * find the turn that call has just ended, so `lookup` is asked again before refusing.
 */
export function activeTokenOrReplayLookupProcedure<TInput extends z.ZodType, TReplay>(
  input: TInput,
  lookup: (ctx: Context & { userId: string }, input: z.output<TInput>) => Promise<ReplayLookup<TReplay>>,
) {
  return sessionProcedure.input(input).use(async ({ ctx, input, next }) => {
    const asked = input as z.output<TInput>;
    const found = await lookup(ctx, asked);
    let replay = found.replay;
    let token: ActiveToken | undefined;
    if (replay === undefined) {
      try {
        const { concertId } = found;
        token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx, concertId), concertId });
      } catch (error) {
        replay = (await lookup(ctx, asked)).replay;
        if (replay === undefined) throw error;
      }
    }
    return next({ ctx: { replay, token } });
  });
}
