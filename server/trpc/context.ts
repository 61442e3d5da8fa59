import { randomUUID } from 'node:crypto';
import type { DbOrTx, Db } from '@/db/client';
import type { Config } from '@/server/env';
import { parseCookies, serializeCookie } from '@/server/http/cookies';

/**
 * What a procedure may use. Built from plain `Headers` and a `setCookie` callback so the Next route
 * handler, the Node adapter and tests (createCaller with a cookie jar) all make the same context.
 */
/** The request headers a procedure may read (a `Headers` object, or a lighter reader). */
export interface RequestHeaders {
  get(name: string): string | null;
}

export interface Context {
  db: Db;
  config: Config;
  headers: RequestHeaders;
  cookies: Map<string, string>;
  /** Sets an HttpOnly, SameSite=Lax cookie on the response (Secure in production). */
  setCookie: (name: string, value: string, maxAgeSeconds: number) => void;
  /** Sent back as `x-request-id` and in every error's data; server logs carry it too. */
  requestId: string;
  /** The caller's address, for rate limits; undefined when it cannot be known (see clientAddress). */
  clientIp: string | undefined;
  /** Behind a trusted proxy (TRUST_PROXY): its forwarded host and scheme count for the Origin check. */
  trustProxy: boolean;
  appendHeader: (name: string, value: string) => void;
}

export interface ContextSource {
  db: Db;
  config: Config;
  headers: RequestHeaders;
  /** Appends a header to the response. */
  appendHeader: (name: string, value: string) => void;
  clientIp: string | undefined;
  trustProxy?: boolean;
  /** Set by the HTTP request layer, which also sends it as `x-request-id`; else made here. */
  requestId?: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's own request id is kept when it looks like one (a proxy's, say); else a new one. */
const REQUEST_ID = /^[\w.:-]{8,64}$/;

/** The request's id: the caller's own when it looks like one, else a new one. */
export function requestIdOf(headers: RequestHeaders): string {
  const given = headers.get(REQUEST_ID_HEADER);
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export function createContext({
  db,
  config,
  headers,
  appendHeader,
  clientIp,
  trustProxy = false,
  requestId: fromLayer,
}: ContextSource): Context {
  const secure = config.NODE_ENV === 'production';
  const requestId = fromLayer ?? requestIdOf(headers);
  if (!fromLayer) appendHeader(REQUEST_ID_HEADER, requestId);
  return {
    db,
    config,
    headers,
    cookies: parseCookies(headers.get('cookie')),
    setCookie: (name, value, maxAgeSeconds) => appendHeader('set-cookie', serializeCookie(name, value, { maxAgeSeconds, secure })),
    requestId,
    clientIp,
    trustProxy,
    appendHeader,
  };
}

export type { DbOrTx };
