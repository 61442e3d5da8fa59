import { publicProcedure, router } from '@/server/trpc/init';

export const PONG = { ok: true } as const;

export const healthRouter = router({
  /** A constant answer: what the framework costs with no work behind it (the benchmark's ceiling). */
  ping: publicProcedure.query(() => PONG),
});
