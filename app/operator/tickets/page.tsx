'use client';

import { TicketCheck } from '@/app/_components/ticket-check';
import { useI18n } from '@/app/_i18n/provider';

/** The door: operators check a ticket by its code (the operator console may mount TicketCheck instead). */
export default function OperatorTicketsPage() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="page-title" className="checkout">
      <h1 id="page-title" tabIndex={-1}>
        {t('ticketcheck.title')}
      </h1>
      <TicketCheck />
    </section>
  );
}
