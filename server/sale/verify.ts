import { drawProblems, type DrawEntry, type PublishedDraw } from './draw';

/**
 * What `npm run verify:draw` does, as functions a test can call: read a sale's published draw over
 * HTTP (`sale.draw`, public) and check it with the published rule (server/sale/draw.ts) alone.
 */

interface DrawAnswer extends PublishedDraw {
  drawnCount: number | null;
  nextCursor: number | null;
}

/** GET <baseUrl>/api/trpc/sale.draw?input={"concertId":…,"cursor":…}: one page of the draw as anyone can read it. */
export async function fetchDrawPage(
  baseUrl: string,
  concertId: number,
  page: { cursor?: number | null; limit?: number } = {},
): Promise<DrawAnswer> {
  const url = new URL('/api/trpc/sale.draw', baseUrl);
  url.searchParams.set('input', JSON.stringify({ concertId, ...page }));
  const res = await fetch(url);
  const body = (await res.json()) as { result?: { data: DrawAnswer }; error?: { message: string; data?: { reason?: string } } };
  if (!body.result) throw new Error(`${res.status} ${body.error?.data?.reason ?? ''} ${body.error?.message ?? ''}`.trim());
  return body.result.data;
}

/**
 * The whole draw: every page of `sale.draw` in turn (by `nextCursor`), its entries put together.
 * `onPage` hears each page's entries and how long its call took (ms, from sending to the parsed answer).
 */
export async function fetchDraw(
  baseUrl: string,
  concertId: number,
  { limit, onPage }: { limit?: number; onPage?: (entries: number, ms: number) => void } = {},
): Promise<PublishedDraw & { drawnCount: number | null; pages: number }> {
  let t0 = performance.now();
  const first = await fetchDrawPage(baseUrl, concertId, { limit });
  onPage?.(first.entries?.length ?? 0, performance.now() - t0);
  const entries: DrawEntry[] = [...(first.entries ?? [])];
  let pages = 1;
  for (let cursor = first.nextCursor; cursor !== null; pages++) {
    t0 = performance.now();
    const page = await fetchDrawPage(baseUrl, concertId, { cursor, limit });
    onPage?.(page.entries?.length ?? 0, performance.now() - t0);
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
