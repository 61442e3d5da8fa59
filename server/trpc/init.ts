import { initTRPC, type StandardSchemaV1Error } from '@trpc/server';
import { DomainError } from '@/server/errors';
import { reasonOf } from './errors';
import { currentRequestId } from '@/server/http/request-scope';
import type { Context } from './context';
import { mapDomainErrors } from './middleware/map-domain-errors';
import { refuseCrossSite } from './middleware/refuse-cross-site';
import { refuseUnacceptableInput } from './middleware/refuse-unacceptable-input';
import { requireOperator, requireRole } from './middleware/require-operator';
import { requireSession } from './middleware/require-session';

/**
 * The procedure ladder: every procedure starts on one of these rungs. Each rung's check is a
 * middleware of its own (./middleware/); the rungs that need a turn in a concert's line are the
 * queue's (server/queue/procedures.ts), and rate limits are added per procedure (rateLimited).
 */

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

/** Anyone may call it. */
export const publicProcedure = t.procedure.use(mapDomainErrors).use(refuseCrossSite).use(refuseUnacceptableInput);

/** Needs a valid session cookie; adds `userId`. */
export const sessionProcedure = publicProcedure.use(requireSession);

/**
 * Needs a live operator session (admin.login), and nothing of a fan: no session, no token. A fan's
 * session or token does not let anyone in. Adds `operator` ({ id, name, role }), whatever its role.
 */
export const operatorProcedure = publicProcedure.use(requireOperator);

/**
 * An operator whose role is `role` or wider: `door` checks tickets, `manager` also runs concerts and
 * sales, `owner` also manages operators. A narrower role gets OPERATOR_ROLE_REQUIRED (403).
 */
export const operatorWithRole = (role: 'owner' | 'manager' | 'door') => operatorProcedure.use(requireRole(role));
