'use client';

import { formatWon, useI18n } from '../_i18n/provider';
import type { MessageKey } from '../_i18n/messages';

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

const STATE_KEYS: Record<string, MessageKey> = { available: 'seats.available', held: 'seats.held', sold: 'seats.sold', mine: 'seats.mine' };

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
    rows: [...rows].map(([row, list]) => ({ row, seats: list.sort((a, b) => a.number - b.number) })),
  }));
}

/** The hall: every seat a labelled button, coloured by state; only free seats (and yours) can be chosen. */
export function SeatMap({ seats, onChoose, busy }: { seats: Seat[]; onChoose: (seat: Seat) => void; busy: boolean }) {
  const { t } = useI18n();
  return (
    <div className="hall">
      <div className="stage" aria-hidden="true">
        {t('seats.stage')}
      </div>
      {layout(seats).map(({ section, rows }) => (
        <section key={section} className={`hall-section tier-${section.toLowerCase()}`} aria-label={section}>
          <h2 className="section-name">{section}</h2>
          {rows.map(({ row, seats: rowSeats }) => (
            <div key={row} className="seat-row" role="group" aria-label={`${section} ${row}`}>
              <span className="row-label" aria-hidden="true">
                {row}
              </span>
              {rowSeats.map((seat) => {
                const state = seat.mine ? 'mine' : seat.status;
                const choosable = seat.status === 'available' || (seat.mine && seat.status === 'held');
                return (
                  <button
                    key={seat.seatId}
                    type="button"
                    className={`seat seat-${state}`}
                    disabled={!choosable || busy}
                    aria-label={t('seats.seatLabel', { label: seat.label, price: formatWon(seat.price), state: t(STATE_KEYS[state]!) })}
                    title={`${seat.label} · ${formatWon(seat.price)}`}
                    onClick={() => onChoose(seat)}
                  >
                    {seat.number}
                  </button>
                );
              })}
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
