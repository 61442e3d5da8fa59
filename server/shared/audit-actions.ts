/**
 * The actions the audit log records (the procedure that did it), shared with the console's filter.
 * Every `admin.*` mutation and the door check is one of them; server/admin/audit.test.ts checks that
 * the router has no operator mutation missing from this list.
 */
export const AUDIT_ACTIONS = [
  'admin.login',
  'admin.logout',
  'admin.concert.create',
  'admin.sale.update',
  'admin.sale.pause',
  'admin.sale.resume',
  'admin.sale.close',
  'admin.operator.invite',
  'admin.operator.setRole',
  'admin.operator.remove',
  'admin.operator.endSessions',
  'admin.invitation.accept',
  'ticket.verify',
  'ticket.checkIn',
  'ticket.undoEntry',
  'ticket.uploadEntries',
  'ticket.transfer',
  'ticket.cancelOffer',
  'ticket.claim',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The built-in operator's actor id (OPERATOR_PASSWORD's sign-in), which the console names in its language. */
export const BUILT_IN_OPERATOR_ID = 'owner' as const;
