import { drawProblems, type PublishedDraw } from './draw';

/**
 * What `npm run verify:draw` does, as functions a test can call: read a sale's published draw over
 * HTTP (`sale.draw`, public) and check it with the published rule (server/sale/draw.ts) alone.
 */

/** GET <baseUrl>/api/trpc/sale.draw?input={"concertId":…}: the draw as anyone can read it. */
export async function fetchDraw(baseUrl: string, concertId: number): Promise<PublishedDraw> {
  const url = new URL('/api/trpc/sale.draw', baseUrl);
  url.searchParams.set('input', JSON.stringify({ concertId }));
  const res = await fetch(url);
  const body = (await res.json()) as { result?: { data: PublishedDraw }; error?: { message: string; data?: { reason?: string } } };
  if (!body.result) throw new Error(`${res.status} ${body.error?.data?.reason ?? ''} ${body.error?.message ?? ''}`.trim());
  return body.result.data;
}

/** Reads and checks a draw: `ok`, and the lines to print. */
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
      `  ${draw.entries!.length} pre-queue draw numbers placed by ascending SHA-256(seed:draw number), opened at ${draw.openedAt}`,
    ],
  };
}
