'use client';

import type { InputHTMLAttributes } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { fieldMessageKey } from './field-errors';

/** A labelled input with the server's field errors for `path` (translated) beneath it. */
export function Field({
  id,
  label,
  errors,
  ...input
}: { id: string; label: string; errors: string[] | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const { t } = useI18n();
  const invalid = Boolean(errors?.length);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={invalid} aria-describedby={invalid ? `${id}-error` : undefined} {...input} />
      {invalid && (
        <p id={`${id}-error`} className="field-error">
          {errors!.map((m) => t(fieldMessageKey(m))).join(' ')}
        </p>
      )}
    </div>
  );
}
