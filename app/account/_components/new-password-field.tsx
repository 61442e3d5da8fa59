'use client';

import { useI18n } from '@/app/_i18n/provider';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@/server/shared/limits';
import { Field } from './field';

/** A new password (sign-up, reset): its length rule said and checked by the browser as the server does. */
export function NewPasswordField({ label }: { label: string }) {
  const { t } = useI18n();
  return (
    <Field
      id="password"
      label={label}
      hint={t('account.field.passwordHint', { min: MIN_PASSWORD_LENGTH })}
      type="password"
      autoComplete="new-password"
      required
      minLength={MIN_PASSWORD_LENGTH}
      maxLength={MAX_PASSWORD_LENGTH}
    />
  );
}
