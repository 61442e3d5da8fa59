import { notFound } from 'next/navigation';
import { getDatabase } from '../../server/database';
import { concertOfConcert, concertOfSchedule } from '../../server/sale/scope';

/**
 * The concert and date a page's address names, read on the server before the page renders: an
 * address naming neither is the 404 page (status 404), not a trip through the waiting room that
 * hands out a turn for a page that cannot exist.
 */

const MAX_INT_ID = 2_147_483_647;
const idOf = (param: string) => (/^[1-9]\d{0,9}$/.test(param) && Number(param) <= MAX_INT_ID ? Number(param) : undefined);

export async function requireConcert(param: string): Promise<number> {
  const concertId = idOf(param);
  if (concertId === undefined || (await concertOfConcert(getDatabase().db, concertId)) === undefined) notFound();
  return concertId;
}

/** A date of this concert (another concert's date at this address is not found either). */
export async function requireDate(concertParam: string, scheduleParam: string): Promise<void> {
  // The concert's own layout has checked it exists; the date must be one of its dates.
  const [concertId, scheduleId] = [idOf(concertParam), idOf(scheduleParam)];
  if (concertId === undefined || scheduleId === undefined || (await concertOfSchedule(getDatabase().db, scheduleId)) !== concertId) {
    notFound();
  }
}
