'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { httpBatchLink, TRPCClientError } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import { trpc } from './client';
import { MAX_BATCH_SIZE } from '@/server/shared/limits';
import { fetchApi } from './errors';

/** Retry only what may succeed on a second try: never a 4xx the server meant. */
function retry(failureCount: number, error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus ?? 0;
    if (status >= 400 && status < 500 && status !== 409) return false;
  }
  return failureCount < 2;
}

export function TRPCProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { retry, staleTime: 2_000, refetchOnWindowFocus: true }, mutations: { retry: false } },
      }),
  );
  const [client] = useState(() =>
    // The batch link, not the streaming one: session.start and queue.issue set cookies.
    trpc.createClient({ links: [httpBatchLink({ url: '/api/trpc', fetch: fetchApi, maxItems: MAX_BATCH_SIZE })] }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
