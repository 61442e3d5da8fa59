'use client';

import { useId, useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import type { DoorTicket } from './door-contract';
import { useDoorApi } from './door-api';
import { lookUpOffline, openDoorList } from './offline-door';
import { storedEntries, storedList } from './offline-store';
import { isNetworkFailure, type CheckInput } from './use-door-check';

/**
 * The typed fallback: a booking code or ticket reference lists its tickets with the holder's name and
 * state, and only "Name checked: let in" on one of them checks it in. Offline, from the signed list.
 */
export function DoorLookup({
  scheduleId,
  offline,
  disabled,
  onCheck,
}: {
  scheduleId: number | null;
  offline: boolean;
  disabled: boolean;
  onCheck: (input: CheckInput) => Promise<void>;
}) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const api = useDoorApi();
  const id = useId();
  const [code, setCode] = useState('');
  const [found, setFound] = useState<DoorTicket[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  const lookUpOnDevice = async (scheduleId: number, value: string) => {
    const stored = storedList(scheduleId);
    if (!stored) throw new Error('no offline list');
    return lookUpOffline(await openDoorList(stored.list, stored.key, scheduleId), value, storedEntries());
  };
  const lookUp = async (value: string) => {
    if (scheduleId === null || !value.trim()) return;
    setPending(true);
    setError(null);
    try {
      if (offline) setFound(await lookUpOnDevice(scheduleId, value));
      else {
        try {
          setFound((await api.lookup.query({ scheduleId, code: value.trim() })).tickets);
        } catch (e) {
          if (!isNetworkFailure(e) || !storedList(scheduleId)) throw e;
          setFound(await lookUpOnDevice(scheduleId, value));
        }
      }
    } catch (e) {
      setFound(null);
      setError(e);
    } finally {
      setPending(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void lookUp(code);
  };
  const letIn = async (reference: string) => {
    await onCheck({ reference, holderChecked: true });
    // The list shows the ticket's new state.
    await lookUp(code);
  };

  return (
    <section className="card door-lookup" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('door.lookup.title')}</h2>
      <form onSubmit={submit} className="door-lookup-form">
        <label htmlFor={`${id}-code`}>{t('door.lookup.code')}</label>
        <p id={`${id}-hint`} className="muted field-hint">
          {t('door.lookup.hint')}
        </p>
        <div className="door-inline">
          <input
            id={`${id}-code`}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            required
            maxLength={40}
            aria-describedby={`${id}-hint`}
          />
          <button type="submit" className="button-primary" disabled={disabled || pending}>
            {t('door.lookup.submit')}
          </button>
        </div>
      </form>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {error instanceof Error && error.message === 'no offline list' ? t('door.offline.unprepared') : message(error)}
        </p>
      )}
      {found?.length === 0 && (
        <p className="notice" role="status">
          {t('door.lookup.none')}
        </p>
      )}
      {found && found.length > 0 && (
        <ul className="door-found" aria-label={t('door.lookup.results')}>
          {found.map((ticket) => (
            <li key={ticket.reference} className="door-found-item">
              <div>
                <strong>{ticket.holderName}</strong>
                <span className="muted">
                  {' '}
                  · {ticket.seat} · {ticket.reference}
                </span>
                <br />
                <span className={`door-state door-state-${ticket.state}`}>{t(`door.state.${ticket.state}`)}</span>
              </div>
              {ticket.state === 'valid' && (
                <button type="button" className="button-primary" disabled={disabled} onClick={() => void letIn(ticket.reference)}>
                  {t('door.lookup.letIn', { holder: ticket.holderName })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
