import type { ReactNode } from 'react';
import { notFound } from 'next/navigation';
import { pageMetadata } from '@/app/_i18n/request-locale';
import { env } from '@/server/env';
import './outbox.css';

export const generateMetadata = () => pageMetadata('outbox.title');

/** The outbox is read from disk on every request: new mail shows on a reload. */
export const dynamic = 'force-dynamic';

/** The development outbox (server/mail/outbox-file.ts): mail that was written, not sent. Not a page in production. */
export default function OutboxLayout({ children }: { children: ReactNode }) {
  if (env().NODE_ENV === 'production') notFound();
  return children;
}
