import { TRPCClientError } from '@trpc/client';

export interface ErrorData {
  reason?: string;
  httpStatus?: number;
  position?: number;
  shortfall?: number;
  fieldErrors?: Record<string, string[]>;
  [key: string]: unknown;
}

/** The server's error data (its stable `reason` and facts), or undefined for a network failure. */
export function errorData(error: unknown): ErrorData | undefined {
  return error instanceof TRPCClientError ? (error.data as ErrorData | undefined) : undefined;
}

export const reasonOf = (error: unknown): string | undefined => errorData(error)?.reason;

/** Reasons after which the page belongs in the waiting room, not here. */
export const NEEDS_QUEUE = new Set(['TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_NOT_ACTIVE', 'TOKEN_WRONG_SALE']);

/**
 * An error answer that is not the API's JSON (a proxy's or load balancer's 502/503/504 page). tRPC would
 * report only a JSON parse error; this keeps the status so a caller can tell a gateway from a bug.
 */
export class NonApiResponseError extends Error {
  constructor(
    readonly status: number,
    /** Its Retry-After in seconds, when it sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`HTTP ${status} without an API answer`);
    this.name = 'NonApiResponseError';
  }
}

/** A Retry-After header in seconds (the HTTP-date form is not used by this API nor common gateways). */
function retryAfterHeader(value: string | null): number | undefined {
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** `fetch` for the tRPC link: an error answer without JSON becomes a NonApiResponseError. */
export const fetchApi: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.ok && !(response.headers.get('content-type') ?? '').includes('json'))
    throw new NonApiResponseError(response.status, retryAfterHeader(response.headers.get('retry-after')));
  return response;
};

/** The HTTP status of a failed call, or undefined when no answer arrived (a network failure). */
export function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  if (error.cause instanceof NonApiResponseError) return error.cause.status;
  const status = errorData(error)?.httpStatus ?? (error.meta as { response?: { status?: number } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * How long to wait after a 429: its `Retry-After` header, else the seconds the error's data names
 * (the same figure; the data survives where the header does not, e.g. a batch). Undefined otherwise.
 */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  if (httpStatusOf(error) !== 429) return undefined;
  const response = (error as TRPCClientError<never>).meta?.response as Response | undefined;
  const header = Number(response?.headers?.get('retry-after'));
  if (Number.isFinite(header) && header > 0) return Math.ceil(header);
  const fromData = errorData(error)?.retryAfterSeconds;
  return typeof fromData === 'number' && fromData > 0 ? Math.ceil(fromData) : undefined;
}
