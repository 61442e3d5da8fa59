import type { ReactNode } from 'react';
import { pageMetadata } from '@/app/_i18n/request-locale';
import './door.css';

export const generateMetadata = () => pageMetadata('door.title');

export default function Layout({ children }: { children: ReactNode }) {
  return children;
}
