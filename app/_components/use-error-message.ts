'use client';

import { TRPCClientError } from '@trpc/client';
import { MESSAGES, type MessageKey } from '@/app/_i18n/messages';
import { useI18n } from '@/app/_i18n/provider';
import { errorData } from '@/app/_trpc/errors';

const isMessageKey = (key: string): key is MessageKey => key in MESSAGES.en;

/** Turns any API error into a sentence a person understands, in their language. */
export function useErrorMessage() {
  const { t } = useI18n();
  return (error: unknown): string => {
    const data = errorData(error);
    if (!data) return error instanceof TRPCClientError ? t('error.network') : t('error.generic');
    const key = `error.${data.reason}`;
    return isMessageKey(key) ? t(key, data as Record<string, string | number>) : t('error.generic');
  };
}
