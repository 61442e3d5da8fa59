'use client';

import Link from 'next/link';
import { useI18n } from '@/app/_i18n/provider';
import { useSaleTime } from './sale';
import type { SaleDraw } from './sale-contract';

/** Rows shown at most; the rest is in the API's pages (and checked by the script). */
const MAX_ROWS = 500;

/** A sale's draw as `sale.draw` answers it, and how anyone can check it. */
export function DrawView({
  concertId,
  draw,
  opensAt,
  drawNumber,
  origin,
}: {
  concertId: number;
  draw: SaleDraw;
  opensAt?: string;
  /** The visitor's draw number, marked in the list. */
  drawNumber?: number;
  origin: string;
}) {
  const { t } = useI18n();
  const time = useSaleTime();
  const entries = [...(draw.entries ?? [])].sort((a, b) => a.place - b.place);
  const shown = entries.slice(0, MAX_ROWS);
  const mine = drawNumber === undefined ? undefined : entries.find((e) => e.ticket === drawNumber);
  if (mine && !shown.includes(mine)) shown.push(mine);
  return (
    <>
      <dl className="draw-facts">
        <div>
          <dt>{t('draw.commitment')}</dt>
          <dd>
            <code data-testid="draw-commitment">{draw.commitment ?? '–'}</code>
          </dd>
        </div>
        <div>
          <dt>{t('draw.seed')}</dt>
          <dd>
            <code data-testid="draw-seed">{draw.seed ?? '–'}</code>
          </dd>
        </div>
        {draw.openedAt && (
          <div>
            <dt>{t('draw.openedAt')}</dt>
            <dd>{time.at(draw.openedAt)}</dd>
          </div>
        )}
      </dl>
      {draw.seed === null && opensAt && <p className="notice">{t('draw.notYet', { time: time.at(opensAt) })}</p>}
      {draw.entries && (
        // Not a landmark of its own: the scrolling table below is the one region this heading names.
        <section>
          <h2 id="draw-entries">{t('draw.entries')}</h2>
          {entries.length === 0 ? (
            <p className="muted">{t('draw.none')}</p>
          ) : (
            // A scrolling region: reachable and named for keyboard and screen-reader users.
            <div className="draw-table-wrap" tabIndex={0} role="region" aria-labelledby="draw-entries">
              <table className="draw-table">
                <thead>
                  <tr>
                    <th scope="col">{t('draw.place')}</th>
                    <th scope="col">{t('draw.drawNumber')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((e) => (
                    <tr key={e.ticket} className={e === mine ? 'draw-mine' : undefined} aria-current={e === mine ? 'true' : undefined}>
                      <td>{e.place.toLocaleString()}</td>
                      <td>{e.ticket}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <section className="draw-verify" aria-labelledby="draw-verify">
        <h2 id="draw-verify">{t('draw.verifyTitle')}</h2>
        <ol>
          <li>{t('draw.rule1')}</li>
          <li>{t('draw.rule2')}</li>
        </ol>
        <p>{t('draw.rule3')}</p>
        <pre>
          <code>{`npm run verify:draw -- ${origin} ${concertId}`}</code>
        </pre>
        <p className="muted">{t('draw.limit')}</p>
      </section>
      <p>
        <Link href="/">{t('queue.backToConcerts')}</Link>
      </p>
    </>
  );
}
