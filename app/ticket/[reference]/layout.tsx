import type { ReactNode } from 'react';
import { pageMetadata } from '@/app/_i18n/request-locale';
import '../ticket.css';

export const generateMetadata = () => pageMetadata('tickets.pageTitle');

export default function Layout({ children }: { children: ReactNode }) {
  return children;
}
