'use client';

import type { InputHTMLAttributes } from 'react';

/** A labelled input with an optional hint, both tied to it for screen readers. */
export function Field({ id, label, hint, ...input }: { id: string; label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="account-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && (
        <p id={`${id}-hint`} className="hint muted">
          {hint}
        </p>
      )}
    </div>
  );
}

/** An API refusal shown beside a form, announced when it appears. */
export function FormError({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="notice notice-error" role="alert">
      {text}
    </p>
  );
}
