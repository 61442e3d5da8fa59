'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useRef, useState } from 'react';
import { drawPageOf, useSaleTime } from '@/app/_components/sale';
import type { QueueView } from '@/app/_components/sale-contract';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useConcert } from '@/app/_components/use-concert';
import { secondsUntil, useNow } from '@/app/_components/use-now';
import { waitingRoomFor } from '@/app/_components/use-queue-guard';
import { formatClock, useI18n } from '@/app/_i18n/provider';
import NotFound from '@/app/not-found';
import { trpc } from '@/app/_trpc/client';
import { errorData, reasonOf } from '@/app/_trpc/errors';
import { retryAfterSecondsOf, retryDelayMs, wasShed } from '@/app/_trpc/retry-after';
import { JoinProgress } from './_join/join-progress';
import { useJoin } from './_join/use-join';
import { nextPollDelayMs } from '@/server/shared/timing';
import { safeNext } from '@/app/_components/safe-next';

/** The line to wait in: `?concert=`, else the concert of `next` (`/concerts/<id>/…`). */
function concertOf(param: string | null, next: string): number | null {
  const named = Number(param);
  if (param && Number.isSafeInteger(named) && named > 0) return named;
  const match = /^\/concerts\/(\d+)(?:[/?#]|$)/.exec(next);
  return match ? Number(match[1]) : null;
}

/** Right after the opening, pre-queue fans poll within this spread, so they do not all arrive at once. */
const OPENING_SPREAD_MS = 1_500;
const MIN_POLL_MS = 1_000;

/**
 * When to read the status again: never once admitted or closed; right after the opening in the
 * pre-queue; sooner as the turn comes near while waiting (so an admitted fan learns of it quickly).
 */
function pollDelay(view: QueueView | undefined, unchangedPolls: number): number | false {
  if (!view || view.status === 'active' || view.status === 'closed') return false;
  // The soonest the turn may come sets the pace: the range's lower end, and 0 for the fan who is next
  // (a slot frees whenever a buyer pays or leaves, whatever the rate measured so far).
  const soonest = view.position === 1 ? 0 : (view.estimatedWaitRange?.min ?? view.estimatedWaitSeconds);
  const delay = nextPollDelayMs(unchangedPolls, Math.random(), view.status === 'waiting' ? soonest : null);
  if (view.status === 'prequeue' && view.opensAt) {
    const untilOpening = Date.parse(view.opensAt) - Date.now();
    return Math.max(MIN_POLL_MS, Math.min(delay, untilOpening + Math.random() * OPENING_SPREAD_MS));
  }
  return delay;
}

/**
 * How often a waiting fan reads the line's sale state (`queue.line`: the same for every fan, answered
 * from the server's memory), so a pause shows within 2 s even while the fan's own place is read
 * seldom (every 10 s far back in line).
 */
const LINE_SALE_POLL_MS = 1_500;

/** The line's sale state, read every LINE_SALE_POLL_MS while the fan waits. */
function useLineSale(concertId: number, view: QueueView | undefined) {
  const waiting = view?.status === 'waiting' || view?.status === 'prequeue';
  const line = trpc.queue.line.useQuery(
    { concertId },
    { enabled: waiting, refetchInterval: LINE_SALE_POLL_MS, refetchIntervalInBackground: true, retry: false },
  );
  return line.data ? { ...line.data, readAt: line.dataUpdatedAt } : undefined;
}

/** The fan's view with the line's newer word on a pause (or its end), when the line was read after the view. */
function withLineSale(
  view: QueueView | undefined,
  line: { saleState: QueueView['saleState']; pausedSince: string | null; readAt: number } | undefined,
  viewReadAt: number,
): QueueView | undefined {
  if (!view || !line || line.readAt < viewReadAt) return view;
  if (line.saleState !== 'paused' && view.saleState !== 'paused') return view;
  return { ...view, saleState: line.saleState, pausedSince: line.pausedSince };
}

/** The tab shows the place and the show, so a fan with many tabs sees it: "#312 in line · Seoul Lights Live". */
function useTabTitle(title: string | null) {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = title;
    return () => {
      document.title = before;
    };
  }, [title]);
}

function WaitingRoom() {
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const concertId = concertOf(params.get('concert'), next);
  return concertId === null ? <FindLine next={next} /> : <Line key={concertId} concertId={concertId} next={next} />;
}

