import { describe, expect, it } from 'vitest';
import { preserialised, withPreserialised } from './preserialised';

describe('preserialised answers', () => {
  it('serialise once into every response that carries them, byte for byte what JSON.stringify would write', async () => {
    const seats = preserialised([
      { seatId: 1, label: 'R "A"-1 ✓' },
      { seatId: 2, label: 'R A-2' },
    ]);
    const expected = JSON.stringify({
      result: {
        data: [
          { seatId: 1, label: 'R "A"-1 ✓' },
          { seatId: 2, label: 'R A-2' },
        ],
      },
    });
    const respond = () => withPreserialised(async () => Response.json({ result: { data: seats } }, { status: 200 }));
    const first = await respond();
    expect(first.status).toBe(200);
    expect(await first.text()).toBe(expected);
    // A batch carries it twice; the bytes are reused, not rebuilt.
    const batch = await withPreserialised(
      async () => new Response(JSON.stringify([{ result: { data: seats } }, { result: { data: seats } }])),
    );
    expect(await batch.text()).toBe(`[${expected},${expected}]`);
  });

  it('is the plain value outside a response, and an input cannot forge a placeholder', async () => {
    const seats = preserialised([1, 2]);
    expect(JSON.stringify({ data: seats })).toBe('{"data":[1,2]}');
    expect(seats).toEqual([1, 2]);
    const forged = await withPreserialised(async () => new Response(JSON.stringify({ echo: '__preserialised_0_0', data: seats })));
    expect(await forged.text()).toBe('{"echo":"__preserialised_0_0","data":[1,2]}');
  });
});
