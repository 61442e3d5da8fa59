'use client';

import { useI18n, formatClock } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { secondsUntil, useNow } from './use-now';

const TURN_REFRESH_MS = 15_000;

/**
 * Once admitted, every page shows how long the turn lasts. Without a queue token (the server saw no
 * cookie, and the waiting room has not put a turn here since) there is nothing to ask: asking would be
 * a refused call on every page load.
 */
export function TurnBanner({ hasQueueToken }: { hasQueueToken: boolean }) {
  const { t } = useI18n();
  const now = useNow();
  const known = trpc.queue.status.useQuery(undefined, { enabled: false });
  const status = trpc.queue.status.useQuery(undefined, {
    enabled: hasQueueToken || known.data !== undefined,
    // A closed line (sold out) is over: nothing to poll for, here or in the waiting room.
    refetchInterval: (query) => ((query.state.data?.status as string | undefined) === 'closed' ? false : TURN_REFRESH_MS),
  });
  if (status.data?.status !== 'active' || !status.data.activeUntil) return null;
  const left = secondsUntil(status.data.activeUntil, now);
  return (
    <p className={`turn-banner${left < 60 ? ' turn-banner-urgent' : ''}`} role="timer" aria-live="off">
      {left > 0 ? t('turn.left', { time: formatClock(left) }) : t('turn.ended')}
    </p>
  );
}
