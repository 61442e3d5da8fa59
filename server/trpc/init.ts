import { initTRPC, type StandardSchemaV1Error } from '@trpc/server';
import type { z } from 'zod';
import { asDomainError, DomainError } from '../errors';
import { reasonOf, toTRPCError } from './errors';
import { idempotencyKeySchema } from '../idempotency/service';
import { requireActiveToken, type ActiveToken } from '../queue/service';
import { RateLimiter } from '../rate-limit';
import { SESSION_COOKIE } from '../session/service';
import { verifySession } from '../session/signing';
import type { Context } from './context';

/** Field errors of an invalid input, keyed by the field's path ("_" for the input as a whole). */
function fieldErrorsOf(cause: unknown): Record<string, string[]> | undefined {
  // tRPC validates with zod's own parser (a ZodError) or Standard Schema (StandardSchemaV1Error).
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!(cause instanceof Error) || !Array.isArray(issues)) return undefined;
  const fields: Record<string, string[]> = {};
  for (const issue of issues as StandardSchemaV1Error['issues']) {
    const key = issue.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.') || '_';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again.';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const domain = error.cause instanceof DomainError ? error.cause : undefined;
    const fieldErrors = fieldErrorsOf(error.cause);
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      message: internal ? INTERNAL_MESSAGE : fieldErrors ? 'Some fields are not valid.' : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        reason: reasonOf(error),
        requestId: ctx?.requestId,
        ...domain?.details,
        ...(fieldErrors && { fieldErrors }),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors (and PostgreSQL lock and connection failures) become tRPC errors here, once. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const domain = asDomainError(result.error.cause);
  return domain ? { ...result, error: toTRPCError(domain) } : result;
});

/**
 * Mutations from another site are refused (defence in depth beside SameSite=Lax cookies). Calls
 * without an Origin (curl, server to server) are not cross-site.
 */
const refuseCrossSite = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && isCrossSite(ctx.headers)) throw new DomainError('CROSS_SITE', 'This request came from another site.');
  return next();
});

function isCrossSite(headers: Context['headers']): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return true;
  const origin = headers.get('origin');
  if (!origin) return false;
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true; // "null" or garbage
  }
}

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(mapDomainErrors).use(refuseCrossSite);

const limiters = new Map<string, RateLimiter>();

/**
 * At most RATE_LIMIT_PER_MINUTE calls a minute per client address to this procedure: past it, 429
 * TOO_MANY_REQUESTS with Retry-After, so one script can't flood the line or mint sessions.
 */
export function rateLimited(name: string) {
  return t.middleware(({ ctx, next }) => {
    const perMinute = ctx.config.RATE_LIMIT_PER_MINUTE;
    if (perMinute === 0) return next();
    const key = `${name}/${perMinute}`;
    let limiter = limiters.get(key);
    if (!limiter) limiters.set(key, (limiter = new RateLimiter(perMinute)));
    const { allowed, retryAfterSeconds } = limiter.take(ctx.clientIp);
    if (allowed) return next();
    ctx.appendHeader('retry-after', String(retryAfterSeconds));
    throw new DomainError('TOO_MANY_REQUESTS', `Too many attempts. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  });
}

/** Needs a valid session cookie; adds `userId`. */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (!userId) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId } });
});

export const QUEUE_TOKEN_HEADER = 'x-queue-token';
export const QUEUE_TOKEN_COOKIE = 'queue_token';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** A call's idempotency key: the input field, else the `Idempotency-Key` header (checked alike). */
export function idempotencyKeyOf(ctx: Context, fromInput: string | undefined): string | undefined {
  if (fromInput !== undefined) return fromInput;
  const header = ctx.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (header === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success)
    throw new DomainError('INVALID_INPUT', 'The Idempotency-Key header is not valid.', {
      fieldErrors: { idempotencyKey: [parsed.error.issues[0]!.message] },
    });
  return parsed.data;
}

/** The cookie of a user's token in one concert's line (a user may wait in several lines at once). */
export const queueTokenCookie = (concertId: number) => `${QUEUE_TOKEN_COOKIE}_${concertId}`;
const CONCERT_TOKEN_COOKIE = new RegExp(`^${QUEUE_TOKEN_COOKIE}_\\d+$`);

/**
 * The queue token a request means: the header for API clients, else the cookie of that concert's
 * line, else `queue_token` (the line the browser joined last).
 */
export function queueTokenOf(ctx: Context, concertId?: number): string | undefined {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return header;
  return (concertId === undefined ? undefined : ctx.cookies.get(queueTokenCookie(concertId))) ?? ctx.cookies.get(QUEUE_TOKEN_COOKIE);
}

/** Every queue token a request carries, the one it means for `concertId` first (the header alone when sent). */
export function queueTokensOf(ctx: Context, concertId?: number): (string | undefined)[] {
  const header = ctx.headers.get(QUEUE_TOKEN_HEADER);
  if (header !== null) return [header];
  const ofLines = [...ctx.cookies].filter(([name]) => CONCERT_TOKEN_COOKIE.test(name)).map(([, value]) => value);
  return [queueTokenOf(ctx, concertId), ...ofLines];
}

/** The concert whose line a call's resource belongs to; undefined when the resource is unknown. */
export type ConcertOf<TInput> = (ctx: Context & { userId: string }, input: TInput) => Promise<number | undefined>;

/** Needs a session and that user's active, unexpired queue token of any sale; adds `token`. */
export const activeTokenProcedure = sessionProcedure.use(async ({ ctx, next }) => {
  const token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx) });
  return next({ ctx: { token } });
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

/**
 * `activeTokenProcedure` for a call that may repeat one whose effect already happened and ended the
 * turn (paying a reservation that is already paid needs only the session: README, API). `replayOf`
 * looks for that first answer: when there is one, the call needs only the session and gets it as
 * `ctx.replay`; otherwise it needs the active turn, as on `activeTokenProcedure`. A duplicate racing
 * the first call can find the turn that call has just ended, so `replayOf` is asked again before refusing.
 */
export function activeTokenOrReplayProcedure<TInput extends z.ZodType, TReplay>(
  input: TInput,
  replayOf: (ctx: Context & { userId: string }, input: z.output<TInput>) => Promise<TReplay | undefined>,
  concertOf: ConcertOf<z.output<TInput>>,
) {
  return sessionProcedure.input(input).use(async ({ ctx, input, next }) => {
    const asked = input as z.output<TInput>;
    let replay = await replayOf(ctx, asked);
    let token: ActiveToken | undefined;
    if (replay === undefined) {
      try {
        const concertId = await concertOf(ctx, asked);
        token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, tokens: queueTokensOf(ctx, concertId), concertId });
      } catch (error) {
        replay = await replayOf(ctx, asked);
        if (replay === undefined) throw error;
      }
    }
    return next({ ctx: { replay, token } });
  });
}
