'use client';

import { trpc } from '@/app/_trpc/client';
import type { SaleView } from '@/server/admin/sale-view';

/** The sale page's controls: each answer replaces the sale in the list and refreshes its stats and audit entries. */
export function useSaleMutations(concertId: number) {
  const utils = trpc.useUtils();
  const applied = (sale: SaleView) => {
    utils.admin.sale.list.setData(undefined, (all) => all?.map((s) => (s.concertId === sale.concertId ? sale : s)));
    void utils.admin.sale.stats.invalidate({ concertId });
    void utils.admin.audit.invalidate();
  };
  return {
    pause: trpc.admin.sale.pause.useMutation({ onSuccess: applied }),
    resume: trpc.admin.sale.resume.useMutation({ onSuccess: applied }),
    update: trpc.admin.sale.update.useMutation({ onSuccess: applied }),
    close: trpc.admin.sale.close.useMutation({ onSuccess: applied }),
  };
}
