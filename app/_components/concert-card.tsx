'use client';

import { Fragment, type ReactNode } from 'react';
import { MESSAGES, type MessageKey } from '@/app/_i18n/messages';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { joinLabel, saleStateAt, useSaleTime, type SaleState, type SaleSummary } from './sale';
import type { ListedConcert } from './sale-contract';

/** A message with its `{name}` placeholders filled by elements (times that must not wrap inside). */
function fill(template: string, parts: Record<string, ReactNode>): ReactNode[] {
  return template.split(/\{(\w+)\}/).map((piece, i) => <Fragment key={i}>{i % 2 === 1 ? parts[piece] : piece}</Fragment>);
}

const Time = ({ children }: { children: string }) => <span className="nowrap">{children}</span>;

const LINE_KEYS: Record<SaleState, MessageKey> = {
  scheduled: 'sale.scheduled',
  prequeue: 'sale.prequeue',
  open: 'sale.open',
  paused: 'sale.paused',
  sold_out: 'sale.soldOut',
  closed: 'sale.closed',
};

/** What the sale line says: the state, and the times of the opening and the pre-queue before it. */
function SaleLine({ sale, state }: { sale: SaleSummary; state: SaleState }) {
  const { locale } = useI18n();
  const time = useSaleTime();
  const parts = {
    opensAt: <Time>{time.at(sale.opensAt)}</Time>,
    prequeueAt: <Time>{time.besides(sale.prequeueOpensAt, sale.opensAt)}</Time>,
  };
  // Each part of "state · opening · pre-queue" wraps as a whole where it can.
  const segments = MESSAGES[locale][LINE_KEYS[state]].split(' · ');
  return (
    <p className={`sale-line sale-${state.replace('_', '-')}`} data-testid="sale-state">
      {segments.map((segment, i) => (
        <Fragment key={i}>
          {i > 0 && ' '}
          <span className="sale-line-part">
            {fill(segment, parts)}
            {i < segments.length - 1 && ' ·'}
          </span>
        </Fragment>
      ))}
    </p>
  );
}

/** A concert on the home page: its sale, prices, dates and the one action the sale allows now. */
export function ConcertCard({ concert, now, onJoin }: { concert: ListedConcert; now: number; onJoin: (concertId: number) => void }) {
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
      {concert.sale?.audience === 'accounts' && <p className="muted">{t('sale.accountsOnly')}</p>}
      {price && (
        <p className="price-range">
          <span className="visually-hidden">{t('sale.priceLabel')}: </span>
          {price.min === price.max ? formatWon(price.min) : t('sale.price', { min: formatWon(price.min), max: formatWon(price.max) })}
        </p>
      )}
      <p className="muted">
        {concert.dates.length === 0
          ? t('home.noDates')
          : concert.dates.length === 1
            ? t('home.oneDate')
            : t('home.dates', { count: concert.dates.length })}
      </p>
      <ul className="date-list">
        {concert.dates.map((d) => (
          <li key={d.scheduleId}>{formatDateTime(d.startsAt)}</li>
        ))}
      </ul>
      {action && (
        <button
          type="button"
          className="button-primary"
          onClick={() => onJoin(concert.concertId)}
          aria-label={`${t(action)}: ${concert.title}`}
        >
          {t(action)}
        </button>
      )}
    </li>
  );
}
