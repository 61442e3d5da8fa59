import { middleware } from './middleware';
import { DomainError } from '@/server/errors';

/** Half of a UTF-16 surrogate pair without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Deeper than any input of this API; a deeper one is refused rather than walked. */
const MAX_INPUT_DEPTH = 32;

/**
 * What a raw input holds that no procedure accepts: a NUL character or a lone surrogate in a string
 * or key (PostgreSQL refuses both in text, so it would fail as a 500 deep in a service), or nesting deeper than
 * MAX_INPUT_DEPTH. Walked iteratively: a 10 KB body of brackets must not exhaust the stack.
 */
function inputProblem(input: unknown): 'nul' | 'ill-formed' | 'too-deep' | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: input, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'nul';
      // A lone surrogate: not text PostgreSQL stores (jsonb refuses it: a 500 deep in a service).
      if (LONE_SURROGATE.test(value)) return 'ill-formed';
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_INPUT_DEPTH) return 'too-deep';
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return 'nul';
        if (LONE_SURROGATE.test(key)) return 'ill-formed';
        stack.push({ value: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Inputs no procedure accepts are refused here, once for every procedure, before anything runs. */
export const refuseUnacceptableInput = middleware(async ({ getRawInput, next }) => {
  const problem = inputProblem(await getRawInput());
  if (problem === 'nul') {
    throw new DomainError('INVALID_INPUT', 'The input contains a NUL character.', {
      fieldErrors: { _: ['must not contain NUL characters'] },
    });
  }
  if (problem === 'ill-formed') {
    throw new DomainError('INVALID_INPUT', 'The input contains a lone surrogate (text that is not valid Unicode).', {
      fieldErrors: { _: ['must be valid Unicode text'] },
    });
  }
  if (problem === 'too-deep') {
    throw new DomainError('INVALID_INPUT', 'The input is nested too deeply.', {
      fieldErrors: { _: [`must not nest deeper than ${MAX_INPUT_DEPTH}`] },
    });
  }
  return next();
});
