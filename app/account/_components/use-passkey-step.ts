'use client';

import { useState } from 'react';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';

/**
 * Runs one passkey step (options from the server, the authenticator, the answer back) and says what
 * went wrong, in the page's language: an API refusal by its reason, the authenticator's by one line.
 */
export function usePasskeyStep() {
  const { t } = useI18n();
  const message = useErrorMessage();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (step: () => Promise<unknown>) => {
    setError(null);
    setBusy(true);
    try {
      await step();
    } catch (caught) {
      setError(caught instanceof Error && caught.name !== 'TRPCClientError' ? t('account.passkey.failed') : message(caught));
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy };
}
