import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { OperatorGate } from './_components/operator-gate';
import './admin.css';

export const metadata: Metadata = { title: 'Operator console · 운영자 콘솔' };

export default function AdminLayout({ children }: { children: ReactNode }) {
  return <OperatorGate>{children}</OperatorGate>;
}
