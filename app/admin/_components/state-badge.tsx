'use client';

import { useI18n } from '@/app/_i18n/provider';
import type { SaleState } from '@/server/sale/service';

export function StateBadge({ state }: { state: SaleState }) {
  const { t } = useI18n();
  return <span className={`badge sale-state sale-state-${state}`}>{t(`admin.state.${state}`)}</span>;
}
