'use client';

import { useMemo } from 'react';
import type { Locale, MessageKey } from '@/app/_i18n/messages';
import type { ListedConcert } from './sale-contract';
import { useI18n } from '@/app/_i18n/provider';

/** A concert's sale as `concert.list` shows it. */
export type SaleSummary = NonNullable<ListedConcert['sale']>;
export type SaleState = SaleSummary['state'];

/**
 * The state a visitor should see now. The server moves a sale on lazily (at the first call after a
 * time passes), so a page that stays open moves it on itself when its clock passes the pre-queue's or
 * the opening's time; states the operator sets (paused, closed) and sold out come only from the server.
 */
export function saleStateAt(sale: Pick<SaleSummary, 'state' | 'prequeueOpensAt' | 'opensAt'>, now: number): SaleState {
  if (sale.state === 'scheduled' && now >= Date.parse(sale.prequeueOpensAt)) return now >= Date.parse(sale.opensAt) ? 'open' : 'prequeue';
  if (sale.state === 'prequeue' && now >= Date.parse(sale.opensAt)) return 'open';
  return sale.state;
}

/** Whether a fan may join the line now, and with which words. */
export function joinLabel(state: SaleState): MessageKey | null {
  if (state === 'prequeue') return 'sale.joinPrequeue';
  if (state === 'open' || state === 'paused') return 'home.getTickets';
  return null;
}

/** The public page of a sale's draw; with a draw number, that number is marked in it. */
export const drawPageOf = (concertId: number, drawNumber?: number) =>
  `/concerts/${concertId}/draw${drawNumber === undefined ? '' : `?ticket=${drawNumber}`}`;

/** Sales open in Korea: their times are shown in Korea's time zone, named in English. */
const SALE_TIME_ZONE = 'Asia/Seoul';

/**
 * Sale times: "Fri 27 Nov, 20:00 KST" / "11월 27일 (금) 20:00". `besides` gives the pre-queue's time
 * next to the opening's: the time of day alone ("19:30") when both fall on the same day in Korea.
 */
export function saleTimeFormat(locale: Locale) {
  const tag = locale === 'ko' ? 'ko-KR' : 'en-GB';
  const dayAndTime = new Intl.DateTimeFormat(tag, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: SALE_TIME_ZONE,
  });
  const timeOfDay = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: SALE_TIME_ZONE });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: SALE_TIME_ZONE }); // YYYY-MM-DD in Korea
  const zone = locale === 'ko' ? '' : ' KST';
  const at = (iso: string) => `${dayAndTime.format(new Date(iso))}${zone}`;
  return {
    at,
    besides: (iso: string, reference: string) =>
      day.format(new Date(iso)) === day.format(new Date(reference)) ? timeOfDay.format(new Date(iso)) : at(iso),
  };
}

export function useSaleTime() {
  const { locale } = useI18n();
  return useMemo(() => saleTimeFormat(locale), [locale]);
}
