'use client';

import { useEffect, useState } from 'react';

export interface Sample {
  at: number;
  waiting: number;
  active: number;
  seatsFree: number;
  seatsHeld: number;
  seatsSold: number;
  lastInLineWaitSeconds: number | null;
  /** Who joins, per second (absent from samples a tab kept before the console showed them). */
  joinsPerSecond?: number;
  solvedPerSecond?: number;
  refusedPerSecond?: number;
}

const SAMPLED = [
  'waiting',
  'active',
  'seatsFree',
  'seatsHeld',
  'seatsSold',
  'lastInLineWaitSeconds',
  'joinsPerSecond',
  'solvedPerSecond',
  'refusedPerSecond',
] as const satisfies (keyof Sample)[];

/** Live samples are kept this long, and across reloads of the tab (sessionStorage). */
const KEEP_MS = 30 * 60 * 1000;
const storageKey = (concertId: number) => `admin-samples-${concertId}`;

function stored(concertId: number): Sample[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(storageKey(concertId)) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Sample[]).filter((s) => s.at > Date.now() - KEEP_MS) : [];
  } catch {
    return [];
  }
}

/**
 * The dashboard's history of what only the present shows (how many wait and buy, the seats): one
 * sample per answer of `admin.sale.stats`, kept for KEEP_MS.
 */
export function useSamples(concertId: number, latest: Omit<Sample, 'at'> | undefined, answeredAt: number): Sample[] {
  const [samples, setSamples] = useState<Sample[]>([]);
  useEffect(() => setSamples(stored(concertId)), [concertId]);
  useEffect(() => {
    if (!latest || answeredAt === 0) return;
    setSamples((all) => {
      if (all.at(-1)?.at === answeredAt) return all;
      // Only the sampled numbers: the answer's lists (the busiest prefixes) would fill the tab's storage.
      const sample = { ...Object.fromEntries(SAMPLED.map((key) => [key, latest[key]])), at: answeredAt } as Sample;
      const next = [...all.filter((s) => s.at > answeredAt - KEEP_MS), sample];
      try {
        sessionStorage.setItem(storageKey(concertId), JSON.stringify(next));
      } catch {
        // Storage full or blocked: the chart still shows this visit's samples.
      }
      return next;
    });
  }, [concertId, latest, answeredAt]);
  return samples;
}
