import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '@/server/shared/audit-actions';
import { MESSAGES } from './messages';

describe('the audit log’s words', () => {
  it('name every action the log records, in both languages (a missing one breaks the console’s audit page)', () => {
    for (const locale of ['en', 'ko'] as const) {
      const missing = AUDIT_ACTIONS.filter((action) => !(`admin.audit.action.${action}` in MESSAGES[locale]));
      expect(missing, locale).toEqual([]);
    }
  });
});
