/** One message to one person. `text` is always sent; `html`, when given, is its richer twin. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends mail. `send` resolves once the message has been handed on (to the SMTP server, or written
 * to the development outbox) and throws DomainError MAIL_UNAVAILABLE when it could not be.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
