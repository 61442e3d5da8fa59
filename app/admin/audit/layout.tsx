import type { ReactNode } from 'react';
import { pageMetadata } from '@/app/_i18n/request-locale';

export const generateMetadata = () => pageMetadata('admin.audit.title');

export default function Layout({ children }: { children: ReactNode }) {
  return children;
}
