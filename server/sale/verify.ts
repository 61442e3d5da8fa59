import { drawProblems, type DrawEntry, type PublishedDraw } from './draw';

/**
 * What `npm run verify:draw` does, as functions a test can call: read a sale's published draw over
 * HTTP (`sale.draw`, public) and check it with the published rule (server/sale/draw.ts) alone.
 */

interface DrawAnswer extends PublishedDraw {
  drawnCount: number | null;
  nextCursor: number | null;
}

/** A server that is busy says when to come back (503 with Retry-After): asked again this many times. */
const BUSY_RETRIES = 5;

/**
 * GET <baseUrl>/api/trpc/sale.draw?input={"concertId":…,"cursor":…}: one page of the draw as anyone can
 * read it; `ms`: the answered call's time (from sending to the parsed answer), `retries`: calls a busy
 * server sent back before it.
 */
async function getDrawPage(
  baseUrl: string,
  concertId: number,
  page: { cursor?: number | null; limit?: number },
): Promise<{ data: DrawAnswer; ms: number; retries: number }> {
  const url = new URL('/api/trpc/sale.draw', baseUrl);
  url.searchParams.set('input', JSON.stringify({ concertId, ...page }));
  for (let retries = 0; ; retries++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status === 503 && retryAfter > 0 && retries < BUSY_RETRIES) {
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    const body = (await res.json()) as { result?: { data: DrawAnswer }; error?: { message: string; data?: { reason?: string } } };
    if (!body.result) throw new Error(`${res.status} ${body.error?.data?.reason ?? ''} ${body.error?.message ?? ''}`.trim());
    return { data: body.result.data, ms: performance.now() - t0, retries };
  }
}

/** One page of the draw (see getDrawPage). */
export async function fetchDrawPage(
  baseUrl: string,
  concertId: number,
  page: { cursor?: number | null; limit?: number } = {},
): Promise<DrawAnswer> {
  return (await getDrawPage(baseUrl, concertId, page)).data;
}

/**
 * The whole draw: every page of `sale.draw` in turn (by `nextCursor`), its entries put together.
 * `onPage` hears each page's entries, how long its answered call took (ms, from sending to the parsed
 * answer) and how many times a busy server sent it back first.
 */
export async function fetchDraw(
  baseUrl: string,
  concertId: number,
  { limit, onPage }: { limit?: number; onPage?: (entries: number, ms: number, retries: number) => void } = {},
): Promise<PublishedDraw & { drawnCount: number | null; pages: number }> {
  const answered = await getDrawPage(baseUrl, concertId, { limit });
  const first = answered.data;
  onPage?.(first.entries?.length ?? 0, answered.ms, answered.retries);
  const entries: DrawEntry[] = [...(first.entries ?? [])];
  let pages = 1;
  for (let cursor = first.nextCursor; cursor !== null; pages++) {
    const next = await getDrawPage(baseUrl, concertId, { cursor, limit });
    const page = next.data;
    onPage?.(page.entries?.length ?? 0, next.ms, next.retries);
    if (page.seed !== first.seed || page.commitment !== first.commitment) throw new Error('the draw changed between its pages');
    entries.push(...(page.entries ?? []));
    if (page.nextCursor !== null && page.nextCursor <= cursor)
      throw new Error(`sale.draw went back from cursor ${cursor} to ${page.nextCursor}`);
    cursor = page.nextCursor;
  }
  return {
    commitment: first.commitment,
    seed: first.seed,
    openedAt: first.openedAt,
    entries: first.entries === null ? null : entries,
    drawnCount: first.drawnCount,
    pages,
  };
}

/** Reads and checks a draw (all its pages): `ok`, and the lines to print. */
export async function verifyDrawAt(baseUrl: string, concertId: number): Promise<{ ok: boolean; lines: string[] }> {
  const draw = await fetchDraw(baseUrl, concertId);
  const problems = drawProblems(draw);
  if (problems.length > 0)
    return { ok: false, lines: [`NOT OK: the draw of concert ${concertId} does not check out:`, ...problems.map((p) => `  - ${p}`)] };
  return {
    ok: true,
    lines: [
      `OK: the draw of concert ${concertId} checks out.`,
      `  commitment ${draw.commitment} = SHA-256(seed ${draw.seed})`,
      `  ${draw.entries!.length} pre-queue draw numbers placed by ascending SHA-256(seed:draw number), opened at ${draw.openedAt}` +
        (draw.pages > 1 ? ` (read in ${draw.pages} pages)` : ''),
    ],
  };
}
