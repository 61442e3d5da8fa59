import { z } from 'zod';
import { SALE_AUDIENCES } from '@/db/schema';
import { intId } from '@/server/ids';
import { isoDateTime, maxActiveSchema, turnSecondsSchema } from './concert';

/** The inputs of the operator's sale procedures. */

export const saleRef = z.object({ concertId: intId });

export const updateSaleInput = z
  .object({
    concertId: intId,
    maxActive: maxActiveSchema.optional(),
    turnSeconds: turnSecondsSchema.optional(),
    prequeueOpensAt: isoDateTime.optional(),
    opensAt: isoDateTime.optional(),
    audience: z.enum(SALE_AUDIENCES).optional(),
  })
  .superRefine((input, ctx) => {
    const { prequeueOpensAt, opensAt } = input;
    const valid = (iso: string | undefined): iso is string => iso !== undefined && isoDateTime.safeParse(iso).success;
    if (valid(opensAt) && new Date(opensAt).getTime() <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['opensAt'], message: 'must be in the future' });
    }
    if (valid(opensAt) && valid(prequeueOpensAt) && new Date(opensAt) <= new Date(prequeueOpensAt)) {
      ctx.addIssue({ code: 'custom', path: ['opensAt'], message: 'must be after the pre-queue opens' });
    }
  });

export type UpdateSaleInput = z.output<typeof updateSaleInput>;
