import type { ReactNode } from 'react';
import { pageMetadata } from '@/app/_i18n/request-locale';
import './account.css';

export const generateMetadata = () => pageMetadata('account.title');

export default function Layout({ children }: { children: ReactNode }) {
  return children;
}
