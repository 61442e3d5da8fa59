import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { DomainError, REASON_CODES, type Reason } from '@/server/errors';

// Every reason maps to a real tRPC code (checked at compile time).
REASON_CODES satisfies Record<Reason, TRPC_ERROR_CODE_KEY>;

/**
 * Builds an error without capturing a stack trace. Domain errors are expected outcomes (a seat taken,
 * a short balance), answered thousands of times a second on sale day; their stacks say nothing, and
 * capturing them is a large share of a refused request's cost.
 */
function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The one mapping from a domain error to the tRPC (and so HTTP) error the client sees. */
export function toTRPCError(error: DomainError): TRPCError {
  return withoutStack(() => new TRPCError({ code: REASON_CODES[error.reason], message: error.message, cause: error }));
}

/** The reason a client sees for a tRPC error that did not come from a domain error. */
export function reasonForCode(code: TRPC_ERROR_CODE_KEY): Reason {
  switch (code) {
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'PAYLOAD_TOO_LARGE':
    case 'METHOD_NOT_SUPPORTED':
      return 'INVALID_INPUT';
    case 'NOT_FOUND':
      return 'NOT_FOUND';
    case 'UNAUTHORIZED':
      return 'SESSION_REQUIRED';
    case 'TOO_MANY_REQUESTS':
      return 'TOO_MANY_REQUESTS';
    case 'SERVICE_UNAVAILABLE':
    case 'TIMEOUT':
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

/** The reason a client sees in `error.data.reason` for any tRPC error. */
export function reasonOf(error: TRPCError): Reason {
  return error.cause instanceof DomainError ? error.cause.reason : reasonForCode(error.code);
}
