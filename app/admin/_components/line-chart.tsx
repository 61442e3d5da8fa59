'use client';

import { useId } from 'react';
import { useI18n } from '@/app/_i18n/provider';

export interface ChartSeries {
  name: string;
  /** A CSS colour; every series also has its own dash pattern, so colour is never the only cue. */
  color: string;
  dash?: string;
  /** One value per time (null: no sample). */
  values: (number | null)[];
}

const WIDTH = 600;
const HEIGHT = 200;
const PAD = { left: 64, right: 12, top: 14, bottom: 32 };
const TABLE_ROWS = 30;

/** The smallest of 1, 2, 5 × 10ⁿ at or above `value` (at least 2, so the middle tick is whole): a round top for the y axis. */
function niceMax(value: number): number {
  if (value <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value)!;
}

/**
 * A small hand-written SVG line chart. Screen readers get its title, a description that names the
 * latest values, and a table of the points behind a disclosure.
 */
export function LineChart({
  title,
  description,
  times,
  series,
  formatTime,
  formatValue = (v) => v.toLocaleString(),
}: {
  title: string;
  description: string;
  /** Epoch milliseconds, ascending. */
  times: number[];
  series: ChartSeries[];
  formatTime: (t: number) => string;
  formatValue?: (v: number) => string;
}) {
  const { t } = useI18n();
  const id = useId();
  const latest = series.map((s) => {
    const value = [...s.values].reverse().find((v) => v !== null);
    return `${s.name} ${value === undefined || value === null ? '–' : formatValue(value)}`;
  });
  const latestText = t('admin.chart.latest', { values: latest.join(', ') });
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const [first = 0, last = 0] = [times[0], times[times.length - 1]];
  const span = Math.max(1, last - first);
  const x = (time: number) => (times.length < 2 ? WIDTH / 2 : PAD.left + ((time - first) / span) * (WIDTH - PAD.left - PAD.right));
  const y = (value: number) => PAD.top + (1 - value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const ticks = [0, top / 2, top];

  return (
    <figure className="chart">
      <figcaption className="chart-title" id={`${id}-caption`}>
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{`${description} ${latestText}`}</desc>
        {ticks.map((tick) => (
          <g key={tick} className="chart-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {times.length > 0 && (
          <g className="chart-axis">
            <text x={PAD.left} y={HEIGHT - 6} textAnchor="start">
              {formatTime(first)}
            </text>
            {times.length > 1 && (
              <text x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end">
                {formatTime(last)}
              </text>
            )}
          </g>
        )}
        {series.map((s) => {
          const points = s.values.flatMap((v, i) => (v === null || times[i] === undefined ? [] : [`${x(times[i])},${y(v)}`]));
          const end = points.at(-1)?.split(',').map(Number);
          return (
            <g key={s.name}>
              <polyline
                points={points.join(' ')}
                fill="none"
                stroke={s.color}
                strokeWidth={2.5}
                strokeDasharray={s.dash}
                vectorEffect="non-scaling-stroke"
                strokeLinejoin="round"
              />
              {end && <circle cx={end[0]} cy={end[1]} r={3.5} fill={s.color} />}
            </g>
          );
        })}
      </svg>
      <ul className="chart-legend" aria-hidden="true">
        {series.map((s, i) => (
          <li key={s.name}>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" stroke={s.color} strokeWidth="3" strokeDasharray={s.dash} />
            </svg>
            {latest[i]}
          </li>
        ))}
      </ul>
      <details className="chart-table">
        <summary>{t('admin.chart.table')}</summary>
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.chart.time')}</th>
              {series.map((s) => (
                <th scope="col" key={s.name}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times
              .map((time, i) => ({ time, i }))
              .slice(-TABLE_ROWS)
              .reverse()
              .map(({ time, i }) => (
                <tr key={time}>
                  <th scope="row">{formatTime(time)}</th>
                  {series.map((s) => (
                    <td key={s.name}>{s.values[i] === null || s.values[i] === undefined ? '–' : formatValue(s.values[i])}</td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
