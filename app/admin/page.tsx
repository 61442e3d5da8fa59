'use client';

import Link from 'next/link';
import { useI18n } from '@/app/_i18n/provider';
import { trpc } from '@/app/_trpc/client';
import { TicketCheck } from '@/app/_components/ticket-check';
import { mayUse, useOperator } from './_components/operator-console';
import { StateBadge } from './_components/state-badge';

const LIST_REFRESH_MS = 5_000;

/** The console's home: a door operator's is the ticket check; a manager's and an owner's, the sales. */
export default function AdminHome() {
  const operator = useOperator();
  return mayUse(operator, 'manager') ? <Sales /> : <DoorCheck />;
}

function DoorCheck() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="door-title">
      <h1 id="door-title">{t('ticketcheck.title')}</h1>
      <TicketCheck />
    </section>
  );
}

/** Every sale with its state, and the way to create a concert. */
function Sales() {
  const { t, formatDateTime } = useI18n();
  const sales = trpc.admin.sale.list.useQuery(undefined, { refetchInterval: LIST_REFRESH_MS });
  return (
    <section aria-labelledby="sales-title">
      <div className="admin-heading">
        <h1 id="sales-title">{t('admin.sales.title')}</h1>
        {/* A page load, not a client-side move: the door's page alone may use the camera (next.config.mjs). */}
        <a href="/operator/tickets">{t('ticketcheck.title')}</a>
        <Link href="/admin/concerts/new" className="button-primary">
          {t('admin.create.link')}
        </Link>
      </div>
      {sales.data?.length === 0 && <p className="empty">{t('admin.sales.empty')}</p>}
      <ul className="sale-list">
        {sales.data?.map((sale) => (
          <li key={sale.concertId} className="card sale-item">
            <div>
              <h2>
                {sale.title}
                <StateBadge state={sale.state} />
              </h2>
              <p className="muted">
                {sale.artist} · {sale.venue}
              </p>
              <p>
                {t('admin.sales.prequeue', { time: formatDateTime(sale.prequeueOpensAt) })}
                <br />
                {t('admin.sales.opens', { time: formatDateTime(sale.opensAt) })}
              </p>
              <p className="muted">{t('admin.sales.cap', { cap: sale.maxActive, minutes: Math.round(sale.turnSeconds / 60) })}</p>
            </div>
            <Link
              href={`/admin/sales/${sale.concertId}`}
              className="button-primary"
              aria-label={t('admin.sales.dashboardFor', { title: sale.title })}
            >
              {t('admin.sales.dashboard')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
