'use client';

import type { MessageKey } from '@/app/_i18n/messages';
import { errorData } from '@/app/_trpc/errors';

/** The server's field messages (server/admin) as sentences of the operator's language. */
const KNOWN: [RegExp, MessageKey][] = [
  [/is required|needs at least one/, 'admin.field.required'],
  [/must be in the future/, 'admin.field.future'],
  [/must be after the pre-queue opens/, 'admin.field.afterPrequeue'],
  [/must be before the sale opens/, 'admin.field.beforeOpening'],
  [/must be after the sale opens/, 'admin.field.afterOpening'],
  [/same as another/, 'admin.field.duplicate'],
  [/at most \d/, 'admin.field.tooBig'],
];

export function fieldMessageKey(message: string): MessageKey {
  return KNOWN.find(([pattern]) => pattern.test(message))?.[1] ?? 'admin.field.invalid';
}

/** `fieldErrors` of an INVALID_INPUT answer ({} for anything else). */
export const fieldErrorsOf = (error: unknown): Record<string, string[]> => errorData(error)?.fieldErrors ?? {};
