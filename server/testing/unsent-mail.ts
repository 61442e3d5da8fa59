/**
 * The mail settings of a production server started by a test, the browser tests or the benchmark that
 * sends no mail: production requires SMTP_URL and MAIL_FROM (server/env.ts). Port 1 on loopback
 * (tcpmux, which nothing runs) refuses the connection, so a message sent by mistake fails at once with
 * MAIL_UNAVAILABLE instead of leaving the machine. A test that reads mail starts its own server
 * (server/testing/smtp-server.ts) and passes its `url`.
 */
export const UNSENT_MAIL_ENV = {
  SMTP_URL: 'smtp://127.0.0.1:1',
  MAIL_FROM: 'Concert Tickets <tickets@test.invalid>',
} as const;
