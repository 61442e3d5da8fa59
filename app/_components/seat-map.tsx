'use client';

import { useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import type { MessageKey } from '@/app/_i18n/messages';

export interface Seat {
  seatId: number;
  section: string;
  row: string;
  number: number;
  label: string;
  price: number;
  status: 'available' | 'held' | 'sold';
  mine: boolean;
}

export type SeatState = 'available' | 'selected' | 'held' | 'sold' | 'mine';

export const STATE_KEYS: Record<SeatState, MessageKey> = {
  available: 'seats.available',
  selected: 'seatmap.selected',
  held: 'seats.held',
  sold: 'seats.sold',
  mine: 'seats.mine',
};

/** Tier colours in section order (the seed's VIP, R, S; an operator's own sections take the next ones). */
const TIER_COLOURS = ['#a86b00', '#8e44ad', '#0f8a73', '#c0392b', '#2c6fbb', '#6d4c41'];

export function tierColours(seats: { section: string }[]): Map<string, string> {
  const sections = [...new Set(seats.map((s) => s.section))];
  return new Map(sections.map((section, i) => [section, TIER_COLOURS[i % TIER_COLOURS.length]!]));
}

export const seatState = (seat: Seat, selected: ReadonlySet<number>): SeatState =>
  selected.has(seat.seatId) ? 'selected' : seat.mine ? 'mine' : seat.status;

/** Sections in the order they come, each with its rows in order. */
function layout(seats: Seat[]) {
  const sections = new Map<string, Map<string, Seat[]>>();
  for (const seat of seats) {
    const rows = sections.get(seat.section) ?? new Map<string, Seat[]>();
    sections.set(seat.section, rows);
    rows.set(seat.row, [...(rows.get(seat.row) ?? []), seat]);
  }
  return [...sections].map(([section, rows]) => ({
    section,
    rows: [...rows].map(([row, list]) => ({ row, seats: [...list].sort((a, b) => a.number - b.number) })),
  }));
}

/** A seat's shape inside its square: a number when free, a mark otherwise (state is never colour alone). */
const MARKS: Partial<Record<SeatState, string>> = { selected: '✓', mine: '★', sold: '✕' };

/**
 * The hall as a WAI-ARIA grid: one Tab stop (a roving tabindex), arrow keys move between seats across
 * rows and sections, Home/End go to a row's ends, Enter or Space toggles a seat. Seats that cannot be
 * chosen stay focusable (aria-disabled) so the arrows never skip over what a sighted fan sees.
 */
export function SeatMap({
  seats,
  selected,
  onToggle,
  busy,
  label,
  limitReached = false,
}: {
  seats: Seat[];
  selected: ReadonlySet<number>;
  onToggle: (seat: Seat) => void;
  busy: boolean;
  label: string;
  /** The selection is as big as the fan may hold: free seats cannot be added (a click still reaches onToggle, which says why). */
  limitReached?: boolean;
}) {
  const { t } = useI18n();
  const sections = layout(seats);
  const rows = sections.flatMap((s) => s.rows.map((r) => r.seats));
  const colours = tierColours(seats);
  const firstChoosable = seats.find((s) => s.status === 'available')?.seatId ?? seats[0]?.seatId;
  const [active, setActive] = useState<number | undefined>(undefined);
  const activeId = seats.some((s) => s.seatId === active) ? active : firstChoosable;
  const refs = useRef(new Map<number, HTMLButtonElement>());

  const moveTo = (seat: Seat | undefined) => {
    if (!seat) return;
    setActive(seat.seatId);
    refs.current.get(seat.seatId)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, seat: Seat) => {
    const r = rows.findIndex((row) => row.some((s) => s.seatId === seat.seatId));
    const row = rows[r]!;
    const c = row.findIndex((s) => s.seatId === seat.seatId);
    /** The seat in row `index` nearest this one's position. */
    const nearest = (index: number) => {
      const target = rows[index];
      if (!target) return undefined;
      return target[Math.min(c, target.length - 1)];
    };
    const moves: Record<string, () => Seat | undefined> = {
      ArrowRight: () => row[c + 1],
      ArrowLeft: () => row[c - 1],
      ArrowDown: () => nearest(r + 1),
      ArrowUp: () => nearest(r - 1),
      Home: () => (event.ctrlKey ? rows[0]?.[0] : row[0]),
      End: () => (event.ctrlKey ? rows.at(-1)?.at(-1) : row.at(-1)),
      PageDown: () => nearest(Math.min(rows.length - 1, r + 3)),
      PageUp: () => nearest(Math.max(0, r - 3)),
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      moveTo(move());
    }
  };

  return (
    <>
      <p id="seat-map-help" className="muted seat-map-help">
        {t('seatmap.help')}
      </p>
      <div className="hall">
        <div className="stage" aria-hidden="true">
          {t('seats.stage')}
        </div>
        <div role="grid" aria-label={label} aria-describedby="seat-map-help" className="seat-grid">
          {sections.map(({ section, rows: sectionRows }) => (
            <div
              key={section}
              role="rowgroup"
              className="hall-section"
              style={{ '--tier': colours.get(section) } as CSSProperties}
              aria-label={section}
            >
              <div className="section-name" aria-hidden="true">
                <span className="tier-dot" /> {section}
              </div>
              {sectionRows.map(({ row, seats: rowSeats }) => (
                <div key={row} role="row" className="seat-row">
                  <span role="rowheader" className="row-label">
                    <span className="visually-hidden">{section} </span>
                    {row}
                  </span>
                  {rowSeats.map((seat) => {
                    const state = seatState(seat, selected);
                    const limited = limitReached && state === 'available';
                    const choosable = (state === 'available' && !limited) || state === 'selected';
                    return (
                      <span key={seat.seatId} role="gridcell" className="seat-cell">
                        <button
                          ref={(el) => {
                            if (el) refs.current.set(seat.seatId, el);
                            else refs.current.delete(seat.seatId);
                          }}
                          type="button"
                          className={`seat seat-${state}${limited ? ' seat-limited' : ''}`}
                          tabIndex={seat.seatId === activeId ? 0 : -1}
                          aria-disabled={!choosable || busy}
                          aria-pressed={choosable || limited ? state === 'selected' : undefined}
                          aria-label={t('seats.seatLabel', {
                            label: seat.label,
                            price: formatWon(seat.price),
                            state: t(STATE_KEYS[state]),
                          })}
                          onFocus={() => setActive(seat.seatId)}
                          onKeyDown={(event) => onKeyDown(event, seat)}
                          onClick={() => {
                            setActive(seat.seatId);
                            if ((choosable || limited) && !busy) onToggle(seat);
                          }}
                        >
                          <span aria-hidden="true">{MARKS[state] ?? seat.number}</span>
                          <span className="seat-tip" aria-hidden="true">
                            {seat.label} · {formatWon(seat.price)}
                            <br />
                            {t(STATE_KEYS[state])}
                          </span>
                        </button>
                      </span>
                    );
                  })}
                </div>
              ))}
            </div>
          ))}
        </div>
      </div>
    </>
  );
}

/** What the marks and patterns mean, with each tier's colour and price. */
export function SeatLegend({ seats }: { seats: Seat[] }) {
  const { t } = useI18n();
  const colours = tierColours(seats);
  const tiers = [...new Map(seats.map((s) => [s.section, s.price])).entries()];
  const states: SeatState[] = ['available', 'selected', 'mine', 'held', 'sold'];
  return (
    <div className="legend">
      <ul className="legend-row" aria-label={t('seatmap.tiers')}>
        {tiers.map(([section, price]) => (
          <li key={section} className="legend-item" style={{ '--tier': colours.get(section) } as CSSProperties}>
            <span className="swatch seat seat-available" aria-hidden="true" /> {section} {formatWon(price)}
          </li>
        ))}
      </ul>
      <ul className="legend-row" aria-label={t('seats.legend')}>
        {states.map((state) => (
          <li key={state} className="legend-item" style={{ '--tier': '#5b3cc4' } as CSSProperties}>
            <span className={`swatch seat seat-${state}`} aria-hidden="true">
              {MARKS[state] ?? ''}
            </span>{' '}
            {t(STATE_KEYS[state])}
          </li>
        ))}
      </ul>
    </div>
  );
}
