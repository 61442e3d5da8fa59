import { z } from 'zod';

/** Ids as the schema defines them: integer columns, and bigint ones read as JS numbers. */
export const intId = z.number().int().min(1).max(2_147_483_647);
export const bigId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
