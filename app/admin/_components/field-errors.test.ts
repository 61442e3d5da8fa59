import { describe, expect, it } from 'vitest';
import { MESSAGES, type MessageKey } from '@/app/_i18n/messages';
import { createConcertInput } from '@/server/admin/concert';
import { updateSaleInput } from '@/server/admin/sale-input';
import { fieldMessage } from './field-errors';

const say = ([key, params]: [MessageKey, Record<string, string | number>]) =>
  MESSAGES.en[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));

const inHour = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const plan = {
  title: 'T',
  artist: 'A',
  venue: 'V',
  dates: [inHour(48)],
  sections: [{ name: 'VIP', price: 1000, rows: 2, seatsPerRow: 10 }],
  sale: { prequeueOpensAt: inHour(1), opensAt: inHour(2) },
};

/** The sentence the form shows beneath each field the server refuses in `input`. */
function sentences(input: unknown): Record<string, string> {
  const result = createConcertInput.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(
    result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      return [path, say(fieldMessage(issue.message, path))];
    }),
  );
}

describe('the create form’s field errors', () => {
  it('say the allowed range of each number, from the server’s own limits', () => {
    expect(
      sentences({
        ...plan,
        sections: [{ name: 'VIP', price: 12.5, rows: 0, seatsPerRow: 61 }],
        sale: { ...plan.sale, maxActive: 0, turnSeconds: 5 },
      }),
    ).toEqual({
      'sections.0.price': 'Whole won, from ₩1 to ₩1,000,000.',
      'sections.0.rows': '1–40 rows (all sections together at most 40).',
      'sections.0.seatsPerRow': '1–60 seats a row.',
      'sale.maxActive': '1–10,000 fans, or empty for the server’s default.',
      'sale.turnSeconds': '60–3,600 seconds, or empty for the server’s default.',
    });
  });

  it('say the allowed length of a text, and the format of a time', () => {
    const refused = sentences({
      ...plan,
      title: '',
      venue: 'x'.repeat(101),
      dates: ['tomorrow'],
      sale: { ...plan.sale, prequeueOpensAt: 'soon' },
    });
    expect(refused).toMatchObject({
      title: 'Required, 1–100 characters.',
      venue: 'Required, 1–100 characters.',
      'dates.0': 'A date and time within the next 730 days, after the sale opens.',
      'sale.prequeueOpensAt': 'A date and time before the sale opens.',
    });
  });

  it('keep the server’s own sentence where it already says what to do', () => {
    expect(sentences({ ...plan, sale: { prequeueOpensAt: inHour(3), opensAt: inHour(2) } })).toEqual({
      'sale.opensAt': 'Must be after the pre-queue opens.',
    });
  });

  it('never say only "Not valid." for a field of the plan', () => {
    for (const path of [
      'title',
      'artist',
      'venue',
      'dates.0',
      'sections.0.name',
      'sections.0.price',
      'sections.0.rows',
      'sections.0.seatsPerRow',
      'sale.prequeueOpensAt',
      'sale.opensAt',
      'sale.maxActive',
      'sale.turnSeconds',
    ]) {
      expect(say(fieldMessage('Invalid input', path)), path).not.toBe('Not valid.');
    }
  });
});

describe('the join challenge’s field errors', () => {
  it('say the allowed difficulty and surge threshold, from the server’s own limits', () => {
    const result = updateSaleInput.safeParse({ concertId: 1, joinDifficulty: 50, joinSurgePerSecond: 0 });
    expect(result.success).toBe(false);
    const said = Object.fromEntries(
      result.error!.issues.map((issue) => [issue.path.join('.'), say(fieldMessage(issue.message, issue.path.join('.')))]),
    );
    expect(said).toEqual({
      joinDifficulty: 'A whole number, 100–1,000,000.',
      joinSurgePerSecond: 'Whole joins a second, 1–1,000,000, or empty for no automatic rise.',
    });
  });
});
