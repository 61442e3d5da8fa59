import { initTRPC, type StandardSchemaV1Error } from '@trpc/server';
import type { z } from 'zod';
import { OPERATOR_COOKIE, verifyOperator } from '../admin/operator';
import { asDomainError, DomainError } from '../errors';
import { reasonOf, toTRPCError } from './errors';
import { idempotencyKeySchema } from '../idempotency/service';
import { requireActiveToken, type ActiveToken } from '../queue/service';
import { currentRequestId } from '../http/request-scope';
import { addressSubject, rateLimitKey, takeRateLimit } from '../rate-limit';
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
        // Errors raised before a context exists (a refused body, an oversized batch) still carry it.
        requestId: ctx?.requestId ?? currentRequestId(),
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
  if (type === 'mutation' && isCrossSite(ctx.headers, ctx.trustProxy)) {
    throw new DomainError('CROSS_SITE', 'This request came from another site.');
  }
  return next();
});

/**
 * An Origin that is not this site: another host, or the same host over another scheme. The host and
 * scheme a proxy forwards (`X-Forwarded-Host`, `X-Forwarded-Proto`) count only behind a trusted proxy;
 * otherwise a client could write them to match any Origin.
 */
function isCrossSite(headers: Context['headers'], trustProxy: boolean): boolean {
  if (headers.get('sec-fetch-site') === 'cross-site') return true;
  const origin = headers.get('origin');
  if (!origin) return false;
  const forwarded = (name: string) => (trustProxy ? headers.get(name)?.split(',')[0]?.trim() : undefined);
  const host = forwarded('x-forwarded-host') ?? headers.get('host');
  const scheme = forwarded('x-forwarded-proto');
  try {
    const from = new URL(origin);
    return from.host !== host || (scheme !== undefined && from.protocol !== `${scheme}:`);
  } catch {
    return true; // "null" or garbage
  }
}

/** Deeper than any input of this API; a deeper one is refused rather than walked. */
const MAX_INPUT_DEPTH = 32;

/**
 * What a raw input holds that no procedure accepts: a NUL character in a string or key (PostgreSQL
 * refuses 0x00 in text, so it would fail as a 500 deep in a service), or nesting deeper than
 * MAX_INPUT_DEPTH. Walked iteratively: a 10 KB body of brackets must not exhaust the stack.
 */
function inputProblem(input: unknown): 'nul' | 'too-deep' | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: input, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'nul';
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_INPUT_DEPTH) return 'too-deep';
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return 'nul';
        stack.push({ value: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Inputs no procedure accepts are refused here, once for every procedure, before anything runs. */
const refuseUnacceptableInput = t.middleware(async ({ getRawInput, next }) => {
  const problem = inputProblem(await getRawInput());
  if (problem === 'nul') {
    throw new DomainError('INVALID_INPUT', 'The input contains a NUL character.', {
      fieldErrors: { _: ['must not contain NUL characters'] },
    });
  }
  if (problem === 'too-deep') {
    throw new DomainError('INVALID_INPUT', 'The input is nested too deeply.', {
      fieldErrors: { _: [`must not nest deeper than ${MAX_INPUT_DEPTH}`] },
    });
  }
  return next();
});

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(mapDomainErrors).use(refuseCrossSite).use(refuseUnacceptableInput);

/**
 * Who a rate limit counts: the client's address; else (the route handler without TRUST_PROXY has no
 * address) the session's user. A caller with neither is not lumped with everyone else in one bucket:
 * in production it is refused (the deployment must set TRUST_PROXY); in development and tests, where
 * every caller is the developer, it is counted as `local`.
 */
function rateLimitSubject(ctx: Context): string | undefined {
  if (ctx.clientIp) return addressSubject(ctx.clientIp);
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (userId) return `user:${userId}`;
  return ctx.config.NODE_ENV === 'production' ? undefined : 'local';
}

let warnedNoAddress = false;

/**
 * At most RATE_LIMIT_PER_MINUTE calls a minute per client to this procedure, counted in PostgreSQL
 * across every app instance: past it, 429 TOO_MANY_REQUESTS with Retry-After, so one script can't flood
 * the line or mint sessions.
 */
export function rateLimited(name: string) {
  return t.middleware(async ({ ctx, next }) => {
    const perMinute = ctx.config.RATE_LIMIT_PER_MINUTE;
    if (perMinute === 0) return next();
    const subject = rateLimitSubject(ctx);
    if (!subject) {
      if (!warnedNoAddress)
        console.error(`[${ctx.requestId}] ${name}: client address unknown; set TRUST_PROXY=true behind a proxy that sets X-Forwarded-For`);
      warnedNoAddress = true;
      throw new DomainError('UNAVAILABLE', 'This server cannot tell its clients apart right now. Please try again later.');
    }
    const { allowed, retryAfterSeconds } = await takeRateLimit(ctx.db, { key: rateLimitKey(name, subject), limit: perMinute });
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

/** What `activeTokenOrReplayLookupProcedure` asks first: the first answer of a call this one repeats, and the concert it touches. */
export interface ReplayLookup<TReplay> {
  replay: TReplay | undefined;
  /** The concert whose line the call's resource belongs to; undefined when the resource is unknown. */
  concertId: number | undefined;
}

/**
 * `activeTokenProcedure` for a call that may repeat one whose effect already happened and ended the
 * turn (paying a reservation that is already paid needs only the session: README, API). `lookup`
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

/**
 * Needs the operator's sign-in cookie (admin.login), and nothing of a fan: no session, no token. A
 * fan's session or token does not let anyone in.
 */
export const operatorProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!verifyOperator(ctx.config, ctx.cookies.get(OPERATOR_COOKIE))) {
    throw new DomainError('OPERATOR_REQUIRED', 'Sign in as an operator first.');
  }
  return next();
});
