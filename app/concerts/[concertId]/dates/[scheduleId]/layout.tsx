import type { ReactNode } from 'react';
import { PurchaseLimitsProvider } from '../../../../_components/purchase-limits';
import { pageMetadata } from '../../../../_i18n/request-locale';
import { env } from '../../../../../server/env';
import { requireDate } from '../../../known';

export const generateMetadata = () => pageMetadata('seats.title');

export default async function Layout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ concertId: string; scheduleId: string }>;
}) {
  const { concertId, scheduleId } = await params;
  await requireDate(concertId, scheduleId);
  const config = env();
  return (
    <PurchaseLimitsProvider limits={{ holdMax: config.HOLD_MAX_PER_USER, purchaseMax: config.PURCHASE_MAX_PER_USER }}>
      {children}
    </PurchaseLimitsProvider>
  );
}
