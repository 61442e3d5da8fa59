import { adminRouter } from '../admin/router';
import { concertRouter } from '../concert/router';
import { healthRouter } from '../health/router';
import { orderRouter } from '../order/router';
import { paymentRouter } from '../payment/router';
import { queueRouter } from '../queue/router';
import { reservationRouter } from '../reservation/router';
import { sessionRouter } from '../session/router';
import { ticketRouter } from '../ticket/router';
import { walletRouter } from '../wallet/router';
import { createCallerFactory, router } from './init';

export const appRouter = router({
  health: healthRouter,
  session: sessionRouter,
  queue: queueRouter,
  concert: concertRouter,
  reservation: reservationRouter,
  wallet: walletRouter,
  payment: paymentRouter,
  order: orderRouter,
  ticket: ticketRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
