import { accountRouter } from '@/server/account/router';
import { adminRouter } from '@/server/admin/router';
import { concertRouter } from '@/server/concert/router';
import { healthRouter } from '@/server/health/router';
import { orderRouter } from '@/server/order/router';
import { paymentRouter } from '@/server/payment/router';
import { queueRouter } from '@/server/queue/router';
import { reservationRouter } from '@/server/reservation/router';
import { saleRouter } from '@/server/sale/router';
import { sessionRouter } from '@/server/session/router';
import { ticketRouter } from '@/server/ticket/router';
import { walletRouter } from '@/server/wallet/router';
import { createCallerFactory, router } from './init';

export const appRouter = router({
  health: healthRouter,
  session: sessionRouter,
  account: accountRouter,
  queue: queueRouter,
  concert: concertRouter,
  reservation: reservationRouter,
  wallet: walletRouter,
  payment: paymentRouter,
  order: orderRouter,
  ticket: ticketRouter,
  admin: adminRouter,
  sale: saleRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
