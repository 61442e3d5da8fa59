import type { ReactNode } from 'react';
import { pageMetadata } from '../../_i18n/request-locale';
import { requireConcert } from '../known';

export const generateMetadata = () => pageMetadata('dates.title');

export default async function Layout({ children, params }: { children: ReactNode; params: Promise<{ concertId: string }> }) {
  await requireConcert((await params).concertId);
  return children;
}
