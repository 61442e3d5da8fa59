import { z } from 'zod';
import { bigId, intId } from '@/server/ids';
import { idempotencyKeySchema, idempotencyOf } from '@/server/idempotency/service';
import type { Context } from '@/server/trpc/context';
import { concertOfSeat } from '@/server/sale/scope';
import { idempotencyKeyOf } from '@/server/idempotency/request-key';
import { activeTokenForConcertProcedure, activeTokenOrReplayLookupProcedure } from '@/server/queue/procedures';
import { router, sessionProcedure } from '@/server/trpc/init';
import { cancelOrder } from './cancel';
import { holdSeats } from './hold';
import { orderPaymentLookup, payOrder } from './pay';
import { getOrder, listOrders } from './service';

/** More than any hold limit: the configured HOLD_MAX_PER_USER is checked by the service (INVALID_INPUT). */
const MAX_SEAT_IDS = 100;

const payInput = z.object({ orderId: bigId, idempotencyKey: idempotencyKeySchema.optional() });
const cancelInput = z.object({ orderId: bigId, idempotencyKey: idempotencyKeySchema.optional() });

const idempotencyOfCall = (scope: string, ctx: Context, input: { idempotencyKey?: string; orderId: number }) =>
  idempotencyOf(scope, idempotencyKeyOf(ctx, input.idempotencyKey), input);

export const orderRouter = router({
  /** Holds seats of one date together, all or none. */
  // The line is the one of the first seat's concert; seats of another date (or concert) are refused by the service.
  hold: activeTokenForConcertProcedure(z.object({ seatIds: z.array(intId).max(MAX_SEAT_IDS) }), (ctx, input) =>
    input.seatIds[0] === undefined ? Promise.resolve(undefined) : concertOfSeat(ctx.db, input.seatIds[0]),
  ).mutation(async ({ ctx, input }) => {
    const order = await holdSeats(ctx.db, ctx.config, { userId: ctx.userId, token: ctx.token, seatIds: input.seatIds });
    return { ...order, seats: order.seats.map(({ reservationId: _reservationId, ...seat }) => seat) };
  }),
  /** Pays a held order with the active turn; repeating a payment that went through returns it with the session only. */
  pay: activeTokenOrReplayLookupProcedure(payInput, (ctx, input) =>
    orderPaymentLookup(ctx.db, { userId: ctx.userId, orderId: input.orderId, idempotency: idempotencyOfCall('order.pay', ctx, input) }),
  ).mutation(
    async ({ ctx, input }) =>
      ctx.replay ??
      (await payOrder(ctx.db, ctx.config, {
        userId: ctx.userId,
        orderId: input.orderId,
        idempotency: idempotencyOfCall('order.pay', ctx, input),
        requestId: ctx.requestId,
      })),
  ),
  /** A fan's orders need the session only: nobody queues to see what they bought. */
  list: sessionProcedure.query(({ ctx }) => listOrders(ctx.db, ctx.config, { userId: ctx.userId })),
  get: sessionProcedure
    .input(z.object({ orderId: bigId }))
    .query(({ ctx, input }) => getOrder(ctx.db, ctx.config, { userId: ctx.userId, orderId: input.orderId })),
  /** Releases a held order, or refunds a paid one until the refund deadline. */
  cancel: sessionProcedure.input(cancelInput).mutation(({ ctx, input }) =>
    cancelOrder(ctx.db, ctx.config, {
      userId: ctx.userId,
      orderId: input.orderId,
      idempotency: idempotencyOfCall('order.cancel', ctx, input),
    }),
  ),
});
