'use client';

import type { InputHTMLAttributes } from 'react';
import { useI18n } from '@/app/_i18n/provider';
import { fieldMessage } from './field-errors';

/** A labelled input with the server's field errors for `path` (translated, with what the field accepts) beneath it. */
export function Field({
  id,
  label,
  path,
  errors,
  ...input
}: { id: string; label: string; path: string; errors: Record<string, string[]> } & InputHTMLAttributes<HTMLInputElement>) {
  const { t } = useI18n();
  const messages = errors[path];
  const invalid = Boolean(messages?.length);
  // One sentence per distinct meaning: two refusals of one field often say the same range.
  const sentences = [...new Set(messages?.map((m) => t(...fieldMessage(m, path))))];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={invalid} aria-describedby={invalid ? `${id}-error` : undefined} {...input} />
      {invalid && (
        <p id={`${id}-error`} className="field-error">
          {sentences.join(' ')}
        </p>
      )}
    </div>
  );
}
