'use client';

import Link from 'next/link';
import { useState } from 'react';
import { ticketPath, type TicketDetail, type TransferResult } from '@/app/_components/ticket-types';
import { useErrorMessage } from '@/app/_components/use-error-message';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { TransferForm } from './transfer-form';

/** What passed the ticket on just now, in words. */
function TransferOutcome({ result }: { result: TransferResult }) {
  const { t, formatDateTime } = useI18n();
  return (
    <p className="notice notice-success" role="status">
      {result.outcome === 'transferred'
        ? t('tickets.transfer.done', { email: result.toEmail })
        : t('tickets.transfer.offeredDone', { email: result.toEmail, time: result.expiresAt ? formatDateTime(result.expiresAt) : '' })}
    </p>
  );
}

/** A pending offer, and the way to take the ticket back while nobody has claimed it. */
function PendingOffer({ ticket, onCancelled }: { ticket: TicketDetail; onCancelled: () => void }) {
  const { t, formatDateTime } = useI18n();
  const message = useErrorMessage();
  const utils = trpc.useUtils();
  const cancel = trpc.ticket.cancelOffer.useMutation({
    onSuccess: () => {
      onCancelled();
      return utils.ticket.invalidate();
    },
  });
  return (
    <>
      {ticket.transfer && (
        <p>{t('tickets.offer.pending', { email: ticket.transfer.toEmail, time: formatDateTime(ticket.transfer.expiresAt) })}</p>
      )}
      <button type="button" disabled={cancel.isPending} onClick={() => cancel.mutate({ reference: ticket.reference })}>
        {t('tickets.offer.cancel')}
      </button>
      {cancel.error && (
        <p className="notice notice-error" role="alert">
          {message(cancel.error)}
        </p>
      )}
    </>
  );
}

/** Passing a ticket on (§2): to an account by email, for fans with an account; a guest is shown the way to one. */
export function TransferPanel({ ticket }: { ticket: TicketDetail }) {
  const { t, formatDateTime } = useI18n();
  const me = trpc.session.me.useQuery(undefined, { staleTime: Infinity });
  // What the fan just did here: passed it on (or offered it), or took an offer back.
  const [result, setResult] = useState<TransferResult | 'cancelled' | null>(null);
  if (!me.data || ticket.state === 'refunded' || ticket.state === 'used' || (ticket.state === 'transferred' && !result)) return null;
  const next = encodeURIComponent(ticketPath(ticket.reference));

  let body;
  if (!me.data.account) {
    body = (
      <>
        <p>{t('tickets.transfer.guest')}</p>
        <div className="actions">
          <Link className="button-primary" href={`/account/sign-up?next=${next}`}>
            {t('tickets.transfer.signUp')}
          </Link>
          <Link href={`/account/sign-in?next=${next}`}>{t('tickets.transfer.signIn')}</Link>
        </div>
      </>
    );
  } else if (ticket.state === 'offered') {
    body = <PendingOffer ticket={ticket} onCancelled={() => setResult('cancelled')} />;
  } else if (ticket.state === 'valid' && ticket.canTransfer) {
    body = (
      <>
        <p className="muted">{t('tickets.transfer.intro', { time: formatDateTime(ticket.transferUntil) })}</p>
        <TransferForm reference={ticket.reference} seat={ticket.seat} onDone={setResult} />
      </>
    );
  } else if (ticket.state === 'valid') {
    body = <p className="muted">{t('tickets.transfer.closed', { time: formatDateTime(ticket.transferUntil) })}</p>;
  }

  return (
    <section className="card pass-transfer" aria-labelledby="transfer-title">
      <h2 id="transfer-title">{t('tickets.transfer.title')}</h2>
      {result === 'cancelled' ? (
        <p className="notice notice-success" role="status">
          {t('tickets.offer.cancelled')}
        </p>
      ) : (
        result && <TransferOutcome result={result} />
      )}
      {body}
    </section>
  );
}
