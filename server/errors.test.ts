import { describe, expect, it } from 'vitest';
import { asDomainError, DomainError, PG, pgCode } from './errors';

/** drizzle wraps the driver's error; the SQLSTATE is on the cause. */
const wrapped = (code: string) => Object.assign(new Error('Failed query: …'), { cause: Object.assign(new Error('pg'), { code }) });

describe('PostgreSQL errors', () => {
  it('reads the SQLSTATE through drizzle’s wrapper', () => {
    expect(pgCode(wrapped(PG.LOCK_NOT_AVAILABLE))).toBe('55P03');
    expect(pgCode(new Error('plain'))).toBeUndefined();
  });

  it('turns lock conflicts into a retryable BUSY and lost connections into UNAVAILABLE, never a 500', () => {
    for (const code of [PG.LOCK_NOT_AVAILABLE, PG.DEADLOCK_DETECTED, PG.SERIALIZATION_FAILURE]) {
      expect(asDomainError(wrapped(code))?.reason).toBe('BUSY');
    }
    expect(asDomainError(wrapped(PG.QUERY_CANCELED))?.reason).toBe('UNAVAILABLE');
    expect(asDomainError(Object.assign(new Error('gone'), { code: 'ECONNREFUSED' }))?.reason).toBe('UNAVAILABLE');
    expect(asDomainError(new TypeError('a bug'))).toBeUndefined();
    const domain = new DomainError('HOLD_LIMIT', 'x');
    expect(asDomainError(domain)).toBe(domain);
  });
});
