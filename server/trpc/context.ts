import type { DbOrTx, Db } from '../../db/client';
import type { Config } from '../env';
import { parseCookies, serializeCookie } from '../http/cookies';

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
}

export interface ContextSource {
  db: Db;
  config: Config;
  headers: RequestHeaders;
  /** Appends one `Set-Cookie` header value to the response. */
  appendSetCookie: (header: string) => void;
}

export function createContext({ db, config, headers, appendSetCookie }: ContextSource): Context {
  const secure = config.NODE_ENV === 'production';
  return {
    db,
    config,
    headers,
    cookies: parseCookies(headers.get('cookie')),
    setCookie: (name, value, maxAgeSeconds) => appendSetCookie(serializeCookie(name, value, { maxAgeSeconds, secure })),
  };
}

export type { DbOrTx };
