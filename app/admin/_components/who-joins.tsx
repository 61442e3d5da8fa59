'use client';

import { useMemo, useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import type { SaleStats } from '@/server/admin/sale-stats';
import type { SaleView } from '@/server/admin/sale-view';
import { Field } from './field';
import { fieldErrorsOf } from './field-errors';
import { LineChart } from './line-chart';
import { useSaleMutations } from './use-sale-mutations';
import type { Sample } from './use-samples';

const COLORS = { joins: '#2f7de1', solved: '#1d8a52', refused: '#c4314b' };
const DASH = { dashed: '6 4', dotted: '2 4' };
/** What the operator types as a whole number: digits, thousands separated by commas or not. */
const WHOLE = /^\d{1,3}(,?\d{3})*$/;

function useNumbers() {
  const { locale } = useI18n();
  return useMemo(() => {
    const tag = locale === 'ko' ? 'ko-KR' : 'en-GB';
    const whole = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
    const rate = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
    const percent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
    return { whole: (n: number) => whole.format(n), rate: (n: number) => rate.format(n), percent: (n: number) => percent.format(n) };
  }, [locale]);
}

function Rate({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <div className="stat" role="group" aria-labelledby={`joins-${id}`}>
      <span id={`joins-${id}`} className="stat-label">
        {label}
      </span>
      <strong className="stat-value">{value}</strong>
      {detail && <span className="muted stat-detail">{detail}</span>}
    </div>
  );
}

/** The join challenge's settings, changed live: the next challenge issued uses them. */
function DifficultyControls({ sale, surgeFactor }: { sale: SaleView; surgeFactor: number }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const { update } = useSaleMutations(sale.concertId);
  const [difficulty, setDifficulty] = useState(String(sale.joinDifficulty));
  const [surge, setSurge] = useState(sale.joinSurgePerSecond === null ? '' : String(sale.joinSurgePerSecond));
  const [typed, setTyped] = useState<Record<string, string[]>>({});
  const [saved, setSaved] = useState(false);
  const errors = { ...fieldErrorsOf(update.error), ...typed };

  const save = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    // A text that is no number would travel as null, which turns the rise off: say so here instead.
    const isWhole = (text: string) => WHOLE.test(text.trim());
    const refused = {
      ...(!isWhole(difficulty) && { joinDifficulty: ['Invalid input'] }),
      ...(surge.trim() !== '' && !isWhole(surge) && { joinSurgePerSecond: ['Invalid input'] }),
    };
    setTyped(refused);
    if (Object.keys(refused).length > 0) return;
    const whole = (text: string) => Number(text.trim().replace(/,/g, ''));
    update.mutate(
      { concertId: sale.concertId, joinDifficulty: whole(difficulty), joinSurgePerSecond: surge.trim() === '' ? null : whole(surge) },
      { onSuccess: () => setSaved(true) },
    );
  };

  return (
    <>
      <form className="inline-form" onSubmit={save} noValidate aria-labelledby="join-controls-title">
        <Field
          id="join-difficulty"
          label={t('admin.joins.difficultyField')}
          inputMode="numeric"
          path="joinDifficulty"
          errors={errors}
          value={difficulty}
          onChange={(e) => setDifficulty(e.target.value)}
        />
        <Field
          id="join-surge"
          label={t('admin.joins.surgeField', { factor: surgeFactor })}
          inputMode="numeric"
          path="joinSurgePerSecond"
          errors={errors}
          value={surge}
          onChange={(e) => setSurge(e.target.value)}
        />
        <button type="submit" disabled={update.isPending}>
          {t('admin.joins.apply')}
        </button>
      </form>
      {saved && (
        <p className="notice notice-success" role="status">
          {t('admin.joins.saved')}
        </p>
      )}
      {update.error && Object.keys(fieldErrorsOf(update.error)).length === 0 && (
        <p className="notice notice-error" role="alert">
          {message(update.error)}
        </p>
      )}
    </>
  );
}

/**
 * Who joins the line, for the operator who watches for a script farm: joins, challenge solves and
 * refusals per second (now, and sampled while the page is open), the difficulty a challenge costs
 * now, the busiest address prefixes, and the join challenge's settings.
 */
