'use client';

import { formatWon, useI18n } from '../_i18n/provider';
import { joinLabel, saleStateAt, useSaleTime, type SaleState, type SaleSummary } from './sale';
import type { ListedConcert } from './sale-contract';

/** What the sale line says, per state. */
function SaleLine({ sale, state }: { sale: SaleSummary; state: SaleState }) {
  const { t } = useI18n();
  const time = useSaleTime();
  const text = {
    scheduled: () => t('sale.scheduled', { opensAt: time.at(sale.opensAt), prequeueAt: time.besides(sale.prequeueOpensAt, sale.opensAt) }),
    prequeue: () => t('sale.prequeue', { opensAt: time.at(sale.opensAt) }),
    open: () => t('sale.open'),
    paused: () => t('sale.paused'),
    sold_out: () => t('sale.soldOut'),
    closed: () => t('sale.closed'),
  }[state]();
  return (
    <p className={`sale-line sale-${state.replace('_', '-')}`} data-testid="sale-state">
      {text}
    </p>
  );
}

/** A concert on the home page: its sale, prices, dates and the one action the sale allows now. */
export function ConcertCard({
  concert,
  now,
  onJoin,
  joining,
}: {
  concert: ListedConcert;
  now: number;
  onJoin: (concertId: number) => void;
  joining: boolean;
}) {
  const { t, formatDateTime } = useI18n();
  // A concert without a sale (none is made so) would be on sale, as before sales existed.
  const state = concert.sale ? saleStateAt(concert.sale, now) : 'open';
  const action = concert.dates.length > 0 ? joinLabel(state) : null;
  const price = concert.priceRange;
  return (
    <li className={`card concert-card concert-card-${state.replace('_', '-')}`}>
      <h2>{concert.title}</h2>
      <p className="artist">{concert.artist}</p>
      <p className="venue">{concert.venue}</p>
      {concert.sale && <SaleLine sale={concert.sale} state={state} />}
      {price && (
        <p className="price-range">
          <span className="visually-hidden">{t('sale.priceLabel')}: </span>
          {price.min === price.max ? formatWon(price.min) : t('sale.price', { min: formatWon(price.min), max: formatWon(price.max) })}
        </p>
      )}
      <p className="muted">{concert.dates.length ? t('home.dates', { count: concert.dates.length }) : t('home.noDates')}</p>
      <ul className="date-list">
        {concert.dates.map((d) => (
          <li key={d.scheduleId}>{formatDateTime(d.startsAt)}</li>
        ))}
      </ul>
      {action && (
        <button
          type="button"
          className="button-primary"
          disabled={joining}
          onClick={() => onJoin(concert.concertId)}
          aria-label={`${t(action)}: ${concert.title}`}
        >
          {t(action)}
        </button>
      )}
    </li>
  );
}
