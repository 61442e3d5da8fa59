'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { httpBatchLink, TRPCClientError } from '@trpc/client';
import { useState, type ReactNode } from 'react';
import { trpc } from './client';
import { MAX_BATCH_SIZE } from '@/server/shared/limits';
import { fetchApi } from './errors';
import { retryDelayMs, SHED_RETRIES, wasShed } from './retry-after';

/** Retry only what may succeed on a second try: never a 4xx the server meant. A call the server shed, a few more times. */
function retry(failureCount: number, error: unknown): boolean {
  if (wasShed(error)) return failureCount < SHED_RETRIES;
  if (error instanceof TRPCClientError) {
    const status = (error.data as { httpStatus?: number } | undefined)?.httpStatus ?? 0;
    if (status >= 400 && status < 500 && status !== 409) return false;
  }
  return failureCount < 2;
}

/** React Query's own backoff (1 s doubling up to 30 s), unless the server said when to come back. */
const retryDelay = (failureCount: number, error: unknown) => retryDelayMs(error, Math.min(1_000 * 2 ** failureCount, 30_000));

export function TRPCProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { retry, retryDelay, staleTime: 2_000, refetchOnWindowFocus: true },
          // A mutation is sent again only when the server says it did not start it.
          mutations: { retry: (failureCount, error) => wasShed(error) && failureCount < SHED_RETRIES, retryDelay },
        },
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
