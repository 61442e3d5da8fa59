'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import type { SaleView } from '@/server/admin/sale-view';
import { AuditEntries } from '@/app/admin/_components/audit-entries';
import { Field } from '@/app/admin/_components/field';
import { fieldErrorsOf } from '@/app/admin/_components/field-errors';
import { fromKstInput, toKstInput } from '@/app/admin/_components/kst';
import { LineChart } from '@/app/admin/_components/line-chart';
import { StateBadge } from '@/app/admin/_components/state-badge';
import { useSaleMutations } from '@/app/admin/_components/use-sale-mutations';
import { useSamples } from '@/app/admin/_components/use-samples';
import { WhoJoins } from '@/app/admin/_components/who-joins';

const LIVE_REFRESH_MS = 2_000;
const HISTORY_REFRESH_MS = 15_000;
const RECENT_CHANGES = 10;
const SHOW_TIME_ZONE = 'Asia/Seoul';

const COLORS = {
  waiting: '#5b3cc4',
  active: '#1d8a52',
  joined: '#2f7de1',
  admitted: '#1d8a52',
  sold: '#c4314b',
  free: '#1d8a52',
  held: '#a45b00',
  wait: '#5b3cc4',
};
const DASH = { solid: undefined, dashed: '6 4', dotted: '2 4' };

function useClock() {
  const { locale } = useI18n();
  return useMemo(() => {
    const options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: SHOW_TIME_ZONE } as const;
    const minutes = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', options);
    const seconds = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', { ...options, second: '2-digit' });
    return { minute: (t: number) => minutes.format(t), second: (t: number) => seconds.format(t) };
  }, [locale]);
}

function Stat({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <div className="stat" role="group" aria-labelledby={`stat-${id}`}>
      <span id={`stat-${id}`} className="stat-label">
        {label}
      </span>
      <strong className="stat-value">{value}</strong>
      {detail && <span className="muted stat-detail">{detail}</span>}
    </div>
  );
}

function CloseSale({ sale, close }: { sale: SaleView; close: ReturnType<typeof useSaleMutations>['close'] }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" className="button-danger" onClick={() => dialog.current?.showModal()}>
        {t('admin.controls.close')}
      </button>
      <dialog ref={dialog} aria-labelledby="close-title" aria-describedby="close-body" className="confirm-dialog">
        <h2 id="close-title">{t('admin.controls.closeTitle')}</h2>
        <p id="close-body">{t('admin.controls.closeBody')}</p>
        <p className="muted">{sale.title}</p>
        <div className="actions">
          <button
            type="button"
            className="button-danger"
            disabled={close.isPending}
            onClick={() => close.mutate({ concertId: sale.concertId }, { onSettled: () => dialog.current?.close() })}
          >
            {t('admin.controls.closeConfirm')}
          </button>
          <button type="button" autoFocus onClick={() => dialog.current?.close()}>
            {t('admin.controls.closeCancel')}
          </button>
        </div>
      </dialog>
    </>
  );
}

