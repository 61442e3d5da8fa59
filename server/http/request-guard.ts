import { BlockList, isIP } from 'node:net';
import { TRPCError } from '@trpc/server';

/**
 * Pure request checks shared by both ways into the API (the Node adapter of `npm start` and the fetch
 * adapter of Next's route handler), so neither can be a way around the other's protections.
 */

export const TRPC_ENDPOINT = '/api/trpc';

/**
 * Hops of X-Forwarded-For that are our own proxies: loopback, private (RFC 1918), link-local,
 * unique-local and CGNAT addresses, where load balancers and ingress proxies live. A client's own
 * address is the rightmost hop that is none of these: everything left of it the client wrote itself.
 */
const INTERNAL = new BlockList();
for (const [prefix, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  INTERNAL.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  INTERNAL.addSubnet(prefix, bits, 'ipv6');

/** An address as written by a proxy or the socket (`::ffff:1.2.3.4`, `1.2.3.4:567`, `[::1]:80`), or undefined. */
function parseAddress(raw: string): string | undefined {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) text = mapped[1]!;
  return isIP(text) ? text.toLowerCase() : undefined;
}

const isInternal = (address: string) => INTERNAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

export interface AddressSource {
  /** The X-Forwarded-For header, if any. */
  forwardedFor: string | null;
  /** The peer of the TCP connection; the fetch adapter (Next, Vercel) has none. */
  socketAddress: string | undefined;
  /** A proxy we trust sets X-Forwarded-For (Vercel, a load balancer). */
  trustProxy: boolean;
}

/**
 * The caller's address, or undefined when it cannot be known. Without a trusted proxy it is the
 * socket's peer (X-Forwarded-For is the client's own word and is ignored). Behind one, it is the
 * rightmost X-Forwarded-For hop that is not an internal address: the leftmost entries are whatever
 * the client sent. A hop that is not an address means the chain is not what our proxy wrote.
 */
export function clientAddress({ forwardedFor, socketAddress, trustProxy }: AddressSource): string | undefined {
  if (!trustProxy || !forwardedFor?.trim()) return socketAddress === undefined ? undefined : parseAddress(socketAddress);
  const hops = forwardedFor.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseAddress(hops[i]!);
    if (address === undefined) return undefined;
    // Every hop internal: the chain is ours end to end, and its first hop is the client.
    if (!isInternal(address) || i === 0) return address;
  }
  return undefined;
}

/**
 * The key a rate limit counts an address under. An IPv6 client usually holds a whole /64 and could
 * rotate through it, so IPv6 addresses are counted by their /64.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The network an address belongs to, as an operator reads who joins a line: an IPv4 address's /24,
 * an IPv6 address's /48 (a site's usual allocation). `203.0.113.0/24`, `2001:db8:1::/48`.
 */
export function networkPrefix(address: string): string {
  if (isIP(address) === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  const groups = addressKey(address).replace('::/64', '').split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

/** A Host header as clients send it: a name or an address, and a port. Anything else (a path, spaces) is refused. */
const BARE_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;
export const isBareHost = (host: string | undefined): boolean => host === undefined || BARE_HOST.test(host);

export type PathVerdict = { kind: 'api'; procedurePath: string } | { kind: 'page' } | { kind: 'malformed' };

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Where a request path leads, judged on the path as routers see it once normalised: backslashes and
 * repeated slashes collapsed, `.`/`..`/`%2e` segments resolved, percent-escapes decoded and case
 * ignored. So `/api/%2e/trpc/x`, `//api/trpc/x`, `/API/trpc/x` or `/api/trpc/../trpc/x` all reach the
 * API layer, never a second way in. A malformed percent-escape, or a control character (the URL parser
 * would strip one at an end: `reservation.hold%00` would reach reservation.hold), is `malformed` (a 400).
 */
export function normalisePath(rawUrl: string): PathVerdict {
  // Only origin-form targets (`/path?query`): the asterisk form (`OPTIONS *`) and the absolute form
  // (`GET http://host/path`), which browsers never send to an origin server, are refused.
  if (!/^[\\/]/.test(rawUrl)) return { kind: 'malformed' };
  const query = rawUrl.search(/[?#]/);
  const rawPath = (query < 0 ? rawUrl : rawUrl.slice(0, query)).replace(/[\\/]+/g, '/');
  let decoded: string;
  try {
    // The URL parser resolves dot segments, `%2e` ones included, as every router in front of us does.
    decoded = decodeURIComponent(new URL(rawPath.startsWith('/') ? rawPath : `/${rawPath}`, 'http://x').pathname);
  } catch {
    return { kind: 'malformed' };
  }
  if (CONTROL_CHARACTER.test(decoded)) return { kind: 'malformed' };
  // Decoding may reveal `%2f` slashes and `%2e` dots of its own: resolve once more on the decoded path.
  const path = new URL(decoded.replace(/[\\/]+/g, '/').replace(/[?#]/g, encodeURIComponent), 'http://x').pathname;
  const prefix = `${TRPC_ENDPOINT}/`;
  const lower = path.toLowerCase();
  if (lower === TRPC_ENDPOINT || lower.startsWith(prefix)) {
    try {
      const procedurePath = decodeURIComponent(path.slice(prefix.length));
      return CONTROL_CHARACTER.test(procedurePath) ? { kind: 'malformed' } : { kind: 'api', procedurePath };
    } catch {
      return { kind: 'malformed' };
    }
  }
  return { kind: 'page' };
}

/** The body cap's error: a TRPCError, so it reaches the client as tRPC's 413 through the formatter. */
export const bodyTooLarge = (max: number) =>
  new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${max} bytes.` });

/** A declared Content-Length over the cap: refused before a byte of the body is read. */
export function declaresTooLarge(contentLength: string | null, max: number): boolean {
  return contentLength !== null && Number(contentLength) > max;
}

/**
 * The body as a stream that errors (PAYLOAD_TOO_LARGE) as soon as more than `max` bytes have come,
 * whatever Content-Length said or whether it was sent at all; the source is cancelled then, so no
 * more than `max` bytes (plus one chunk) are ever held.
 */
export function cappedBody(body: ReadableStream<Uint8Array>, max: number, onTooLarge: () => void = () => {}): ReadableStream<Uint8Array> {
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size <= max) return controller.enqueue(chunk);
        onTooLarge();
        controller.error(bodyTooLarge(max));
      },
    }),
  );
}

/**
 * tRPC streams a batch's answers (`application/jsonl`) when asked: the response's headers go out
 * before the calls run, so a call that sets a cookie (session.start, queue.issue) or Retry-After fails
 * half-way after its work is done. The app never asks for it; such requests are refused up front.
 */
export function wantsStreamedResponse(header: (name: string) => string | null): boolean {
  const jsonl = (value: string | null) => value?.split(',').some((v) => v.trim().toLowerCase().startsWith('application/jsonl')) ?? false;
  return jsonl(header('trpc-accept')) || jsonl(header('accept'));
}
