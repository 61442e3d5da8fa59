'use client';

import { useNow } from '@/app/_components/use-now';
import { useI18n } from '@/app/_i18n/provider';
import type { JoinPhase } from './use-join';

/** Counts the seconds of solving once a second. */
const TICK_MS = 1_000;

/**
 * What joining is doing, honestly: asking for the challenge, solving it (with the seconds so far and
 * why it is asked), taking the place. The solving itself has no meaningful percentage (a solver finds
 * its counter when it finds it), so no bar pretends to one.
 */
export function JoinProgress({ phase, solvingSince }: { phase: JoinPhase; solvingSince: number | null }) {
  const { t } = useI18n();
  const now = useNow(TICK_MS);
  if (phase !== 'solving') {
    return (
      <section className="card waiting-room" aria-labelledby="join-title">
        <h1 id="join-title">{t('join.title')}</h1>
        <p className="muted" role="status" aria-busy="true">
          {phase === 'challenge' ? t('join.asking') : t('join.joining')}
        </p>
      </section>
    );
  }
  const seconds = solvingSince === null ? 0 : Math.max(0, Math.floor((now - solvingSince) / 1000));
  return (
    <section className="card waiting-room" aria-labelledby="join-title">
      <h1 id="join-title">{t('join.title')}</h1>
      <div role="status" aria-busy="true">
        <p>{t('join.solving')}</p>
        {/* No value: an indeterminate bar, since nobody can know how far along a search is. */}
        <progress className="join-progress" aria-label={t('join.title')} />
        <p className="muted small">{t('join.solvingFor', { seconds: seconds.toLocaleString() })}</p>
      </div>
      <p className="muted small">{t('join.why')}</p>
    </section>
  );
}
