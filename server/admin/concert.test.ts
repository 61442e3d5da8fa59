import { asc, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { concerts, schedules, seats } from '@/db/schema';
import { errorDataOf } from '@/server/testing/error-shape';
import { useTestDatabase } from '@/server/testing/test-database';
import { concertPlan, hoursFromNow, signedInOperator } from '@/server/testing/operator';
import { expectFailure, testConfig } from '@/server/testing/test-user';
import type { CreateConcertInput } from './concert';
import { MAX_DATES } from '@/server/shared/plan-limits';
import { rowName } from '@/server/shared/rows';

const { db } = await useTestDatabase();
const config = testConfig();
const operator = await signedInOperator(db, config);

const plan = concertPlan();
const [vip, r] = plan.sections as [CreateConcertInput['sections'][number], CreateConcertInput['sections'][number]];
const section = (changes: Partial<typeof vip>) => [{ ...vip, ...changes }, r];

/** Each input breaks one rule; the field error names the field that breaks it. */
const BAD: [string, Partial<CreateConcertInput>, string][] = [
  ['an empty title', { title: '   ' }, 'title'],
  ['an over-long artist', { artist: 'x'.repeat(101) }, 'artist'],
  ['no venue', { venue: '' }, 'venue'],
  ['no dates', { dates: [] }, 'dates'],
  ['too many dates', { dates: Array.from({ length: MAX_DATES + 1 }, (_, i) => hoursFromNow(24 * (10 + i))) }, 'dates'],
  ['a date that is not ISO-8601', { dates: ['next Friday'] }, 'dates.0'],
  ['a date without its offset', { dates: ['2030-01-01T19:00:00'] }, 'dates.0'],
  ['a past date', { dates: [hoursFromNow(24 * 30), hoursFromNow(-1)] }, 'dates.1'],
  ['a date before the sale opens', { dates: [hoursFromNow(1.5)] }, 'dates.0'],
  ['a date years ahead', { dates: [hoursFromNow(24 * 365 * 3)] }, 'dates.0'],
  ['the same date twice', { dates: [plan.dates[0]!, new Date(plan.dates[0]!).toISOString().replace('Z', '+00:00')] }, 'dates.1'],
  ['no sections', { sections: [] }, 'sections'],
  ['a price in part won', { sections: section({ price: 1.5 }) }, 'sections.0.price'],
  ['a free seat', { sections: section({ price: 0 }) }, 'sections.0.price'],
  ['a price past the maximum', { sections: section({ price: 10_000_000 }) }, 'sections.0.price'],
  ['a price as text', { sections: section({ price: '165000' as unknown as number }) }, 'sections.0.price'],
  ['no rows', { sections: section({ rows: 0 }) }, 'sections.0.rows'],
  ['rows in part', { sections: section({ rows: 2.5 }) }, 'sections.0.rows'],
  ['too many seats in a row', { sections: section({ seatsPerRow: 61 }) }, 'sections.0.seatsPerRow'],
  ['a nameless section', { sections: section({ name: ' ' }) }, 'sections.0.name'],
  ['two sections of one name', { sections: [vip, { ...r, name: 'vip' }] }, 'sections.1.name'],
  [
    'more rows than letters allow',
    { sections: [section({ rows: 30, seatsPerRow: 1 })[0]!, { ...r, rows: 11, seatsPerRow: 1 }] },
    'sections',
  ],
  ['too many seats a date', { sections: [section({ rows: 20, seatsPerRow: 60 })[0]!, { ...r, rows: 20, seatsPerRow: 60 }] }, 'sections'],
  ['an opening before the pre-queue', { sale: { prequeueOpensAt: hoursFromNow(3), opensAt: hoursFromNow(2) } }, 'sale.opensAt'],
  ['an opening at the pre-queue', { sale: { prequeueOpensAt: hoursFromNow(2), opensAt: hoursFromNow(2) } }, 'sale.opensAt'],
  ['an opening in the past', { sale: { prequeueOpensAt: hoursFromNow(-2), opensAt: hoursFromNow(-1) } }, 'sale.opensAt'],
  ['a pre-queue time that is not a time', { sale: { prequeueOpensAt: 'soon', opensAt: hoursFromNow(2) } }, 'sale.prequeueOpensAt'],
  ['a cap of zero', { sale: { ...plan.sale, maxActive: 0 } }, 'sale.maxActive'],
  ['a turn of five seconds', { sale: { ...plan.sale, turnSeconds: 5 } }, 'sale.turnSeconds'],
];

async function counts() {
  const [c] = await db.select({ n: count() }).from(concerts);
  const [s] = await db.select({ n: count() }).from(seats);
  return { concerts: c!.n, seats: s!.n };
}

describe('admin.concert.create', () => {
  it.each(BAD)('refuses %s with INVALID_INPUT naming the field, and writes nothing', async (_, changes, field) => {
    const before = await counts();
    const error = await expectFailure(operator.api.admin.concert.create({ ...plan, ...changes }), 'BAD_REQUEST', 'INVALID_INPUT');
    const { fieldErrors } = errorDataOf(error) as { fieldErrors: Record<string, string[]> };
    expect(Object.keys(fieldErrors)).toContain(field);
    expect(fieldErrors[field]).toEqual([expect.any(String)]);
    expect(await counts()).toEqual(before);
  });

  it('reports a past date and opening even while another field is wrong', async () => {
    const error = await expectFailure(
      operator.api.admin.concert.create({
        ...plan,
        title: '',
        dates: [hoursFromNow(-5)],
        sections: section({ price: 1.5 }),
        sale: { prequeueOpensAt: hoursFromNow(-3), opensAt: hoursFromNow(-2) },
      }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    const { fieldErrors } = errorDataOf(error) as { fieldErrors: Record<string, string[]> };
    expect(Object.keys(fieldErrors).sort()).toEqual(['dates.0', 'sale.opensAt', 'sections.0.price', 'title']);
  });

  it('creates the concert, its dates in order and the same seat map for each date', async () => {
    const created = await operator.api.admin.concert.create(plan);
    expect(created).toEqual({ concertId: expect.any(Number), scheduleIds: [expect.any(Number), expect.any(Number)] });
    const [concert] = await db.select().from(concerts).where(eq(concerts.id, created.concertId));
    expect(concert).toMatchObject({ title: 'Spring Lights Live', artist: 'Haneul', venue: 'KSPO Dome, Seoul' });

    const dates = await db.select().from(schedules).where(eq(schedules.concertId, created.concertId)).orderBy(asc(schedules.startsAt));
    expect(dates.map((d) => d.id)).toEqual(created.scheduleIds);
    expect(dates.map((d) => d.startsAt.toISOString())).toEqual([plan.dates[1], plan.dates[0]]);

    const maps = [];
    for (const scheduleId of created.scheduleIds) {
      const rows = await db
        .select({ section: seats.section, row: seats.row, number: seats.number, price: seats.price })
        .from(seats)
        .where(eq(seats.scheduleId, scheduleId))
        .orderBy(asc(seats.row), asc(seats.number));
      maps.push(rows);
    }
    const [first, second] = maps;
    expect(first).toHaveLength(2 * 10 + 3 * 8);
    expect(second).toEqual(first);
    const rowsOf = (name: string) => [...new Set(first!.filter((s) => s.section === name).map((s) => s.row))];
    expect(rowsOf('VIP')).toEqual(['A', 'B']);
    expect(rowsOf('R')).toEqual(['C', 'D', 'E']);
    expect(first!.filter((s) => s.row === 'A').map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(first!.filter((s) => s.row === 'E').map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(first!.filter((s) => s.section === 'VIP').map((s) => s.price))).toEqual(new Set([165_000]));
    expect(new Set(first!.filter((s) => s.section === 'R').map((s) => s.price))).toEqual(new Set([132_000]));
  });

  it('letters rows past Z as AA, AB, …', async () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(rowName)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
    const wide = concertPlan({ sections: [{ name: 'Floor', price: 99_000, rows: 28, seatsPerRow: 2 }] });
    const { scheduleIds } = await operator.api.admin.concert.create(wide);
    const rows = await db.selectDistinct({ row: seats.row }).from(seats).where(eq(seats.scheduleId, scheduleIds[0]!));
    expect(rows.map((r) => r.row).sort()).toEqual([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), 'AA', 'AB'].sort());
  });
});
