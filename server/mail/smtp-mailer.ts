import nodemailer from 'nodemailer';
import { mailUnavailable } from './mail-unavailable';
import type { Mailer, MailMessage } from './message';

/**
 * How long a send may wait on the SMTP server, at each step. A server that accepts the connection
 * and then says nothing (or stops mid-message) would otherwise hold the request that sends the mail
 * for nodemailer's defaults: two minutes to connect, thirty seconds for the greeting, ten minutes
 * of silence on the socket.
 */
export const SMTP_TIMEOUTS_MS = {
  /** To open the TCP (and, for smtps://, TLS) connection. */
  connection: 10_000,
  /** From connecting to the server's first line ("220 …"). */
  greeting: 10_000,
  /** Of silence on an open connection, at any step after. */
  socket: 20_000,
} as const;

export type SmtpTimeouts = { [K in keyof typeof SMTP_TIMEOUTS_MS]: number };

/** Sends each message through the SMTP server of `url` (smtp:// or smtps://, credentials in it), from `from`. */
export function createSmtpMailer(options: { url: string; from: string; timeoutsMs?: SmtpTimeouts }): Mailer {
  const timeouts = options.timeoutsMs ?? SMTP_TIMEOUTS_MS;
  const transport = nodemailer.createTransport({
    url: options.url,
    connectionTimeout: timeouts.connection,
    greetingTimeout: timeouts.greeting,
    socketTimeout: timeouts.socket,
  });
  return {
    async send(message: MailMessage) {
      try {
        await transport.sendMail({ from: options.from, ...message });
      } catch (cause) {
        throw mailUnavailable(cause);
      }
    },
  };
}
