'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import type { DoorDate, LocalEntry } from './door-contract';
import { useDoorApi } from './door-api';
import { DoorAnswerView } from './door-answer';
import { DoorCount, doorCountKey } from './door-count';
import { DoorLookup } from './door-lookup';
import { DoorOffline } from './door-offline';
import { DoorScanner } from './door-scanner';
import { DoorSetup } from './door-setup';
import { DoorListError } from './offline-door';
import { storedDate, storedEntries, storedGate, storeDate, storeGate } from './offline-store';
import { useDoorCheck } from './use-door-check';

/**
 * The door, once signed in: the date and gate, the count, the camera and photo scan, the answer, the
 * typed fallback and offline mode. `canUndo`: the operator's role may undo an entry (manager, owner).
 */
export function Door({ canUndo }: { canUndo: boolean }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const api = useDoorApi();
  const queryClient = useQueryClient();
  const [scheduleId, setScheduleId] = useState<number | null>(null);
  const [gate, setGate] = useState('');
  const [offline, setOffline] = useState(false);
  const [entries, setEntries] = useState<LocalEntry[]>([]);
  const [undone, setUndone] = useState<string | null>(null);

  // What this device remembers: its gate, its date, what it let in offline.
  useEffect(() => {
    setGate(storedGate());
    setScheduleId(storedDate());
    setEntries(storedEntries());
  }, []);

  const refreshEntries = useCallback(() => {
    setEntries(storedEntries());
    if (scheduleId !== null) void queryClient.invalidateQueries({ queryKey: doorCountKey(scheduleId) });
  }, [queryClient, scheduleId]);
  const onEntry = useCallback(
    (where: 'server' | 'device') => {
      setUndone(null);
      if (where === 'device') setEntries(storedEntries());
      else if (scheduleId !== null) void queryClient.invalidateQueries({ queryKey: doorCountKey(scheduleId) });
    },
    [queryClient, scheduleId],
  );
  const goOffline = useCallback(() => setOffline(true), []);
  const chooseDate = useCallback((date: DoorDate | null) => {
    setScheduleId(date?.scheduleId ?? null);
    storeDate(date?.scheduleId ?? null);
  }, []);
  const door = useDoorCheck({ api, scheduleId, gate, offline, onNetworkFailure: goOffline, onEntry });
  const ready = scheduleId !== null && gate.trim() !== '';
  const offlineHere = entries.filter((e) => e.scheduleId === scheduleId && !e.uploaded).length;

  return (
    <div className="door">
      <DoorSetup
        scheduleId={scheduleId}
        gate={gate}
        onDate={chooseDate}
        onGate={(value) => {
          setGate(value);
          storeGate(value);
        }}
      />
      {!ready ? (
        <p className="notice">{t('door.setupFirst')}</p>
      ) : (
        <>
          <DoorCount scheduleId={scheduleId} offlineEntries={offlineHere} />
          <div className="door-main">
            <section className="card door-scan" aria-labelledby="door-scan-title">
              <h2 id="door-scan-title">{t('door.scan')}</h2>
              <DoorScanner onScan={(qr, from) => void door.check({ qr }, from === 'camera')} disabled={!ready} />
            </section>
            <div className="door-answer-area" aria-live="polite">
              {door.notice && (
                <p className="notice notice-warning" role="alert">
                  {t(door.notice === 'auto' ? 'door.offline.auto' : 'door.offline.unprepared')}
                </p>
              )}
              {door.pending && <p className="door-checking">{t('door.checking')}</p>}
              {door.error !== null && (
                <p className="notice notice-error" role="alert">
                  {door.error instanceof DoorListError ? t('door.offline.bad') : message(door.error)}
                </p>
              )}
              {undone && (
                <p className="notice notice-success" role="status">
                  {t('door.undo.done', { reference: undone })}
                </p>
              )}
              {door.shown && (
                <DoorAnswerView
                  shown={door.shown}
                  canUndo={canUndo}
                  onUndone={(reference) => {
                    door.clear();
                    setUndone(reference);
                    refreshEntries();
                  }}
                />
              )}
            </div>
          </div>
          <div className="door-side">
            <DoorLookup scheduleId={scheduleId} offline={offline} disabled={!ready} onCheck={door.check} />
            <DoorOffline
              scheduleId={scheduleId}
              offline={offline}
              onOfflineChange={setOffline}
              entries={entries}
              onEntriesChange={refreshEntries}
            />
          </div>
        </>
      )}
    </div>
  );
}
