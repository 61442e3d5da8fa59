import { DomainError } from '@/server/errors';
import type { Context } from '@/server/trpc/context';
import { idempotencyKeySchema } from './service';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** A call's idempotency key: the input field, else the `Idempotency-Key` header (checked alike). */
export function idempotencyKeyOf(ctx: Context, fromInput: string | undefined): string | undefined {
  if (fromInput !== undefined) return fromInput;
  const header = ctx.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (header === null) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success)
    throw new DomainError('INVALID_INPUT', 'The Idempotency-Key header is not valid.', {
      fieldErrors: { idempotencyKey: [parsed.error.issues[0]!.message] },
    });
  return parsed.data;
}
