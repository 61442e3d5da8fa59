'use client';

import { kstClock } from '@/app/admin/_components/kst';
import { useI18n } from '@/app/_i18n/provider';
import type { UploadReport } from './offline-store';

/** What the server made of an upload; a double entry (two devices let one ticket in) first, with both entries. */
export function UploadResults({ report }: { report: UploadReport }) {
  const { t } = useI18n();
  const doubles = report.results.filter((r) => r.outcome === 'double_entry');
  const others = report.results.filter((r) => r.outcome !== 'double_entry');
  const reference = (r: (typeof report.results)[number]) => r.entry?.reference ?? r.localId;
  return (
    <div className="door-upload-results">
      <h3>{t('door.upload.results')}</h3>
      <p role="status">{t('door.offline.uploaded', { count: report.results.length })}</p>
      {doubles.length > 0 && (
        <div role="alert">
          <ul className="door-doubles">
            {doubles.map(
              (r) =>
                r.outcome === 'double_entry' && (
                  <li key={r.localId} className="door-double">
                    <strong>{t('door.upload.double_entry', { reference: reference(r) })}</strong>
                    {r.firstEntry && <span>{t('door.upload.first', { time: kstClock(r.firstEntry.at), gate: r.firstEntry.gate })}</span>}
                    {r.entry && <span>{t('door.upload.mine', { time: kstClock(r.entry.scannedAt), gate: r.entry.gate })}</span>}
                  </li>
                ),
            )}
          </ul>
        </div>
      )}
      {others.length > 0 && (
        <ul className="door-uploaded">
          {others.map((r) => (
            <li key={r.localId}>
              {r.outcome === 'refused'
                ? `${t('door.upload.refused', { reference: reference(r) })}: ${t(`door.reason.${r.reason}`)}`
                : t(`door.upload.${r.outcome}`, { reference: reference(r) })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
