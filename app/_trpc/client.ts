'use client';

import { createTRPCReact } from '@trpc/react-query';
import type { AppRouter } from '@/server/trpc/root';

/** The typed tRPC hooks: `trpc.concert.list.useQuery()`. */
export const trpc = createTRPCReact<AppRouter>();
