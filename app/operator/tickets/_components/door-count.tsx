'use client';

import { useQuery } from '@tanstack/react-query';
import { useI18n } from '@/app/_i18n/provider';
import { useDoorApi } from './door-api';

const COUNT_REFRESH_MS = 10_000;
export const doorCountKey = (scheduleId: number) => ['door', 'count', scheduleId] as const;

/** How many the date has let in so far (every gate), refreshed every 10 s and after each check-in. */
export function DoorCount({ scheduleId, offlineEntries }: { scheduleId: number; offlineEntries: number }) {
  const { t } = useI18n();
  const api = useDoorApi();
  const count = useQuery({
    queryKey: doorCountKey(scheduleId),
    queryFn: () => api.doorCount.query({ scheduleId }),
    refetchInterval: COUNT_REFRESH_MS,
    // Offline, the last figure stays up rather than an error.
    retry: false,
  });
  return (
    <div className="door-count">
      {count.data && (
        <p className="door-count-figure" data-testid="door-count">
          {t('door.count', { admitted: count.data.admitted, tickets: count.data.tickets })}
        </p>
      )}
      {offlineEntries > 0 && <p className="muted">{t('door.countOffline', { count: offlineEntries })}</p>}
    </div>
  );
}
