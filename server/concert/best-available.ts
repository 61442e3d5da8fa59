/**
 * "Best available × N": a pure choice over a date's seat map, so it can be tested without a database.
 *
 * The best `quantity` free seats next to each other in one row (consecutive numbers; a gap in the
 * numbering, like an aisle, breaks a row as its end does):
 * 1. never leaving a single free seat stranded between the block and a taken seat or the row's end,
 *    when any other block exists;
 * 2. nearest the stage: the venue's sections in their order (the order of their first seat), and
 *    within a section the rows in letter order (A … Z, then AA);
 * 3. nearest the row's centre;
 * 4. then the lower seat numbers.
 * No block fits: an empty list.
 */
export interface MapSeat {
  seatId: number;
  section: string;
  row: string;
  number: number;
  free: boolean;
}

interface Candidate {
  seatIds: number[];
  strands: boolean;
  sectionRank: number;
  row: string;
  offCentre: number;
  firstNumber: number;
}

/** Row letters in lettering order: A … Z, AA, AB … */
const compareRows = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const better = (a: Candidate, b: Candidate) =>
  Number(a.strands) - Number(b.strands) ||
  a.sectionRank - b.sectionRank ||
  compareRows(a.row, b.row) ||
  a.offCentre - b.offCentre ||
  a.firstNumber - b.firstNumber;

export function bestAvailable(map: readonly MapSeat[], { quantity, section }: { quantity: number; section?: string }): number[] {
  if (!Number.isInteger(quantity) || quantity < 1) return [];
  const byId = [...map].sort((a, b) => a.seatId - b.seatId);
  const sectionRank = new Map<string, number>();
  for (const s of byId) if (!sectionRank.has(s.section)) sectionRank.set(s.section, sectionRank.size);

  const rows = new Map<string, MapSeat[]>();
  for (const s of byId) {
    if (section !== undefined && s.section !== section) continue;
    const key = JSON.stringify([s.section, s.row]);
    rows.set(key, [...(rows.get(key) ?? []), s]);
  }

  let best: Candidate | undefined;
  for (const rowSeats of rows.values()) {
    const row = rowSeats.sort((a, b) => a.number - b.number);
    const centre = (row[0]!.number + row[row.length - 1]!.number) / 2;
    const next = (i: number) => i + 1 < row.length && row[i + 1]!.number === row[i]!.number + 1;
    /** The seat at `i` is free, and the one beyond it (away from the block, in `step`'s direction) is not. */
    const strandedAt = (i: number, step: 1 | -1) => {
      const seat = row[i];
      if (!seat?.free) return false;
      const beyond = i + step;
      const adjacent = step === 1 ? next(i) : beyond >= 0 && next(beyond);
      return !adjacent || !row[beyond]!.free;
    };
    for (let start = 0; start + quantity <= row.length; start++) {
      let fits = true;
      for (let i = start; i < start + quantity && fits; i++) fits = row[i]!.free && (i === start + quantity - 1 || next(i));
      if (!fits) continue;
      const end = start + quantity - 1;
      const strands = (start > 0 && next(start - 1) && strandedAt(start - 1, -1)) || (next(end) && strandedAt(end + 1, 1));
      const candidate: Candidate = {
        seatIds: row.slice(start, end + 1).map((s) => s.seatId),
        strands,
        sectionRank: sectionRank.get(row[0]!.section)!,
        row: row[0]!.row,
        offCentre: Math.abs((row[start]!.number + row[end]!.number) / 2 - centre),
        firstNumber: row[start]!.number,
      };
      if (!best || better(candidate, best) < 0) best = candidate;
    }
  }
  return best?.seatIds ?? [];
}
