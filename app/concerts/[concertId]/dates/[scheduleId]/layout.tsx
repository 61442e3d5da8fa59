import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { PurchaseLimitsProvider } from '@/app/_components/purchase-limits';
import { pageMetadata } from '@/app/_i18n/request-locale';
import { env } from '@/server/env';
import { isKnownDate } from '@/server/concert/known-address';
import { getDatabase } from '@/server/database';

export const generateMetadata = () => pageMetadata('seats.title');

export default async function Layout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ concertId: string; scheduleId: string }>;
}) {
  const { concertId, scheduleId } = await params;
  // The concert's own layout has checked it exists; the date must be one of its dates.
  if (!(await isKnownDate(getDatabase().db, { concertParam: concertId, scheduleParam: scheduleId }))) notFound();
  const config = env();
  return (
    <PurchaseLimitsProvider limits={{ holdMax: config.HOLD_MAX_PER_USER, purchaseMax: config.PURCHASE_MAX_PER_USER }}>
      {children}
    </PurchaseLimitsProvider>
  );
}
