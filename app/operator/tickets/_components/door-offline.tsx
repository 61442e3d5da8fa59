'use client';

import { useCallback, useEffect, useId, useState } from 'react';
import { kstClock } from '@/app/admin/_components/kst';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import type { LocalEntry, UploadResult } from './door-contract';
import { uploadable, useDoorApi } from './door-api';
import { DoorListError, openDoorList } from './offline-door';
import {
  deviceId,
  storedList,
  storeEntries,
  storedEntries,
  storeList,
  storedReport,
  storeReport,
  type StoredList,
  type UploadReport,
} from './offline-store';
import { UploadResults } from './upload-results';

/** Entries an upload carries at most (server/ticket/offline.ts MAX_UPLOAD_ENTRIES). */
const UPLOAD_BATCH = 100;

/**
 * Offline at the door: "Prepare for offline" keeps the date's signed list and the public key on this
 * device (only once the signature checks); the "Offline mode" switch; the entries made offline and
 * their upload, by hand or as soon as the browser is back online.
 */
export function DoorOffline({
  scheduleId,
  offline,
  onOfflineChange,
  entries,
  onEntriesChange,
}: {
  scheduleId: number;
  offline: boolean;
  onOfflineChange: (offline: boolean) => void;
  entries: LocalEntry[];
  onEntriesChange: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const api = useDoorApi();
  const id = useId();
  const [stored, setStored] = useState<StoredList | null>(null);
  const [device, setDevice] = useState('');
  const [report, setReport] = useState<UploadReport | null>(null);
  const [pending, setPending] = useState<'prepare' | 'upload' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const waiting = entries.filter((e) => !e.uploaded);

  useEffect(() => {
    setStored(storedList(scheduleId));
    setDevice(deviceId());
    setReport(storedReport());
  }, [scheduleId]);

  const prepare = async () => {
    setPending('prepare');
    setError(null);
    try {
      const [list, key] = await Promise.all([api.doorList.query({ scheduleId }), api.publicKey.query()]);
      const payload = await openDoorList(list, key, scheduleId);
      const kept: StoredList = {
        list,
        key,
        summary: { concertTitle: payload.concertTitle, tickets: payload.tickets.length, generatedAt: payload.generatedAt },
        preparedAt: new Date().toISOString(),
      };
      storeList(scheduleId, kept);
      setStored(kept);
    } catch (e) {
      setError(e);
    } finally {
      setPending(null);
    }
  };

  const upload = useCallback(async () => {
    const sending = storedEntries().filter((e) => !e.uploaded);
    if (sending.length === 0) return;
    setPending('upload');
    setError(null);
    try {
      const results: UploadResult[] = [];
      for (let i = 0; i < sending.length; i += UPLOAD_BATCH)
        results.push(
          ...(await api.uploadEntries.mutate({ deviceId: deviceId(), entries: sending.slice(i, i + UPLOAD_BATCH).map(uploadable) }))
            .results,
        );
      const answered = new Set(results.map((r) => r.localId));
      storeEntries(storedEntries().map((e) => (answered.has(e.localId) ? { ...e, uploaded: true } : e)));
      const next: UploadReport = {
        at: new Date().toISOString(),
        results: results.map((r) => ({ ...r, entry: sending.find((e) => e.localId === r.localId) })),
      };
      storeReport(next);
      setReport(next);
      onEntriesChange();
    } catch (e) {
      setError(e);
    } finally {
      setPending(null);
    }
  }, [api, onEntriesChange]);

  // Back online: leave offline mode and send what was let in meanwhile.
  useEffect(() => {
    const back = () => {
      onOfflineChange(false);
      void upload();
    };
    window.addEventListener('online', back);
    return () => window.removeEventListener('online', back);
  }, [onOfflineChange, upload]);

  return (
    <section className="card door-offline" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('door.offline.title')}</h2>
      <p role="status">
        {stored
          ? t('door.offline.ready', {
              tickets: stored.summary.tickets,
              title: stored.summary.concertTitle,
              time: formatDateTime(stored.summary.generatedAt),
            })
          : t('door.offline.notReady')}
      </p>
      <div className="actions">
        <button type="button" onClick={() => void prepare()} disabled={pending !== null}>
          {t('door.offline.prepare')}
        </button>
        <label className="door-switch">
          <input type="checkbox" checked={offline} onChange={(e) => onOfflineChange(e.target.checked)} />
          {t('door.offline.mode')}
        </label>
      </div>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {error instanceof DoorListError ? t('door.offline.bad') : message(error)}
        </p>
      )}
      <p>{t('door.offline.pending', { count: waiting.length })}</p>
      <button type="button" className="button-primary" onClick={() => void upload()} disabled={pending !== null || waiting.length === 0}>
        {t('door.offline.upload')}
      </button>
      {report && <UploadResults report={report} />}
      <p className="muted door-device">
        {t('door.offline.device', { id: device })}
        {stored && ` · ${kstClock(stored.preparedAt)}`}
      </p>
    </section>
  );
}