/** No concert named: the line of the visitor's current token, if there is one. */
function FindLine({ next }: { next: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const status = trpc.queue.status.useQuery(undefined, { retry: false });
  const concertId = status.data?.concertId;
  useEffect(() => {
    if (concertId !== undefined) router.replace(waitingRoomFor(next, concertId));
  }, [concertId, next, router]);
  if (status.isPending || concertId !== undefined) return <Loading />;
  if (status.error && reasonOf(status.error) !== 'TOKEN_INVALID') {
    return <ErrorNotice error={status.error} onRetry={() => void status.refetch()} />;
  }
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <h1 id="waiting-title">{t('queue.title')}</h1>
      <p>{t('queue.pickConcert')}</p>
      <Link className="button-primary" href="/">
        {t('queue.backToConcerts')}
      </Link>
    </section>
  );
}

function Line({ concertId, next }: { concertId: number; next: string }) {
  const router = useRouter();
  const utils = trpc.useUtils();
  // Issuing is idempotent per concert: a live token comes back unchanged, so reopening the tab keeps the place.
  // A join the server was too busy to start is sent again after its Retry-After, for as long as the page is open.
  const {
    join: issue,
    phase,
    solvingSince,
  } = useJoin(concertId, {
    onJoined: ({ token: _token, ...view }) => {
      // Shown at once, then read for real.
      utils.queue.status.setData({ concertId }, view);
      void utils.queue.status.invalidate();
    },
  });
  const joined = issue.isSuccess;
  // Left the line on purpose: nothing polls and nothing joins again until the fan asks.
  const [left, setLeft] = useState(false);
  const leave = trpc.queue.leave.useMutation({
    onSuccess: () => {
      setLeft(true);
      utils.queue.status.setData({ concertId }, undefined);
    },
  });
  const unchanged = useRef(0);
  const nextPoll = useRef<{ answeredAt: number; wait: number | false }>({ answeredAt: -1, wait: false });
  const lastPosition = useRef<number | null>(null);
  // This line's own token (its cookie), whatever line another tab joined since.
  const status = trpc.queue.status.useQuery(
    { concertId },
    {
      enabled: joined && !left,
      // Never sooner than the server asked, when it shed the last poll. Worked out once per answer (it
      // has a random part): this is asked again at every render, and a new value restarts the timer.
      refetchInterval: (query) => {
        const answeredAt = query.state.dataUpdatedAt + query.state.errorUpdatedAt;
        if (nextPoll.current.answeredAt !== answeredAt) {
          const delay = pollDelay(query.state.data, unchanged.current);
          const asked = retryAfterSecondsOf(query.state.error);
          const wait = delay === false || asked === undefined ? delay : Math.max(delay, retryDelayMs(query.state.error, delay));
          nextPoll.current = { answeredAt, wait };
        }
        return nextPoll.current.wait;
      },
      refetchIntervalInBackground: true,
    },
  );
  const polled = status.data;
  const view: QueueView | undefined = withLineSale(
    polled ?? issue.data,
    useLineSale(concertId, polled ?? issue.data),
    status.dataUpdatedAt,
  );

  useEffect(() => {
    if (issue.isIdle) issue.mutate();
  }, [issue, concertId]);

  const token = issue.data?.token;
  const [firstPosition, setFirstPosition] = useState<number | null>(null);
  useEffect(() => {
    if (!token || view?.status !== 'waiting' || !view.position) return;
    const key = `queue-first-position:${token}`;
    const stored = Number(localStorage.getItem(key));
    const first = stored > 0 ? stored : view.position;
    localStorage.setItem(key, String(first));
    setFirstPosition(first);
  }, [token, view?.status, view?.position]);

  // Whether this token was in the pre-queue (so it is in the draw), remembered across reloads.
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!token) return;
    const key = `queue-prequeue:${token}`;
    if (view?.status === 'prequeue') localStorage.setItem(key, '1');
    setDrawn(localStorage.getItem(key) === '1');
  }, [token, view?.status]);

  useEffect(() => {
    const position = polled?.position ?? null;
    unchanged.current = position !== null && position === lastPosition.current ? unchanged.current + 1 : 0;
    lastPosition.current = position;
  }, [polled]);

  // Join again when the place was given up or the cookie is gone: only after this page's own join, and
  // only for answers read since.
  const lostToken = reasonOf(status.error) === 'TOKEN_INVALID' && status.errorUpdatedAt > issue.submittedAt;
  const mustRejoin = joined && !left && (polled?.status === 'expired' || lostToken);
  useEffect(() => {
    if (view?.status === 'active') {
      // The turn banner reads the line joined last, which is this one: it shows the turn at once.
      utils.queue.status.setData(undefined, view);
      router.replace(next);
    }
    if (mustRejoin && !issue.isPending) issue.mutate();
  }, [view, mustRejoin, next, router, issue, concertId, utils]);

  const { t } = useI18n();
  const concert = useConcert(concertId);
  useTabTitle(
    view?.status === 'waiting' && view.position
      ? t('queue.tabTitle', { position: view.position.toLocaleString(), title: concert?.title ?? t('brand') })
      : null,
  );

  if (left) {
    return (
      <LeftLine
        concertId={concertId}
        onJoinAgain={() => {
          setLeft(false);
          leave.reset();
          issue.mutate();
        }}
      />
    );
  }

  const reason = reasonOf(issue.error);
  if (reason === 'SOLD_OUT' || reason === 'SALE_CLOSED') {
    return <LineClosed concertId={concertId} reason={reason === 'SOLD_OUT' ? 'sold_out' : 'closed'} />;
  }
  if (reason === 'SALE_NOT_OPEN') {
    return (
      <NotOpenYet
        concertId={concertId}
        prequeueOpensAt={errorData(issue.error)?.prequeueOpensAt as string | undefined}
        onOpen={() => issue.mutate()}
      />
    );
  }
  if (reason === 'NOT_FOUND') return <NotFound />;
  if (reason === 'SALE_FOR_ACCOUNTS') return <AccountsOnly concertId={concertId} />;
  if (issue.error) return <ErrorNotice error={issue.error} onRetry={() => issue.mutate()} />;
  if (!view || view.status === 'expired') {
    const busyFor = wasShed(issue.failureReason) ? retryAfterSecondsOf(issue.failureReason) : undefined;
    return (
      <>
        <JoinProgress phase={phase} solvingSince={solvingSince} />
        {busyFor !== undefined && (
          <p className="notice" role="status">
            {t('queue.busy', { seconds: busyFor.toLocaleString() })}
          </p>
        )}
      </>
    );
  }
  if (view.status === 'active')
    return (
      <p className="notice notice-success" role="status">
        {t('queue.admitted')}
      </p>
    );
  if (view.status === 'closed') return <LineClosed concertId={concertId} reason={view.closedReason ?? 'closed'} />;
  if (view.status === 'prequeue') return <Prequeue concertId={concertId} view={view} />;
  // When the place shown was read: the last poll, else the join.
  const updatedAt = status.dataUpdatedAt || issue.submittedAt;
  return (
    <InLine
      concertId={concertId}
      view={view}
      firstPosition={firstPosition}
      drawn={drawn}
      updatedAt={updatedAt}
      pollError={status.error}
      leave={{ onLeave: () => leave.mutate({ concertId }), pending: leave.isPending, error: leave.error }}
    />
  );
}

