import { describe, expect, it } from 'vitest';
import { bestAvailable, type MapSeat } from './best-available';

/**
 * A map from rows drawn as strings: `.` a free seat, `x` a taken one, ` ` no seat (a gap in the
 * numbering). Seat ids go row by row, so the id of row r, seat n is r * 100 + n.
 */
function mapOf(rows: { section: string; row: string; seats: string }[]): MapSeat[] {
  return rows.flatMap(({ section, row, seats }, r) =>
    [...seats].flatMap((c, i) => (c === ' ' ? [] : [{ seatId: (r + 1) * 100 + i + 1, section, row, number: i + 1, free: c === '.' }])),
  );
}
const row = (section: string, row: string, seats: string) => ({ section, row, seats });

describe('bestAvailable', () => {
  it('picks the block nearest the centre of the front row', () => {
    const map = mapOf([row('VIP', 'A', '..........'), row('VIP', 'B', '..........')]);
    expect(bestAvailable(map, { quantity: 2 })).toEqual([105, 106]);
    expect(bestAvailable(map, { quantity: 4 })).toEqual([104, 105, 106, 107]);
    // An odd block in an even row: both off-centre by half a seat; the lower numbers win.
    expect(bestAvailable(map, { quantity: 3 })).toEqual([104, 105, 106]);
  });

  it('goes back a row when the front row has no block that fits', () => {
    const map = mapOf([row('VIP', 'A', '..xx..xx..'), row('VIP', 'B', 'xx......xx')]);
    // 4–6 and 5–7 would strand seat 3 or seat 8: 3–5 and 6–8 are as near the centre; the lower wins.
    expect(bestAvailable(map, { quantity: 3 })).toEqual([203, 204, 205]);
    expect(bestAvailable(map, { quantity: 2 })).toEqual([105, 106]);
  });

  it('never leaves a single free seat stranded when another block exists', () => {
    // Row A, free 3–8: the centre pair 5–6 strands nothing; but for three, 4–6 would leave seat 3 alone
    // between the taken seat 2 and the block, so 3–5 it is.
    const map = mapOf([row('R', 'A', '.x......x.'), row('R', 'B', '..........')]);
    expect(bestAvailable(map, { quantity: 2 })).toEqual([105, 106]);
    expect(bestAvailable(map, { quantity: 3 })).toEqual([103, 104, 105]);
    // A row with exactly 3 free between taken seats: taking 2 strands 1; the next row is used instead.
    const tight = mapOf([row('R', 'A', 'xxx...xxxx'), row('R', 'B', '..........')]);
    expect(bestAvailable(tight, { quantity: 2 })).toEqual([205, 206]);
    // A free seat left at the row's end is stranded too: row A's three free seats can't take a pair cleanly.
    const end = mapOf([row('R', 'A', '...xxxxxxx'), row('R', 'B', '..xxxxxxxx')]);
    expect(bestAvailable(end, { quantity: 2 })).toEqual([201, 202]);
  });

  it('strands a seat only when there is no other choice', () => {
    // Free 4–6: either pair strands one; the one nearer the centre wins.
    const map = mapOf([row('R', 'A', 'xxx...xxxx')]);
    expect(bestAvailable(map, { quantity: 2 })).toEqual([105, 106]);
  });

  it('needs seats next to each other: a gap in the numbering breaks a block', () => {
    const map = mapOf([row('R', 'A', '.. ..'), row('R', 'B', '.....')]);
    // Row B: 2–4 would strand seats 1 and 5; 1–3 and 3–5 strand nothing.
    expect(bestAvailable(map, { quantity: 3 })).toEqual([201, 202, 203]);
    expect(bestAvailable(mapOf([row('R', 'A', '.. ..')]), { quantity: 3 })).toEqual([]);
  });

  it('follows the venue’s section order, then the row letters (Z before AA)', () => {
    // Section S's seats have the highest ids (listed last); R's row AA has lower ids than its row Z.
    const map = [
      ...mapOf([row('S', 'A', '..')]).map((s) => ({ ...s, seatId: s.seatId + 1000 })),
      ...mapOf([row('VIP', 'A', 'xx'), row('R', 'AA', '..'), row('R', 'Z', '..'), row('R', 'B', 'xx')]),
    ];
    expect(bestAvailable(map, { quantity: 2 })).toEqual([301, 302]);
    expect(bestAvailable(map, { quantity: 2, section: 'S' })).toEqual([1101, 1102]);
  });

  it('keeps to the section asked for', () => {
    const map = mapOf([row('VIP', 'A', '....'), row('R', 'B', '....')]);
    expect(bestAvailable(map, { quantity: 2, section: 'R' })).toEqual([201, 202]);
    expect(bestAvailable(map, { quantity: 2, section: 'Nowhere' })).toEqual([]);
  });

  it('answers an empty list when nothing fits: sold out, too many, or no seats at all', () => {
    expect(bestAvailable(mapOf([row('R', 'A', 'xxxxx')]), { quantity: 1 })).toEqual([]);
    expect(bestAvailable(mapOf([row('R', 'A', '.....')]), { quantity: 6 })).toEqual([]);
    expect(bestAvailable([], { quantity: 1 })).toEqual([]);
    expect(bestAvailable(mapOf([row('R', 'A', '.....')]), { quantity: 0 })).toEqual([]);
  });

  it('takes a whole row when it fits exactly', () => {
    expect(bestAvailable(mapOf([row('R', 'A', '....')]), { quantity: 4 })).toEqual([101, 102, 103, 104]);
  });
});
