'use client';

import { useParams, useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { ErrorNotice, Loading } from '@/app/_components/states';
import { useQueueGuard } from '@/app/_components/use-queue-guard';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';

/**
 * The checkout of one reservation, as links made before orders point to it: every reservation belongs
 * to an order now, so this opens that order's checkout (app/checkout/order/[orderId]).
 */
export default function ReservationCheckoutPage() {
  const { t } = useI18n();
  const router = useRouter();
  const reservationId = Number(useParams<{ reservationId: string }>().reservationId);
  const reservations = trpc.reservation.list.useQuery();
  const guard = useQueueGuard(reservations.error);
  const orderId = reservations.data?.find((r) => r.reservationId === reservationId)?.orderId;
  useEffect(() => {
    if (orderId !== undefined) router.replace(`/checkout/order/${orderId}`);
  }, [orderId, router]);

  if (guard) return guard;
  if (reservations.isPending || orderId !== undefined) return <Loading />;
  if (reservations.error) return <ErrorNotice error={reservations.error} />;
  return (
    <section className="card checkout" aria-labelledby="checkout-title">
      <h1 id="checkout-title">{t('checkout.title')}</h1>
      <p className="notice">{t('checkout.notFound')}</p>
    </section>
  );
}
