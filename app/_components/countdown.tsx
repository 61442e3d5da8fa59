'use client';

import { formatClock } from '@/app/_i18n/provider';
import { secondsUntil, useNow } from './use-now';

/** m:ss until `until`, announced politely to screen readers once a minute at most. */
export function Countdown({ until, label }: { until: string; label: string }) {
  const left = secondsUntil(until, useNow());
  return (
    <span className={`countdown${left < 60 ? ' countdown-urgent' : ''}`} role="timer" aria-label={label}>
      {formatClock(left)}
    </span>
  );
}
