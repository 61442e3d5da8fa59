import { describe, expect, it } from 'vitest';
import { addressKey, cappedBody, clientAddress, normalisePath, wantsStreamedResponse } from './request-guard';

describe('clientAddress', () => {
  const behindProxy = (forwardedFor: string | null, socketAddress = '10.0.0.2') =>
    clientAddress({ forwardedFor, socketAddress, trustProxy: true });

  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress({ forwardedFor: '203.0.113.9', socketAddress: '::ffff:198.51.100.4', trustProxy: false })).toBe('198.51.100.4');
    expect(clientAddress({ forwardedFor: '203.0.113.9', socketAddress: undefined, trustProxy: false })).toBeUndefined();
  });

  it('is the rightmost hop that is not one of our proxies, not the leftmost the client wrote', () => {
    expect(behindProxy('203.0.113.7')).toBe('203.0.113.7');
    expect(behindProxy('1.1.1.1, 203.0.113.7')).toBe('203.0.113.7'); // "1.1.1.1" is the client's own claim
    expect(behindProxy('1.1.1.1, 203.0.113.7, 10.1.2.3, 127.0.0.1')).toBe('203.0.113.7'); // internal hops skipped
    expect(behindProxy('198.51.100.1:4711')).toBe('198.51.100.1');
    expect(behindProxy('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(behindProxy('10.1.2.3, 192.168.0.9')).toBe('10.1.2.3'); // an internal chain end to end: its first hop
  });

  it('is unknown when the chain has garbage where our proxy writes the address', () => {
    expect(behindProxy('203.0.113.7, not-an-ip')).toBeUndefined();
    expect(behindProxy('203.0.113.7, ')).toBeUndefined();
  });

  it('falls back to the socket when the proxy sent no X-Forwarded-For, and is unknown without either', () => {
    expect(behindProxy(null, '198.51.100.4')).toBe('198.51.100.4');
    expect(clientAddress({ forwardedFor: null, socketAddress: undefined, trustProxy: true })).toBeUndefined();
  });
});

describe('addressKey', () => {
  it('keeps IPv4 and counts IPv6 by its /64, however it is written', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('normalisePath', () => {
  it('finds the API under every spelling a router would normalise to it', () => {
    for (const url of [
      '/api/trpc/health.ping',
      '/api/%2e/trpc/health.ping',
      '/api/%2E/trpc/health.ping',
      '/api/./trpc/health.ping',
      '//api/trpc/health.ping',
      '/api//trpc/health.ping',
      '/api/trpc/../trpc/health.ping',
      '/x/../api/trpc/health.ping',
      '/API/TRPC/health.ping',
      '/%61pi/trpc/health.ping',
      '/api%2ftrpc/health.ping',
      '\\api\\trpc/health.ping',
      '/api/trpc/health.ping?input=%7B%7D',
    ])
      expect(normalisePath(url), url).toEqual({ kind: 'api', procedurePath: 'health.ping' });
    expect(normalisePath('/api/trpc/wallet.balance,session.me?batch=1')).toEqual({
      kind: 'api',
      procedurePath: 'wallet.balance,session.me',
    });
  });

  it('leaves pages to Next, and calls a malformed percent-escape malformed', () => {
    expect(normalisePath('/concerts/1')).toEqual({ kind: 'page' });
    expect(normalisePath('/api/trpcx/health.ping')).toEqual({ kind: 'page' });
    expect(normalisePath('/%zz')).toEqual({ kind: 'malformed' });
    expect(normalisePath('/api/trpc/%E0%A4%A')).toEqual({ kind: 'malformed' });
    expect(normalisePath('/api/trpc/%25zz')).toEqual({ kind: 'malformed' });
    // Control characters: the URL parser strips them at the ends, so `reservation.hold%00` would reach reservation.hold.
    for (const url of [
      '/api/trpc/reservation.hold%00',
      '/api/trpc/health.ping%0a',
      '/api/trpc/%1fhealth.ping',
      '/api/trpc/health.ping%2500',
    ])
      expect(normalisePath(url), url).toEqual({ kind: 'malformed' });
  });
});

describe('cappedBody', () => {
  it('passes a body up to the cap and errors past it, without reading the rest', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    await expect(new Response(cappedBody(endless, 8 * 1024)).arrayBuffer()).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(pulled).toBeLessThan(32 * 1024);
    const small = new Response(cappedBody(new Response('x'.repeat(8 * 1024)).body!, 8 * 1024));
    expect((await small.text()).length).toBe(8 * 1024);
  });
});

describe('wantsStreamedResponse', () => {
  it('spots a request for a streamed (jsonl) batch in either header', () => {
    expect(wantsStreamedResponse((name) => new Headers({ 'trpc-accept': 'application/jsonl' }).get(name))).toBe(true);
    expect(wantsStreamedResponse((name) => new Headers({ accept: 'text/html, application/jsonl' }).get(name))).toBe(true);
    expect(wantsStreamedResponse((name) => new Headers({ accept: 'application/json' }).get(name))).toBe(false);
  });
});
