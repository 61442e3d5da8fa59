import type { DbOrTx as Db } from '@/db/client';
import { concertOfConcert, concertOfSchedule } from '@/server/sale/scope';

/**
 * Whether the concert and date a page's address names exist, read on the server before the page
 * renders: an address naming neither is the 404 page, not a trip through the waiting room that hands
 * out a turn for a page that cannot exist.
 */

const MAX_INT_ID = 2_147_483_647;
const idOf = (param: string) => (/^[1-9]\d{0,9}$/.test(param) && Number(param) <= MAX_INT_ID ? Number(param) : undefined);

/** The concert's id, if `param` names one that exists. */
export async function knownConcert(db: Db, param: string): Promise<number | undefined> {
  const concertId = idOf(param);
  if (concertId === undefined || (await concertOfConcert(db, concertId)) === undefined) return undefined;
  return concertId;
}

/** Whether `scheduleParam` names a date of the concert `concertParam` names (another concert's date is not one). */
export async function isKnownDate(
  db: Db,
  { concertParam, scheduleParam }: { concertParam: string; scheduleParam: string },
): Promise<boolean> {
  const [concertId, scheduleId] = [idOf(concertParam), idOf(scheduleParam)];
  return concertId !== undefined && scheduleId !== undefined && (await concertOfSchedule(db, scheduleId)) === concertId;
}