export function WhoJoins({
  sale,
  stats,
  samples,
  formatTime,
}: {
  sale: SaleView;
  stats: SaleStats;
  samples: Sample[];
  formatTime: (t: number) => string;
}) {
  const { t } = useI18n();
  const n = useNumbers();
  const { joinDifficulty: d } = stats;
  const answered = stats.solvedPerSecond + stats.refusedPerSecond;
  const over = sale.closedReason !== null;

  return (
    <section className="card who-joins" aria-labelledby="who-joins-title">
      <h2 id="who-joins-title">{t('admin.joins.title')}</h2>
      <p className="muted">{t('admin.joins.intro')}</p>
      <div className="stats">
        <Rate id="joins" label={t('admin.joins.joins')} value={n.rate(stats.joinsPerSecond)} />
        <Rate id="challenges" label={t('admin.joins.challenges')} value={n.rate(stats.challengesPerSecond)} />
        <Rate id="solved" label={t('admin.joins.solved')} value={n.rate(stats.solvedPerSecond)} />
        <Rate
          id="refused"
          label={t('admin.joins.refused')}
          value={n.rate(stats.refusedPerSecond)}
          detail={answered > 0 ? t('admin.joins.refusedShare', { share: n.percent(stats.refusedPerSecond / answered) }) : undefined}
        />
      </div>

      <h3 id="join-controls-title">{t('admin.joins.controls')}</h3>
      <dl className="facts join-difficulty">
        <div>
          <dt>{t('admin.joins.difficulty')}</dt>
          <dd>
            <strong>{n.whole(d.effective)}</strong>{' '}
            <span className={d.surging ? 'surging' : 'muted'}>
              {d.surging
                ? t('admin.joins.surging', { factor: d.surgeFactor, threshold: n.whole(d.surgePerSecond ?? 0), base: n.whole(d.base) })
                : t('admin.joins.notSurging')}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('admin.joins.surge')}</dt>
          <dd>
            {d.surgePerSecond === null
              ? t('admin.joins.surgeOff')
              : t('admin.joins.surgeArmed', { factor: d.surgeFactor, threshold: n.whole(d.surgePerSecond) })}
          </dd>
        </div>
      </dl>
      {!over && <DifficultyControls sale={sale} surgeFactor={d.surgeFactor} />}

      <div className="charts join-charts">
        <LineChart
          title={t('admin.joins.chart')}
          description={t('admin.joins.chartDesc')}
          times={samples.map((x) => x.at)}
          formatTime={formatTime}
          formatValue={n.rate}
          series={[
            { name: t('admin.joins.joinsShort'), color: COLORS.joins, values: samples.map((x) => x.joinsPerSecond ?? null) },
            {
              name: t('admin.joins.solvedShort'),
              color: COLORS.solved,
              dash: DASH.dashed,
              values: samples.map((x) => x.solvedPerSecond ?? null),
            },
            {
              name: t('admin.joins.refusedShort'),
              color: COLORS.refused,
              dash: DASH.dotted,
              values: samples.map((x) => x.refusedPerSecond ?? null),
            },
          ]}
        />
        <div className="prefixes">
          <table className="data-table">
            <caption>
              <span className="chart-title">{t('admin.joins.prefixes')}</span>
              <span className="muted prefixes-desc">{t('admin.joins.prefixesDesc')}</span>
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.joins.prefix')}</th>
                <th scope="col">{t('admin.joins.places')}</th>
                <th scope="col">{t('admin.joins.share')}</th>
              </tr>
            </thead>
            <tbody>
              {stats.busiestPrefixes.length === 0 ? (
                <tr>
                  <td colSpan={3} className="muted">
                    {t('admin.joins.noPrefixes')}
                  </td>
                </tr>
              ) : (
                stats.busiestPrefixes.map((p) => (
                  <tr key={p.prefix}>
                    <th scope="row">
                      <code>{p.prefix}</code>
                    </th>
                    <td>{n.whole(p.places)}</td>
                    <td>{n.percent(p.share)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </div>
      <p className="muted farm-hint">{t('admin.joins.farmHint')}</p>
    </section>
  );
}