function ConcertEyebrow({ concertId }: { concertId: number }) {
  const concert = useConcert(concertId);
  return concert ? (
    <p className="eyebrow">
      {concert.title} · {concert.venue}
    </p>
  ) : null;
}

/** Joined before the opening: no place yet, a countdown, and why arriving early does not matter. */
function Prequeue({ concertId, view }: { concertId: number; view: QueueView }) {
  const { t } = useI18n();
  const time = useSaleTime();
  const now = useNow();
  const concert = useConcert(concertId);
  const opensAt = view.opensAt;
  const left = opensAt ? secondsUntil(opensAt, now) : null;
  const commitment = concert?.sale?.commitment;
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
      <h1 id="waiting-title">{t('queue.title')}</h1>
      <p>{t('queue.prequeueIntro')}</p>
      <div className="position">
        <span className="position-label">{t('queue.opensIn')}</span>
        {left === null || left > 0 ? (
          <strong className="position-number opening-countdown" role="timer" aria-label={t('queue.opensIn')}>
            {left === null ? '–' : formatClock(left)}
          </strong>
        ) : (
          <strong className="drawing" role="status">
            {t('queue.drawing')}
          </strong>
        )}
        {opensAt && <span className="muted">{t('queue.opensAt', { time: time.at(opensAt) })}</span>}
      </div>
      <p className="notice no-advantage">
        {t('queue.noAdvantage')} <Link href={drawPageOf(concertId, view.ticket)}>{t('queue.howDraw')}</Link>
      </p>
      <p className="draw-number-line">{t('queue.yourDrawNumber', { number: view.ticket })}</p>
      {commitment && (
        <p className="commitment muted">
          {t('queue.commitment')} <code>{commitment}</code>
        </p>
      )}
      <p className="muted">{t('queue.keepPlace')}</p>
    </section>
  );
}