function Controls({ sale }: { sale: SaleView }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const { pause, resume, update, close } = useSaleMutations(sale.concertId);
  const [cap, setCap] = useState(String(sale.maxActive));
  const [turn, setTurn] = useState(String(sale.turnSeconds));
  const [prequeueOpensAt, setPrequeueOpensAt] = useState(toKstInput(sale.prequeueOpensAt));
  const [opensAt, setOpensAt] = useState(toKstInput(sale.opensAt));
  const [audience, setAudience] = useState(sale.audience);
  const [saved, setSaved] = useState<'settings' | 'times' | 'audience' | null>(null);
  const over = sale.closedReason !== null;
  const beforeOpening = sale.state === 'scheduled' || sale.state === 'prequeue';
  const errors = fieldErrorsOf(update.error);
  const failed = [pause.error, resume.error, close.error, update.error].find(Boolean);

  const saveSettings = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    update.mutate(
      { concertId: sale.concertId, maxActive: Number(cap), turnSeconds: Number(turn) },
      { onSuccess: () => setSaved('settings') },
    );
  };
  const saveTimes = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    update.mutate(
      { concertId: sale.concertId, prequeueOpensAt: fromKstInput(prequeueOpensAt), opensAt: fromKstInput(opensAt) },
      { onSuccess: () => setSaved('times') },
    );
  };

  const saveAudience = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    update.mutate({ concertId: sale.concertId, audience }, { onSuccess: () => setSaved('audience') });
  };

  if (over) {
    return (
      <section className="card" aria-labelledby="controls-title">
        <h2 id="controls-title">{t('admin.controls.title')}</h2>
        <p>{t('admin.controls.over')}</p>
      </section>
    );
  }
  return (
    <section className="card controls" aria-labelledby="controls-title">
      <h2 id="controls-title">{t('admin.controls.title')}</h2>
      <div className="actions">
        {sale.paused ? (
          <button
            type="button"
            className="button-primary"
            disabled={resume.isPending}
            onClick={() => resume.mutate({ concertId: sale.concertId })}
          >
            {t('admin.controls.resume')}
          </button>
        ) : (
          <button type="button" disabled={pause.isPending} onClick={() => pause.mutate({ concertId: sale.concertId })}>
            {t('admin.controls.pause')}
          </button>
        )}
        <CloseSale sale={sale} close={close} />
      </div>
      {sale.paused && (
        <p className="notice notice-warning" role="status">
          {t('admin.controls.paused')}
        </p>
      )}
      <form className="inline-form" onSubmit={saveSettings} noValidate>
        <Field
          id="cap"
          label={t('admin.controls.cap')}
          inputMode="numeric"
          path="maxActive"
          errors={errors}
          value={cap}
          onChange={(e) => setCap(e.target.value)}
        />
        <Field
          id="turn"
          label={t('admin.controls.turn')}
          inputMode="numeric"
          path="turnSeconds"
          errors={errors}
          value={turn}
          onChange={(e) => setTurn(e.target.value)}
        />
        <button type="submit" disabled={update.isPending}>
          {t('admin.controls.save')}
        </button>
      </form>
      {saved === 'settings' && (
        <p className="notice notice-success" role="status">
          {t('admin.controls.saved')}
        </p>
      )}
      <h3>{t('admin.controls.times')}</h3>
      {beforeOpening ? (
        <form className="inline-form" onSubmit={saveTimes} noValidate>
          <Field
            id="edit-prequeue"
            label={t('admin.create.prequeueOpensAt')}
            type="datetime-local"
            path="prequeueOpensAt"
            errors={errors}
            value={prequeueOpensAt}
            onChange={(e) => setPrequeueOpensAt(e.target.value)}
          />
          <Field
            id="edit-opens"
            label={t('admin.create.opensAt')}
            type="datetime-local"
            path="opensAt"
            errors={errors}
            value={opensAt}
            onChange={(e) => setOpensAt(e.target.value)}
          />
          <button type="submit" disabled={update.isPending}>
            {t('admin.controls.saveTimes')}
          </button>
        </form>
      ) : (
        <p className="muted">{t('admin.controls.timesLocked')}</p>
      )}
      {saved === 'times' && (
        <p className="notice notice-success" role="status">
          {t('admin.controls.saved')}
        </p>
      )}
      <h3>{t('admin.audit.field.audience')}</h3>
      {sale.state === 'scheduled' ? (
        <form className="inline-form" onSubmit={saveAudience}>
          <div className="field">
            <label htmlFor="edit-audience">{t('admin.create.audience')}</label>
            <select id="edit-audience" value={audience} onChange={(e) => setAudience(e.target.value as typeof audience)}>
              <option value="everyone">{t('admin.audience.everyone')}</option>
              <option value="accounts">{t('admin.audience.accounts')}</option>
            </select>
          </div>
          <button type="submit" disabled={update.isPending}>
            {t('admin.controls.save')}
          </button>
        </form>
      ) : (
        <p className="muted">
          {t(`admin.audience.${sale.audience}`)} · {t('admin.controls.audienceLocked')}
        </p>
      )}
      {saved === 'audience' && (
        <p className="notice notice-success" role="status">
          {t('admin.controls.saved')}
        </p>
      )}
      {failed && (
        <p className="notice notice-error" role="alert">
          {message(failed)}
        </p>
      )}
    </section>
  );
}

