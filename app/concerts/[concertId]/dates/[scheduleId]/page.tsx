'use client';

import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState } from 'react';
import { SeatLegend, SeatMap, tierColours, type Seat } from '@/app/_components/seat-map';
import { seatsLeftToPick, usePurchaseLimits } from '@/app/_components/purchase-limits';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useConcert } from '@/app/_components/use-concert';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useQueueGuard } from '@/app/_components/use-queue-guard';
import { formatWon, useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { errorData, reasonOf } from '@/app/_trpc/errors';

/** Seats taken by others turn unavailable within this long. */
const SEATS_REFRESH_MS = 3_000;

export default function SeatsPage() {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const router = useRouter();
  const params = useParams<{ concertId: string; scheduleId: string }>();
  const [concertId, scheduleId] = [Number(params.concertId), Number(params.scheduleId)];
  const concert = useConcert(concertId);
  const startsAt = concert?.dates.find((d) => d.scheduleId === scheduleId)?.startsAt;
  const utils = trpc.useUtils();
  const seats = trpc.concert.seats.useQuery({ scheduleId }, { refetchInterval: SEATS_REFRESH_MS });
  const orders = trpc.order.list.useQuery(undefined, { retry: false });
  const limits = usePurchaseLimits();
  // Seats the fan may still pick for this concert (the server has the last word: HOLD_LIMIT, PURCHASE_LIMIT).
  const perPerson = Math.min(limits.holdMax, limits.purchaseMax);
  const allowance = orders.data ? seatsLeftToPick(orders.data, concertId, limits) : perPerson;
  const [picked, setPicked] = useState<number[]>([]);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);
  const [wantedQuantity, setQuantity] = useState(2);
  const [section, setSection] = useState('');
  const byId = new Map(seats.data?.map((s) => [s.seatId, s]));
  // A seat someone else took since it was picked drops out of the selection.
  const selection = picked.filter((id) => byId.get(id)?.status === 'available');
  const selected = new Set(selection);
  const labels = (ids: number[]) => ids.map((id) => byId.get(id)?.label ?? `#${id}`).join(', ');

  const hold = trpc.order.hold.useMutation({
    onSuccess: (order) => {
      void utils.order.list.invalidate();
      router.push(`/checkout/order/${order.orderId}`);
    },
    onError: (error) => {
      const taken = (errorData(error)?.seatIds as number[] | undefined) ?? [];
      if (reasonOf(error) === 'SEAT_UNAVAILABLE' && taken.length > 0) {
        setPicked((ids) => ids.filter((id) => !taken.includes(id)));
        setNotice({ kind: 'error', text: t('seatmap.taken', { labels: labels(taken) }) });
      } else {
        setNotice({ kind: 'error', text: message(error) });
      }
      void utils.concert.seats.invalidate({ scheduleId });
    },
  });
  const [suggesting, setSuggesting] = useState(false);
  const quantity = Math.max(1, Math.min(wantedQuantity, allowance));
  const guard = useQueueGuard(seats.error, hold.error);
  if (guard) return guard;

  const toggle = (seat: Seat) => {
    setNotice(null);
    if (selected.has(seat.seatId)) setPicked(selection.filter((id) => id !== seat.seatId));
    else if (selection.length >= allowance) {
      setNotice({ kind: 'error', text: allowance === 0 ? t('seatmap.leftNone', { limit: limits.purchaseMax }) : t('seatmap.full') });
    } else setPicked([...selection, seat.seatId]);
  };
  const suggest = async () => {
    setNotice(null);
    setSuggesting(true);
    try {
      const { seatIds } = await utils.concert.bestAvailable.fetch(
        { scheduleId, quantity, ...(section ? { section } : {}) },
        { staleTime: 0 },
      );
      if (seatIds.length === 0) {
        setNotice({ kind: 'error', text: t('seatmap.noneTogether', { count: quantity }) });
      } else {
        setPicked(seatIds);
        setNotice({ kind: 'info', text: t('seatmap.suggested', { labels: labels(seatIds) }) });
      }
    } catch (error) {
      setNotice({ kind: 'error', text: message(error) });
    } finally {
      setSuggesting(false);
    }
  };
  const chosen = selection.map((id) => byId.get(id)!).filter(Boolean);
  const total = chosen.reduce((sum, s) => sum + s.price, 0);
  const sections = [...tierColours(seats.data ?? []).keys()];
  const heldHere = orders.data?.filter((o) => o.status === 'held' && o.scheduleId === scheduleId) ?? [];

  return (
    <section aria-labelledby="page-title" className="seat-page">
      <p className="eyebrow">{concert ? `${concert.title} · ${concert.artist}` : '\u00a0'}</p>
      <h1 id="page-title" tabIndex={-1}>
        {t('seats.title')}
      </h1>
      {concert && (
        <p className="show-facts">
          {startsAt && <time dateTime={startsAt}>{formatDateTime(startsAt, true)}</time>}
          <span aria-hidden="true"> · </span>
          <span>{concert.venue}</span>
        </p>
      )}
      <p>
        <Link href={`/concerts/${concertId}`}>← {t('seats.back')}</Link>
      </p>
      {heldHere.map((o) => (
        <p key={o.orderId} className="notice notice-warning">
          {t('seatmap.alreadyHeld', { labels: o.seats.map((s) => s.label).join(', ') })}{' '}
          <Link href={`/checkout/order/${o.orderId}`}>{t('seatmap.continue')}</Link>
        </p>
      ))}
      {seats.isPending && <Loading />}
      {seats.error && <ErrorNotice error={seats.error} onRetry={() => void seats.refetch()} />}
      {seats.data && (
        <div className="seat-layout">
          <div className="seat-main">
            <SeatLegend seats={seats.data} />
            <fieldset className="best-available" disabled={allowance === 0}>
              <legend>{t('seatmap.bestTitle')}</legend>
              <div className="best-form">
                <label>
                  {t('seatmap.quantity')}
                  <select value={quantity} onChange={(e) => setQuantity(Number(e.target.value))}>
                    {Array.from({ length: Math.max(1, allowance) }, (_, i) => i + 1).map((n) => (
                      <option key={n} value={n}>
                        {n}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t('seatmap.section')}
                  <select value={section} onChange={(e) => setSection(e.target.value)}>
                    <option value="">{t('seatmap.anySection')}</option>
                    {sections.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" disabled={suggesting || hold.isPending} onClick={() => void suggest()}>
                  {t('seatmap.best', { count: quantity })}
                </button>
              </div>
            </fieldset>
            <SeatMap
              seats={seats.data}
              selected={selected}
              onToggle={toggle}
              busy={hold.isPending}
              label={t('seatmap.label')}
              limitReached={selection.length >= allowance}
            />
            <p className="muted">{t('seats.refreshing')}</p>
          </div>
          <aside className="selection-panel card" aria-labelledby="selection-title">
            <h2 id="selection-title">{t('seatmap.selection', { count: chosen.length, max: allowance })}</h2>
            {allowance < perPerson && (
              <p className={allowance === 0 ? 'notice notice-warning' : 'muted'} data-testid="seats-left">
                {allowance === 0
                  ? t('seatmap.leftNone', { limit: limits.purchaseMax })
                  : allowance === 1
                    ? t('seatmap.leftOne')
                    : t('seatmap.left', { count: allowance })}
              </p>
            )}
            <div aria-live="polite" aria-atomic="false">
              {notice && (
                <p
                  className={`notice ${notice.kind === 'error' ? 'notice-error' : 'notice-success'}`}
                  role={notice.kind === 'error' ? 'alert' : 'status'}
                >
                  {notice.text}
                </p>
              )}
            </div>
            {chosen.length === 0 ? (
              allowance === perPerson && <p className="muted">{t('seatmap.empty', { max: allowance })}</p>
            ) : (
              <ul className="selection-list" aria-label={t('seatmap.chosen')}>
                {chosen.map((s) => (
                  <li key={s.seatId}>
                    <span className="tier-dot" style={{ background: tierColours(seats.data).get(s.section) }} aria-hidden="true" />
                    <span className="selection-seat">{s.label}</span>
                    <span className="muted">{t('seatmap.tier', { section: s.section })}</span>
                    <span className="selection-price">{formatWon(s.price)}</span>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => toggle(s)}
                      aria-label={t('seatmap.remove', { label: s.label })}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <p className="selection-total">
              <span>{t('seatmap.total')}</span> <strong data-testid="selection-total">{formatWon(total)}</strong>
            </p>
            <button
              type="button"
              className="button-primary hold-button"
              disabled={chosen.length === 0 || hold.isPending}
              onClick={() => hold.mutate({ seatIds: [...selection].sort((a, b) => a - b) })}
            >
              {hold.isPending
                ? t('seatmap.holding')
                : chosen.length === 1
                  ? t('seatmap.holdOne')
                  : t('seatmap.hold', { count: chosen.length })}
            </button>
          </aside>
        </div>
      )}
    </section>
  );
}
