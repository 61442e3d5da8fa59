import net from 'node:net';

/** The first byte of a frontend Query ('Q') or Parse ('P', extended protocol) message. */
const QUERY_MESSAGE = new Set([0x51, 0x50]);

/**
 * A TCP proxy in front of PostgreSQL that, while `killing` is on, cuts every connection just after it
 * sends its first query: a database connection killed in the middle of the first thing it does. For
 * postgres.js with fetch_types on, that is the array-type fetch it runs on connect, whose failure no
 * caller awaits (porsager/postgres#1192, #1205, #1223); with it off, the app's own first query, whose
 * failure its caller gets. `url` is the given server URL, through the proxy.
 */
export async function startKillingProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  let killing = false;
  let kills = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    let startup = true; // the startup packet has no type byte
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      if (startup) startup = false;
      else if (killing && QUERY_MESSAGE.has(chunk[0]!)) {
        kills++;
        cut();
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.once('close', () => {
      sockets.delete(client);
      sockets.delete(upstream);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(targetUrl);
  url.port = String((proxy.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    kills: () => kills,
    setKilling: (on: boolean) => {
      killing = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}
