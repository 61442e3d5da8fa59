import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { pageMetadata } from '@/app/_i18n/request-locale';
import { knownConcert } from '@/server/concert/known-address';
import { getDatabase } from '@/server/database';

export const generateMetadata = () => pageMetadata('dates.title');

export default async function Layout({ children, params }: { children: ReactNode; params: Promise<{ concertId: string }> }) {
  if ((await knownConcert(getDatabase().db, (await params).concertId)) === undefined) notFound();
  return children;
}
