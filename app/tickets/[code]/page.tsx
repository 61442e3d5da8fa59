'use client';

import { useParams } from 'next/navigation';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { TicketNextSteps, TicketView } from '@/app/_components/ticket-view';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';

/** A ticket again, by its booking code: only among the fan's own orders (session only, no waiting room). */
export default function TicketPage() {
  const { t } = useI18n();
  const code = decodeURIComponent(useParams<{ code: string }>().code).toUpperCase();
  const list = trpc.order.list.useQuery(undefined, { retry: false });
  const found = list.data?.find((o) => o.bookingCode === code);
  const order = trpc.order.get.useQuery({ orderId: found?.orderId ?? 0 }, { enabled: found !== undefined, retry: false });

  if (list.isPending || (found && order.isPending)) return <Loading />;
  const error = list.error ?? order.error;
  if (error || !found || !order.data?.bookingCode) {
    return (
      <section className="card checkout" aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          {t('ticket.title')}
        </h1>
        {error ? (
          <ErrorNotice error={error} onRetry={() => void list.refetch()} />
        ) : (
          <p className="notice notice-error" role="alert">
            {t('ticket.notFound', { code })}
          </p>
        )}
        <TicketNextSteps />
      </section>
    );
  }
  return (
    <section className="checkout-done">
      <TicketView headingLevel={1} ticket={{ ...order.data, bookingCode: order.data.bookingCode }} />
      <TicketNextSteps />
    </section>
  );
}
