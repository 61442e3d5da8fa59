'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import type { DoorDate } from './door-contract';
import { useDoorApi } from './door-api';

export const DOOR_DATES_KEY = ['door', 'dates'] as const;

/** Which date this door lets in (the dates from 12 hours ago on) and the gate's name. */
export function DoorSetup({
  scheduleId,
  gate,
  onDate,
  onGate,
}: {
  scheduleId: number | null;
  gate: string;
  onDate: (date: DoorDate | null) => void;
  onGate: (gate: string) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const api = useDoorApi();
  const id = useId();
  const dates = useQuery({ queryKey: DOOR_DATES_KEY, queryFn: () => api.doorDates.query(), staleTime: 60_000 });
  // A date this device remembers that is no longer offered (over for 12 hours) is forgotten.
  const stale = scheduleId !== null && dates.data !== undefined && !dates.data.some((d) => d.scheduleId === scheduleId);
  useEffect(() => {
    if (stale) onDate(null);
  }, [stale, onDate]);

  if (dates.isPending) return <Loading />;
  if (dates.error) return <ErrorNotice error={dates.error} onRetry={() => void dates.refetch()} />;
  return (
    <div className="card door-setup">
      <div className="door-field">
        <label htmlFor={`${id}-date`}>{t('door.date')}</label>
        {dates.data.length === 0 ? (
          <p className="muted">{t('door.noDates')}</p>
        ) : (
          <select
            id={`${id}-date`}
            value={scheduleId ?? ''}
            onChange={(e) => onDate(dates.data.find((d) => d.scheduleId === Number(e.target.value)) ?? null)}
          >
            <option value="">{t('door.chooseDate')}</option>
            {dates.data.map((d) => (
              <option key={d.scheduleId} value={d.scheduleId}>
                {t('door.dateOption', { title: d.concertTitle, time: formatDateTime(d.startsAt), venue: d.venue })}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className="door-field">
        <label htmlFor={`${id}-gate`}>{t('door.gate')}</label>
        <input
          id={`${id}-gate`}
          value={gate}
          onChange={(e) => onGate(e.target.value)}
          maxLength={40}
          autoComplete="off"
          aria-describedby={`${id}-gate-hint`}
        />
        <p id={`${id}-gate-hint`} className="muted field-hint">
          {t('door.gateHint')}
        </p>
      </div>
    </div>
  );
}
