import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { intId } from '../ids';
import { activeTokenProcedure, operatorProcedure, router, sessionProcedure } from '../trpc/init';

/**
 * CONTRACT STUB (branch i11-pages): the shapes issue 11 gives the order, ticket and best-available
 * procedures, so the pages type-check before branch i11-orders lands. Every call answers
 * NOT_IMPLEMENTED. Merging i11-orders replaces this file's use in root.ts and concert/router.ts.
 */
const idempotencyKey = z.string().min(8).max(100).optional();

export interface OrderSeat {
  seatId: number;
  label: string;
  section: string;
  row: string;
  number: number;
  price: number;
}
export type OrderStatus = 'held' | 'confirmed' | 'expired' | 'cancelled' | 'refunded';
export interface Order {
  orderId: number;
  status: OrderStatus;
  bookingCode: string | null;
  concertId: number;
  concertTitle: string;
  venue: string;
  scheduleId: number;
  startsAt: string;
  seats: OrderSeat[];
  total: number;
  heldUntil: string;
  createdAt: string;
}

const notYet = (): never => {
  throw new TRPCError({ code: 'NOT_IMPLEMENTED', message: 'order procedures land with branch i11-orders' });
};

export const orderRouter = router({
  hold: activeTokenProcedure
    .input(z.object({ seatIds: z.array(intId).min(1).max(10) }))
    .mutation((): { orderId: number; status: 'held'; seats: OrderSeat[]; total: number; heldUntil: string } => notYet()),
  pay: sessionProcedure
    .input(z.object({ orderId: intId, idempotencyKey }))
    .mutation((): { orderId: number; bookingCode: string; paymentId: number; amount: number; balance: number } => notYet()),
  list: sessionProcedure.query((): Order[] => notYet()),
  get: sessionProcedure.input(z.object({ orderId: intId })).query((): Order & { ticketRef: string | null } => notYet()),
  cancel: sessionProcedure
    .input(z.object({ orderId: intId, idempotencyKey }))
    .mutation((): { orderId: number; status: OrderStatus; refunded: number; balance: number } => notYet()),
});

export const bestAvailableProcedure = activeTokenProcedure
  .input(z.object({ scheduleId: intId, quantity: z.number().int().min(1).max(10), section: z.string().min(1).max(40).optional() }))
  .query((): { seatIds: number[] } => notYet());

export const ticketRouter = router({
  verify: operatorProcedure.input(z.object({ code: z.string().min(1).max(200) })).query(
    (): {
      status: 'valid' | 'refunded' | 'unknown';
      holderName?: string;
      concertTitle?: string;
      startsAt?: string;
      seats?: { seatId: number; label: string }[];
    } => notYet(),
  ),
});