/** In line: the place, who is ahead, the estimated wait, and the seats honestly. */
function InLine({
  concertId,
  view,
  firstPosition,
  drawn,
  updatedAt,
  pollError,
  leave,
}: {
  concertId: number;
  view: QueueView;
  firstPosition: number | null;
  /** Joined in the pre-queue: the place came from the draw, which the fan can check. */
  drawn: boolean;
  /** When `view` was read (ms since the epoch). */
  updatedAt: number;
  pollError: unknown;
  leave: LeaveControls;
}) {
  const { t } = useI18n();
  const time = useSaleTime();
  const now = useNow();
  const sinceUpdate = Math.max(0, Math.floor((now - updatedAt) / 1000));
  const paused = view.saleState === 'paused';
  const resumedAt = useResumedAt(view.saleState);
  // Between polls the estimate counts down by itself, so it moves smoothly; each poll sets it anew.
  // While the sale is paused nobody is let in: it stands still (the wait from when it resumes).
  const elapsed = paused ? 0 : sinceUpdate;
  const range = view.estimatedWaitRange ?? (view.estimatedWaitSeconds === null ? null : { min: 0, max: view.estimatedWaitSeconds });
  const wait = range && waitWords(t, { min: Math.max(0, range.min - elapsed), max: Math.max(0, range.max - elapsed) });
  const position = view.position ?? 1;
  const ahead = view.aheadOfYou ?? position - 1;
  // Full when the fan is next; else the share of the way from where they joined.
  const progress =
    ahead === 0 ? 100 : firstPosition && firstPosition > 1 ? Math.round(((firstPosition - position) / (firstPosition - 1)) * 100) : 0;
  const held = view.seatsHeld;
  const inLine = view.inLine;
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
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
        {inLine !== null && inLine !== undefined && (
          <span className="muted small" data-testid="queue-in-line">
            {inLine === 1 ? t('queue.inLineOne') : t('queue.inLine', { count: inLine.toLocaleString() })}
          </span>
        )}
      </div>
      {paused && (
        <p className="notice notice-warning" role="alert">
          {t('queue.paused', { time: time.at(view.pausedSince ?? new Date(now).toISOString()) })}
        </p>
      )}
      {!paused && resumedAt !== null && now - resumedAt < RESUMED_NOTE_MS && (
        <p className="notice notice-success" role="status">
          {t('queue.resumed')}
        </p>
      )}
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
      {/* While no seat is free nobody is admitted: no estimate then, the sentence below says why. */}
      {wait !== null && view.seatsLeft !== 0 && (
        <p data-testid="queue-wait" title={t('queue.waitHow')}>
          {paused ? t('queue.pausedWait', { time: wait }) : t('queue.wait', { time: wait })}
        </p>
      )}
      <p className="muted small" data-testid="queue-updated">
        {sinceUpdate < 2 ? t('queue.updatedNow') : t('queue.updated', { seconds: sinceUpdate.toLocaleString() })}
      </p>
      <p className="draw-number-line">
        {t('queue.placeLine', { position: position.toLocaleString(), number: view.ticket })}
        {drawn && (
          <>
            {' '}
            <Link href={drawPageOf(concertId, view.ticket)}>{t('queue.checkDraw')}</Link>
          </>
        )}
      </p>
      {view.seatsLeft === 0 ? (
        <p className="notice notice-warning" role="status">
          {held === 1 ? t('queue.seatsTakenOne') : t('queue.seatsTaken', { held: (held ?? 0).toLocaleString() })}
        </p>
      ) : (
        typeof view.seatsLeft === 'number' && <p className="muted">{t('queue.seatsLeft', { count: view.seatsLeft.toLocaleString() })}</p>
      )}
      <p className="muted">{t('queue.keepPlace')}</p>
      {pollError ? <ErrorNotice error={pollError} /> : null}
      <LeaveLine {...leave} />
    </section>
  );
}

/** How long "the sale has resumed" stays on the page after a pause ends. */
const RESUMED_NOTE_MS = 30_000;

/** When this page saw the sale go from paused back to open (ms since the epoch), else null. */
function useResumedAt(saleState: QueueView['saleState']): number | null {
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const last = useRef(saleState);
  useEffect(() => {
    if (last.current === 'paused' && saleState === 'open') setResumedAt(Date.now());
    if (saleState === 'paused') setResumedAt(null);
    last.current = saleState;
  }, [saleState]);
  return resumedAt;
}

/**
 * A wait range in words, in whole minutes: "under a minute" only when even the longer end is, else
 * "about 4–6 min" (or "about 5 min" when both ends round alike).
 */
function waitWords(t: ReturnType<typeof useI18n>['t'], range: { min: number; max: number }): string {
  // Kept on one line ("about 1–20 min" never breaks after the dash on a phone).
  return waitPhrase(t, range)
    .replace(/ /g, '\u00a0')
    .replace(/[–~]/g, (dash) => `\u2060${dash}\u2060`);
}

