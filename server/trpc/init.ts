import { initTRPC, type StandardSchemaV1Error } from '@trpc/server';
import { asDomainError, DomainError, reasonOf, toTRPCError } from '../errors';
import { requireActiveToken } from '../queue/service';
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
  errorFormatter({ shape, error }) {
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

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(mapDomainErrors);

/** Needs a valid session cookie; adds `userId`. */
export const sessionProcedure = publicProcedure.use(({ ctx, next }) => {
  const userId = verifySession(ctx.config.SESSION_SECRET, ctx.cookies.get(SESSION_COOKIE));
  if (!userId) throw new DomainError('SESSION_REQUIRED', 'Start a session first.');
  return next({ ctx: { userId } });
});

export const QUEUE_TOKEN_HEADER = 'x-queue-token';
export const QUEUE_TOKEN_COOKIE = 'queue_token';

/** The queue token a request carries: the header for API clients, else the cookie. */
export function queueTokenOf(ctx: Context): string | undefined {
  return ctx.headers.get(QUEUE_TOKEN_HEADER) ?? ctx.cookies.get(QUEUE_TOKEN_COOKIE) ?? undefined;
}

/** Needs a session and that user's active, unexpired queue token; adds `token`. */
export const activeTokenProcedure = sessionProcedure.use(async ({ ctx, next }) => {
  const token = await requireActiveToken(ctx.db, ctx.config, ctx.userId, queueTokenOf(ctx));
  return next({ ctx: { token } });
});
