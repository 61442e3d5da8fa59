import type { ReactNode } from 'react';
import { cookies } from 'next/headers';
import { pageMetadata } from '@/app/_i18n/request-locale';
import { OperatorConsole } from './_components/operator-console';
import './admin.css';

export const generateMetadata = () => pageMetadata('admin.title');

/** The operator's sign-in cookie (server/admin/operator.ts OPERATOR_COOKIE): HttpOnly, so only the server sees it came. */
const OPERATOR_COOKIE = 'operator';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const signedIn = (await cookies()).has(OPERATOR_COOKIE);
  return <OperatorConsole signedInHint={signedIn}>{children}</OperatorConsole>;
}
