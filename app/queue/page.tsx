'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useRef, useState } from 'react';
import { ErrorNotice, Loading } from '../_components/states';
import { useI18n } from '../_i18n/provider';
import { trpc } from '../_trpc/client';
import { nextPollDelayMs } from '../../server/queue/timing';

/** Only paths inside this site, so `next` can't send anyone elsewhere. */
function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

/** The concert whose line to join: `?concert=`, else the concert page `next` leads to. */
function concertOf(params: URLSearchParams, next: string): number | null {
  const id = Number(params.get('concert') ?? /^\/concerts\/(\d+)/.exec(next)?.[1]);
  return Number.isInteger(id) && id > 0 ? id : null;
}

function WaitingRoom() {
  const { t, formatDuration } = useI18n();
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const concertInLink = concertOf(params, next);
  // Without a concert in the link (wallet, tickets, checkout), the line joined last, else a concert on sale.
  const lastLine = trpc.queue.status.useQuery(undefined, { enabled: concertInLink === null, retry: false });
  const concerts = trpc.concert.list.useQuery(undefined, { enabled: concertInLink === null && lastLine.isError });
  const onSale = concerts.data?.find((c) => c.sale?.state === 'open')?.concertId ?? null;
  const concertId = concertInLink ?? lastLine.data?.concertId ?? onSale;
  // Issuing is idempotent: a live token comes back unchanged, so reopening the tab keeps the place.
  const utils = trpc.useUtils();
  const issue = trpc.queue.issue.useMutation({
    onSuccess: ({ token: _token, ...view }) => {
      // Shown at once, then read for real.
      utils.queue.status.setData({ concertId: view.concertId }, view);
      void utils.queue.status.invalidate();
    },
  });
  const joined = issue.isSuccess;
  const unchanged = useRef(0);
  const lastPosition = useRef<number | null>(null);
  const status = trpc.queue.status.useQuery(concertId === null ? undefined : { concertId }, {
    enabled: joined,
    refetchInterval: (query) => (query.state.data?.status === 'active' ? false : nextPollDelayMs(unchanged.current)),
    refetchIntervalInBackground: true,
  });
  const [firstPosition, setFirstPosition] = useState<number | null>(null);

  useEffect(() => {
    if (issue.isIdle && concertId !== null) issue.mutate({ concertId });
  }, [issue, concertId]);

  const view = status.data ?? issue.data;
  const token = issue.data?.token;
  useEffect(() => {
    if (!token || !view?.position) return;
    const key = `queue-first-position:${token}`;
    const stored = Number(localStorage.getItem(key));
    const first = stored > 0 ? stored : view.position;
    localStorage.setItem(key, String(first));
    setFirstPosition(first);
  }, [token, view?.position]);

  useEffect(() => {
    const position = status.data?.position ?? null;
    unchanged.current = position !== null && position === lastPosition.current ? unchanged.current + 1 : 0;
    lastPosition.current = position;
  }, [status.data]);

  useEffect(() => {
    if (view?.status === 'active') {
      void utils.queue.status.invalidate(); // the turn banner reads the line joined last
      router.replace(next);
    }
    // the place was given up: join again
    if (status.data?.status === 'expired' && !issue.isPending && concertId !== null) issue.mutate({ concertId });
  }, [view?.status, status.data?.status, next, router, issue, concertId, utils]);

  if (lastLine.error && concerts.isSuccess && onSale === null) return <ErrorNotice error={lastLine.error} />;
  if (issue.error) return <ErrorNotice error={issue.error} onRetry={() => concertId !== null && issue.mutate({ concertId })} />;
  if (!view)
    return (
      <p className="muted" aria-busy="true">
        {t('queue.joining')}
      </p>
    );
  if (view.status === 'active')
    return (
      <p className="notice notice-success" role="status">
        {t('queue.admitted')}
      </p>
    );

  const position = view.position ?? 1;
  const ahead = position - 1;
  const progress = firstPosition && firstPosition > 1 ? Math.round(((firstPosition - position) / (firstPosition - 1)) * 100) : 0;
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <h1 id="waiting-title">{t('queue.title')}</h1>
      <p>{t('queue.intro')}</p>
      <div className="position" role="status" aria-live="polite">
        <span className="position-label">{t('queue.position')}</span>
        <strong className="position-number" data-testid="queue-position">
          {position.toLocaleString()}
        </strong>
        <span>
          {ahead === 0 ? t('queue.aheadNone') : ahead === 1 ? t('queue.aheadOne') : t('queue.ahead', { count: ahead.toLocaleString() })}
        </span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={t('queue.progress')}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={progress}
      >
        <div className="progress-bar" style={{ width: `${Math.max(progress, 3)}%` }} />
      </div>
      {view.estimatedWaitSeconds !== null && <p>{t('queue.wait', { time: formatDuration(view.estimatedWaitSeconds) })}</p>}
      <p className="muted">{t('queue.keepPlace')}</p>
      {status.error && <ErrorNotice error={status.error} />}
    </section>
  );
}

export default function WaitingRoomPage() {
  return (
    <Suspense fallback={<Loading />}>
      <WaitingRoom />
    </Suspense>
  );
}
