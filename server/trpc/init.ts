import { initTRPC, type StandardSchemaV1Error } from '@trpc/server';
import type { z } from 'zod';
import { OPERATOR_COOKIE, verifyOperator } from '../admin/operator';
import { asDomainError, DomainError } from '../errors';
import { reasonOf, toTRPCError } from './errors';
import { idempotencyKeySchema } from '../idempotency/service';
import { requireActiveToken, type ActiveToken } from '../queue/service';
import { currentRequestId } from '../http/request-scope';
import { takeRateLimit } from '../rate-limit';
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

/** True if a NUL character is anywhere in a parsed JSON value (its strings or its keys). */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}

/**
 * PostgreSQL refuses a NUL (0x00) in text, so an input string carrying one would fail as a 500 deep in
 * a service. It is refused here, once for every procedure, before anything runs.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  if (containsNul(await getRawInput()))
    throw new DomainError('INVALID_INPUT', 'The input contains a NUL character.', {
      fieldErrors: { _: ['must not contain NUL characters'] },
    });
  return next();
});

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(mapDomainErrors).use(refuseCrossSite).use(refuseNul);

/**
 * Who a rate limit counts: the client's address; else (the route handler without TRUST_PROXY has no
 * address) the session's user. A caller with neither is not lumped with everyone else in one bucket:
 * in production it is refused (the deployment must set TRUST_PROXY); in development and tests, where
 * every caller is the developer, it is counted as `local`.
 */
function rateLimitSubject(ctx: Context): string | undefined {
  if (ctx.clientIp) return `ip:${ctx.clientIp}`;
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
    const { allowed, retryAfterSeconds } = await takeRateLimit(ctx.db, { key: `${name} ${subject}`, limit: perMinute });
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

/** The queue token a request carries: the header for API clients, else the cookie. */
export function queueTokenOf(ctx: Context): string | undefined {
  return ctx.headers.get(QUEUE_TOKEN_HEADER) ?? ctx.cookies.get(QUEUE_TOKEN_COOKIE) ?? undefined;
}

/** Needs a session and that user's active, unexpired queue token; adds `token`. */
export const activeTokenProcedure = sessionProcedure.use(async ({ ctx, next }) => {
  const token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, token: queueTokenOf(ctx) });
  return next({ ctx: { token } });
});

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
) {
  return sessionProcedure.input(input).use(async ({ ctx, input, next }) => {
    const asked = input as z.output<TInput>;
    let replay = await replayOf(ctx, asked);
    let token: ActiveToken | undefined;
    if (replay === undefined) {
      try {
        token = await requireActiveToken(ctx.db, ctx.config, { userId: ctx.userId, token: queueTokenOf(ctx) });
      } catch (error) {
        replay = await replayOf(ctx, asked);
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
