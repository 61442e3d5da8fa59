'use client';

import type { MessageKey } from '@/app/_i18n/messages';
import { errorData } from '@/app/_trpc/errors';
import {
  MAX_ACTIVE_LIMIT,
  MAX_DAYS_AHEAD,
  MAX_ROWS,
  MAX_SEAT_PRICE,
  MAX_SEATS_PER_ROW,
  MAX_SECTION_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_TURN_SECONDS,
  MIN_TURN_SECONDS,
} from '@/server/shared/plan-limits';
import { JOIN_DIFFICULTY_MAX, JOIN_DIFFICULTY_MIN, MAX_JOIN_SURGE_PER_SECOND } from '@/server/shared/limits';

type Params = Record<string, string | number>;

/** The server's field messages (server/admin) that already say what to do, as sentences of the operator's language. */
const KNOWN: [RegExp, MessageKey][] = [
  [/must be in the future/, 'admin.field.future'],
  [/must be after the pre-queue opens/, 'admin.field.afterPrequeue'],
  [/must be before the sale opens/, 'admin.field.beforeOpening'],
  [/must be after the sale opens/, 'admin.field.afterOpening'],
  [/same as another/, 'admin.field.duplicate'],
];

const number = (n: number) => n.toLocaleString('en-US');

/**
 * What a field accepts, by its path in the plan (`sections.0.rows`, `sale.maxActive`, `maxActive`):
 * said whenever the server refuses the field for anything else (a number out of range, an empty or
 * too long text, a malformed time), so the operator reads the range, not "Not valid.".
 */
export function ruleOf(path: string): [MessageKey, Params] | undefined {
  const field = path.split('.').filter((part) => !/^\d+$/.test(part));
  const last = field.at(-1);
  if (field[0] === 'dates') return ['admin.rule.date', { days: number(MAX_DAYS_AHEAD) }];
  switch (last) {
    case 'title':
    case 'artist':
    case 'venue':
      return ['admin.rule.text', { max: MAX_TEXT_LENGTH }];
    case 'name':
      return ['admin.rule.text', { max: MAX_SECTION_NAME_LENGTH }];
    case 'price':
      return ['admin.rule.price', { max: number(MAX_SEAT_PRICE) }];
    case 'rows':
      return ['admin.rule.rows', { max: MAX_ROWS }];
    case 'seatsPerRow':
      return ['admin.rule.seatsPerRow', { max: MAX_SEATS_PER_ROW }];
    case 'prequeueOpensAt':
      return ['admin.rule.prequeue', {}];
    case 'opensAt':
      return ['admin.rule.opensAt', {}];
    case 'maxActive':
      return ['admin.rule.maxActive', { max: number(MAX_ACTIVE_LIMIT) }];
    case 'turnSeconds':
      return ['admin.rule.turnSeconds', { min: number(MIN_TURN_SECONDS), max: number(MAX_TURN_SECONDS) }];
    case 'joinDifficulty':
      return ['admin.rule.joinDifficulty', { min: number(JOIN_DIFFICULTY_MIN), max: number(JOIN_DIFFICULTY_MAX) }];
    case 'joinSurgePerSecond':
      return ['admin.rule.joinSurge', { max: number(MAX_JOIN_SURGE_PER_SECOND) }];
    default:
      return undefined;
  }
}

/** One server message about the field at `path`, as the sentence to show beneath it. */
export function fieldMessage(message: string, path: string): [MessageKey, Params] {
  const known = KNOWN.find(([pattern]) => pattern.test(message))?.[1];
  if (known) return [known, {}];
  return ruleOf(path) ?? [/is required|needs at least one/.test(message) ? 'admin.field.required' : 'admin.field.invalid', {}];
}

/** `fieldErrors` of an INVALID_INPUT answer ({} for anything else). */
export const fieldErrorsOf = (error: unknown): Record<string, string[]> => errorData(error)?.fieldErrors ?? {};
