'use client';

import { useId, useState, type FormEvent } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { useDoorApi } from './door-api';

/** A manager's "Undo entry" with its reason (required; the server keeps it on the record). */
export function UndoEntry({ reference, onUndone }: { reference: string; onUndone: (reference: string) => void }) {
  const { t } = useI18n();
  const message = useErrorMessage();
  const api = useDoorApi();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return;
    setPending(true);
    setError(null);
    try {
      await api.undoEntry.mutate({ reference, reason: reason.trim() });
      setOpen(false);
      onUndone(reference);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  if (!open)
    return (
      <button type="button" className="door-undo-button" onClick={() => setOpen(true)}>
        {t('door.undo')}
      </button>
    );
  return (
    <form className="door-undo" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-reason`}>{t('door.undo.reason')}</label>
      <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={200} autoFocus />
      <div className="actions">
        <button type="submit" className="button-primary button-danger" disabled={pending}>
          {t('door.undo.confirm')}
        </button>
        <button type="button" className="link-button" onClick={() => setOpen(false)}>
          {t('door.undo.cancel')}
        </button>
      </div>
      {error !== null && (
        <p className="field-error" role="alert">
          {message(error)}
        </p>
      )}
    </form>
  );
}
