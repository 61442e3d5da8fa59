'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useI18n } from '@/app/_i18n/provider';
import { reasonOf } from '@/app/_trpc/errors';
import { trpc } from '@/app/_trpc/client';
import { SaveTicketButton } from '../_components/save-ticket-button';
import { TicketPass } from '../_components/ticket-pass';
import { TransferPanel } from '../_components/transfer-panel';

/** Often enough that a QR code given away from another device disappears here before anyone is turned away. */
const REFRESH_MS = 20_000;

/** One seat's ticket, by its reference (K7Q-4MZ-92D-2): what a fan shows at the door, and passes on. */
export default function SeatTicketPage() {
  const { t } = useI18n();
  const reference = decodeURIComponent(useParams<{ reference: string }>().reference).toUpperCase();
  const ticket = trpc.ticket.get.useQuery({ reference }, { retry: false, refetchInterval: REFRESH_MS });

  if (ticket.isPending) return <Loading />;
  if (ticket.error) {
    const missing = reasonOf(ticket.error) === 'NOT_FOUND' || reasonOf(ticket.error) === 'INVALID_INPUT';
    return (
      <section className="card pass-page" aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          {t('tickets.pageTitle')}
        </h1>
        {missing ? (
          <p className="notice notice-error" role="alert">
            {t('tickets.notFound', { reference })}
          </p>
        ) : (
          <ErrorNotice error={ticket.error} onRetry={() => void ticket.refetch()} />
        )}
        <Link href="/reservations">{t('ticket.all')}</Link>
      </section>
    );
  }
  const data = ticket.data;
  return (
    <div className="pass-page">
      <TicketPass ticket={data} />
      {data.qr && <SaveTicketButton ticket={data} qr={data.qr} />}
      <TransferPanel ticket={data} />
      <div className="actions">
        <Link className="button-primary" href="/reservations">
          {t('ticket.all')}
        </Link>
        {data.orderId !== null && <Link href={`/tickets/${data.bookingCode}`}>{t('tickets.orderLink', { code: data.bookingCode })}</Link>}
      </div>
    </div>
  );
}
