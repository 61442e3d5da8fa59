import { z } from 'zod';
import { SALE_AUDIENCES } from '@/db/schema';
import { intId } from '@/server/ids';
import { JOIN_DIFFICULTY_MAX, JOIN_DIFFICULTY_MIN, MAX_JOIN_SURGE_PER_SECOND } from '@/server/shared/limits';
import { isoDateTime, maxActiveSchema, turnSecondsSchema } from './concert';

/** The inputs of the operator's sale procedures. */

export const saleRef = z.object({ concertId: intId });

/** The join challenge's difficulty: the most key derivations a solver may need (the database's range). */
export const joinDifficultySchema = z.number().int().min(JOIN_DIFFICULTY_MIN).max(JOIN_DIFFICULTY_MAX);
/** Joins per second above which the difficulty rises by itself; null turns the rise off. */
export const joinSurgePerSecondSchema = z.number().int().min(1).max(MAX_JOIN_SURGE_PER_SECOND).nullable();

export const updateSaleInput = z
  .object({
    concertId: intId,
    maxActive: maxActiveSchema.optional(),
    turnSeconds: turnSecondsSchema.optional(),
    prequeueOpensAt: isoDateTime.optional(),
    opensAt: isoDateTime.optional(),
    audience: z.enum(SALE_AUDIENCES).optional(),
    joinDifficulty: joinDifficultySchema.optional(),
    joinSurgePerSecond: joinSurgePerSecondSchema.optional(),
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
