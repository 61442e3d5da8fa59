import { Pool, type Dispatcher } from 'undici';

/** One HTTP call as a browser or an API client makes it, and what came back. */

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  text: string;
  /** Every Set-Cookie of the response, `name=value` only. */
  setCookies: string[];
  /** Its Retry-After in seconds (a 503 OVERLOADED or a 429), if any. */
  retryAfter?: number;
  ms: number;
}

export type Send = (request: HttpRequest) => Promise<HttpResponse>;

/** A keep-alive connection pool to one server (undici), `connections` sockets at most, no pipelining. */
export function httpPool(url: string, connections: number): Pool {
  return new Pool(url, { connections, pipelining: 1, headersTimeout: 30_000, bodyTimeout: 30_000 });
}

export async function send(dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  const t0 = performance.now();
  const res = await dispatcher.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
  const text = await res.body.text();
  const raw = res.headers['set-cookie'];
  const setCookies = (Array.isArray(raw) ? raw : raw ? [raw] : []).map((c) => c.split(';')[0]!);
  const retryAfter = Number(res.headers['retry-after']);
  return {
    status: res.statusCode,
    text,
    setCookies,
    ...(retryAfter > 0 && { retryAfter }),
    ms: performance.now() - t0,
  };
}

/** The server did not start the call and said when to come back (503 OVERLOADED with Retry-After). */
export const wasShed = (res: HttpResponse): boolean => res.status === 503 && res.retryAfter !== undefined;

/** How long a client waits before sending a shed call again: Retry-After, stretched by up to half again at random. */
export const retryAfterMs = (res: HttpResponse, random: () => number = Math.random): number =>
  (res.retryAfter ?? 1) * 1_000 * (1 + random() * 0.5);

/** A tRPC query: `GET /api/trpc/<procedure>?input=…`. */
export function trpcGet(procedure: string, input?: unknown, headers: Record<string, string> = {}): HttpRequest {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return { method: 'GET', path: `/api/trpc/${procedure}${query}`, headers };
}

/** A tRPC mutation: `POST /api/trpc/<procedure>` with a JSON body. */
export function trpcPost(procedure: string, input: unknown = {}, headers: Record<string, string> = {}): HttpRequest {
  return {
    method: 'POST',
    path: `/api/trpc/${procedure}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  };
}

/** What a tRPC call answered: its data, or its error's reason. */
export function trpcResult<T>(res: HttpResponse): { data?: T; reason?: string } {
  try {
    const json = JSON.parse(res.text) as { result?: { data: T }; error?: { data?: { reason?: string } } };
    return { data: json.result?.data, reason: json.error?.data?.reason };
  } catch {
    return {};
  }
}

/** A browser's cookies for one server: every Set-Cookie it was sent is sent back. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  constructor(header = '') {
    for (const pair of header
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean))
      this.keep(pair);
  }

  keep(pair: string) {
    const eq = pair.indexOf('=');
    if (eq > 0) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
  }

  /** Keeps the response's cookies; returns it, so calls chain. */
  from(res: HttpResponse): HttpResponse {
    for (const pair of res.setCookies) this.keep(pair);
    return res;
  }

  header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }
}
