import { DomainError } from '@/server/errors';

/**
 * The one error a mailer throws: the message was not handed on (SMTP server unreachable, silent or
 * refusing; outbox not writable). A 503 the caller may surface ("try again later"); the cause is kept
 * for the server's log, never shown.
 */
export const mailUnavailable = (cause: unknown) =>
  new DomainError('MAIL_UNAVAILABLE', 'We could not send the email just now. Please try again in a moment.', {}, { cause });
