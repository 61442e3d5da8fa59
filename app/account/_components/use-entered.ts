'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { safeNext } from '@/app/_components/safe-next';
import { trpc } from '@/app/_trpc/client';

/** After signing in or up: everything on screen was the guest's, so it is all read again; then on to `next`. */
export function useEntered() {
  const router = useRouter();
  const params = useSearchParams();
  const utils = trpc.useUtils();
  const next = safeNext(params.get('next'));
  return {
    next,
    entered: async () => {
      // Who this browser is changed: read it now (the header's query may be one that never refetches).
      utils.session.me.setData(undefined, await utils.client.session.me.query());
      await utils.invalidate();
      router.push(next);
    },
  };
}