/** The sale's latest audit entries: who changed what, and when (another operator's changes too, within HISTORY_REFRESH_MS). */
function RecentChanges({ concertId }: { concertId: number }) {
  const { t } = useI18n();
  const recent = trpc.admin.audit.list.useQuery({ concertId, limit: RECENT_CHANGES }, { refetchInterval: HISTORY_REFRESH_MS });
  return (
    <section className="card" aria-labelledby="recent-changes-title">
      <div className="admin-heading">
        <h2 id="recent-changes-title">{t('admin.audit.recent')}</h2>
        <Link href="/admin/audit">{t('admin.audit.all')}</Link>
      </div>
      {recent.isPending ? (
        <Loading />
      ) : recent.error ? (
        <ErrorNotice error={recent.error} onRetry={() => void recent.refetch()} />
      ) : recent.data.entries.length === 0 ? (
        <p className="muted">{t('admin.audit.empty')}</p>
      ) : (
        <AuditEntries entries={recent.data.entries} showTarget={false} />
      )}
    </section>
  );
}

/** One sale, live: the line, the seats, the draw, the controls, and who changed what. */
export default function SaleDashboard() {
  const { t, formatDateTime, formatDuration } = useI18n();
  const clock = useClock();
  const concertId = Number(useParams<{ concertId: string }>().concertId);
  const list = trpc.admin.sale.list.useQuery(undefined, { refetchInterval: LIVE_REFRESH_MS });
  const stats = trpc.admin.sale.stats.useQuery({ concertId }, { refetchInterval: LIVE_REFRESH_MS, refetchIntervalInBackground: true });
  const history = trpc.admin.sale.history.useQuery({ concertId }, { refetchInterval: HISTORY_REFRESH_MS });
  const samples = useSamples(concertId, stats.data, stats.dataUpdatedAt);
  const sale = list.data?.find((s) => s.concertId === concertId);
  const [, rerender] = useState(0);
  useEffect(() => {
    // "Updated hh:mm:ss" stays honest while a refresh is in flight.
    const id = setInterval(() => rerender((n) => n + 1), LIVE_REFRESH_MS);
    return () => clearInterval(id);
  }, []);

  if (list.isPending || stats.isPending) return <Loading />;
  if (!sale) return <ErrorNotice error={stats.error ?? list.error} onRetry={() => void stats.refetch()} />;
  const s = stats.data;
  const times = samples.map((x) => x.at);
  const minutes = (history.data ?? []).map((h) => Date.parse(h.minute));

  return (
    <section aria-labelledby="sale-title" className="dashboard">
      <p>
        <Link href="/admin">← {t('admin.dash.back')}</Link>
      </p>
      <h1 id="sale-title">
        {sale.title}
        <StateBadge state={s?.state ?? sale.state} />
      </h1>
      <p className="muted">
        {sale.artist} · {sale.venue}
        <br />
        {t('admin.sales.prequeue', { time: formatDateTime(sale.prequeueOpensAt) })} ·{' '}
        {t('admin.sales.opens', { time: formatDateTime(sale.opensAt) })}
      </p>
      <p className="live-note muted">
        <span className="live-dot" aria-hidden="true" /> {t('admin.dash.live')}
        {stats.dataUpdatedAt > 0 && <> · {t('admin.dash.updated', { time: clock.second(stats.dataUpdatedAt) })}</>}
      </p>
      {stats.error && <ErrorNotice error={stats.error} />}

      {s && (
        <div className="stats">
          <Stat id="waiting" label={t('admin.stat.waiting')} value={s.waiting.toLocaleString()} />
          <Stat
            id="active"
            label={t('admin.stat.active')}
            value={s.active.toLocaleString()}
            detail={t('admin.stat.activeOf', { cap: sale.maxActive })}
          />
          <Stat id="admitted" label={t('admin.stat.admittedLastMinute')} value={s.admittedLastMinute.toLocaleString()} />
          <Stat id="sold-minute" label={t('admin.stat.soldLastMinute')} value={s.soldLastMinute.toLocaleString()} />
          <Stat id="free" label={t('admin.stat.seatsFree')} value={s.seatsFree.toLocaleString()} />
          <Stat id="held" label={t('admin.stat.seatsHeld')} value={s.seatsHeld.toLocaleString()} />
          <Stat id="sold" label={t('admin.stat.seatsSold')} value={s.seatsSold.toLocaleString()} />
          <Stat
            id="wait"
            label={t('admin.stat.lastInLineWait')}
            value={s.lastInLineWaitSeconds === null ? t('admin.stat.nobody') : formatDuration(s.lastInLineWaitSeconds)}
          />
        </div>
      )}

      <Controls sale={sale} />
      {s && <WhoJoins sale={sale} stats={s} samples={samples} formatTime={clock.second} />}
      <RecentChanges concertId={concertId} />

      <div className="charts">
        <LineChart
          title={t('admin.chart.line')}
          description={t('admin.chart.lineDesc')}
          times={times}
          formatTime={clock.second}
          series={[
            { name: t('admin.stat.waiting'), color: COLORS.waiting, values: samples.map((x) => x.waiting) },
            { name: t('admin.stat.active'), color: COLORS.active, dash: DASH.dashed, values: samples.map((x) => x.active) },
          ]}
        />
        <LineChart
          title={t('admin.chart.perMinute')}
          description={t('admin.chart.perMinuteDesc')}
          times={minutes}
          formatTime={clock.minute}
          series={[
            { name: t('admin.chart.joined'), color: COLORS.joined, dash: DASH.dotted, values: (history.data ?? []).map((h) => h.joined) },
            { name: t('admin.chart.admitted'), color: COLORS.admitted, values: (history.data ?? []).map((h) => h.admitted) },
            { name: t('admin.chart.sold'), color: COLORS.sold, dash: DASH.dashed, values: (history.data ?? []).map((h) => h.sold) },
          ]}
        />
        <LineChart
          title={t('admin.chart.seats')}
          description={t('admin.chart.seatsDesc')}
          times={times}
          formatTime={clock.second}
          series={[
            { name: t('admin.stat.seatsFree'), color: COLORS.free, values: samples.map((x) => x.seatsFree) },
            { name: t('admin.stat.seatsHeld'), color: COLORS.held, dash: DASH.dotted, values: samples.map((x) => x.seatsHeld) },
            { name: t('admin.stat.seatsSold'), color: COLORS.sold, dash: DASH.dashed, values: samples.map((x) => x.seatsSold) },
          ]}
        />
        <LineChart
          title={t('admin.chart.wait')}
          description={t('admin.chart.waitDesc')}
          times={times}
          formatTime={clock.second}
          series={[{ name: t('admin.chart.waitSeconds'), color: COLORS.wait, values: samples.map((x) => x.lastInLineWaitSeconds) }]}
        />
      </div>

      <section className="card draw" aria-labelledby="draw-title">
        <h2 id="draw-title">{t('admin.draw.title')}</h2>
        <dl className="facts">
          <div>
            <dt>{t('admin.draw.commitment')}</dt>
            <dd>
              <code>{sale.commitment}</code>
            </dd>
          </div>
          <div>
            <dt>{t('admin.draw.seed')}</dt>
            <dd>
              {sale.seed ? <code>{sale.seed}</code> : <span className="muted">{t('admin.draw.hidden')}</span>}
              {sale.openedAt && (
                <span className="draw-time muted">{t('admin.draw.openedAt', { time: formatDateTime(sale.openedAt) })}</span>
              )}
            </dd>
          </div>
        </dl>
      </section>
    </section>
  );
}