function waitPhrase(t: ReturnType<typeof useI18n>['t'], range: { min: number; max: number }): string {
  if (range.max <= 60) return t('queue.waitUnderMinute');
  const max = Math.ceil(range.max / 60);
  const min = Math.min(max, Math.max(1, Math.floor(range.min / 60)));
  return min === max
    ? t('queue.waitAbout', { minutes: max.toLocaleString() })
    : t('queue.waitRange', { min: min.toLocaleString(), max: max.toLocaleString() });
}

interface LeaveControls {
  onLeave: () => void;
  pending: boolean;
  error: unknown;
}

/** Leaving the line on purpose: a button, then a confirmation (it cannot be undone). */
function LeaveLine({ onLeave, pending, error }: LeaveControls) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          {t('queue.leave')}
        </button>
      </div>
    );
  return (
    <div className="leave-confirm" role="group" aria-label={t('queue.leave')}>
      <p>{t('queue.leaveConfirm')}</p>
      <div className="actions">
        <button type="button" className="button-danger" onClick={onLeave} disabled={pending} aria-busy={pending}>
          {t('queue.leaveYes')}
        </button>
        <button type="button" onClick={() => setConfirming(false)} disabled={pending}>
          {t('queue.leaveNo')}
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}

/** Left the line on purpose: said plainly, with a way back in (at the back) and back to the concerts. */
function LeftLine({ concertId, onJoinAgain }: { concertId: number; onJoinAgain: () => void }) {
  const { t } = useI18n();
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
      <h1 id="waiting-title">{t('queue.left')}</h1>
      <p role="status">{t('queue.leftText')}</p>
      <div className="actions">
        <button type="button" className="button-primary" onClick={onJoinAgain}>
          {t('queue.joinAgain')}
        </button>
        <Link href="/">{t('queue.backToConcerts')}</Link>
      </div>
    </section>
  );
}

/** Sold out or closed: said at once, with the way back; nothing polls any more. */
function LineClosed({ concertId, reason }: { concertId: number; reason: 'sold_out' | 'closed' }) {
  const { t } = useI18n();
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
      <h1 id="waiting-title">{reason === 'sold_out' ? t('sale.soldOut') : t('sale.closed')}</h1>
      <p className="notice notice-warning" role="alert">
        {reason === 'sold_out' ? t('queue.soldOut') : t('queue.closed')}
      </p>
      <Link className="button-primary" href="/">
        {t('queue.backToConcerts')}
      </Link>
    </section>
  );
}

/** Before the pre-queue opens: when it does, and joining by itself then. */
function NotOpenYet({ concertId, prequeueOpensAt, onOpen }: { concertId: number; prequeueOpensAt?: string; onOpen: () => void }) {
  const { t } = useI18n();
  const time = useSaleTime();
  const now = useNow();
  const opened = prequeueOpensAt !== undefined && Date.parse(prequeueOpensAt) <= now;
  const asked = useRef(false);
  useEffect(() => {
    if (!opened || asked.current) return;
    asked.current = true;
    // Spread over a moment, so a crowd waiting on this page does not join in the same instant.
    const timer = setTimeout(onOpen, OPENING_SPREAD_MS * Math.random());
    return () => clearTimeout(timer);
  }, [opened, onOpen]);
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
      <h1 id="waiting-title">{t('queue.title')}</h1>
      <p className="notice" role="status">
        {prequeueOpensAt ? t('sale.notOpenYet', { time: time.at(prequeueOpensAt) }) : t('error.SALE_NOT_OPEN')}
      </p>
      <Link href="/">{t('queue.backToConcerts')}</Link>
    </section>
  );
}

/** A sale for signed-in fans, seen by a guest: sign in or up first, then back here to join. */
function AccountsOnly({ concertId }: { concertId: number }) {
  const { t } = useI18n();
  const here = typeof window === 'undefined' ? '/' : `${location.pathname}${location.search}`;
  const next = `?next=${encodeURIComponent(here)}`;
  return (
    <section className="card waiting-room" aria-labelledby="waiting-title">
      <ConcertEyebrow concertId={concertId} />
      <h1 id="waiting-title">{t('queue.title')}</h1>
      <p className="notice" role="status">
        {t('error.SALE_FOR_ACCOUNTS')}
      </p>
      <div className="actions">
        <Link className="button-primary" href={`/account/sign-in${next}`}>
          {t('nav.signIn')}
        </Link>
        <Link href={`/account/sign-up${next}`}>{t('account.signIn.toSignUp')}</Link>
      </div>
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
