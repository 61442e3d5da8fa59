import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server for tests, in this process: `smtp-server` on 127.0.0.1 (a free port), with no
 * authentication and no TLS, keeping every message it receives, parsed by `mailparser`. Point
 * SMTP_URL (or `createMailer`) at its `url`; then `waitForMail` for what the code under test sent.
 */
export interface ReceivedMail {
  /** The SMTP envelope: MAIL FROM and every RCPT TO, as the client sent them. */
  envelope: { from: string; to: string[] };
  /** The From header, as written ("Concert Tickets <tickets@example.com>"). */
  from: string;
  /** The To header's addresses. */
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface MailMatch {
  /** A recipient (envelope or To header), compared without regard to case. */
  to: string;
  /** The exact subject, or a pattern it matches. */
  subject?: string | RegExp;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every message received so far, in the order they arrived. */
  received: readonly ReceivedMail[];
  /**
   * The first message matching `match` that no earlier call returned (so a test can wait for a second
   * code to the same address): at once if it has arrived, else as soon as it does. Rejects after
   * `timeoutMs`, naming what did arrive.
   */
  waitForMail(match: MailMatch, options?: { timeoutMs?: number }): Promise<ReceivedMail>;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** How long `waitForMail` waits unless told: a mailer hands a message over in milliseconds. */
export const WAIT_FOR_MAIL_TIMEOUT_MS = 5_000;
/** After this, `close` ends connections a client still holds open. */
const CLOSE_TIMEOUT_MS = 1_000;

const addresses = (header: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => h.value.map((a) => a.address ?? ''));

function matches(mail: ReceivedMail, match: MailMatch): boolean {
  const to = match.to.toLowerCase();
  const recipient = [...mail.envelope.to, ...mail.to].some((a) => a.toLowerCase() === to);
  const subject =
    match.subject === undefined || (typeof match.subject === 'string' ? mail.subject === match.subject : match.subject.test(mail.subject));
  return recipient && subject;
}

const describe = (match: MailMatch) => `to ${match.to}${match.subject === undefined ? '' : ` with subject ${String(match.subject)}`}`;

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const returned = new Set<ReceivedMail>();
  const parseErrors: unknown[] = [];
  /** Waiters not yet answered: each looks at every new message. */
  const waiters = new Set<(mail: ReceivedMail) => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: CLOSE_TIMEOUT_MS,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const mail: ReceivedMail = {
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            from: parsed.from?.text ?? '',
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
          };
          received.push(mail);
          for (const waiter of [...waiters]) waiter(mail);
          callback();
        },
        (error: unknown) => {
          parseErrors.push(error);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  const waitForMail = (match: MailMatch, { timeoutMs = WAIT_FOR_MAIL_TIMEOUT_MS } = {}) =>
    new Promise<ReceivedMail>((resolve, reject) => {
      const take = (mail: ReceivedMail) => {
        if (returned.has(mail) || !matches(mail, match)) return false;
        returned.add(mail);
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(mail);
        return true;
      };
      const waiter = (mail: ReceivedMail) => void take(mail);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const seen = received.map((m) => `${m.to.join(', ')}: ${m.subject}`).join('; ') || 'nothing';
        const broken = parseErrors.length ? ` (${parseErrors.length} message(s) could not be parsed)` : '';
        reject(new Error(`No mail ${describe(match)} within ${timeoutMs} ms; received: ${seen}${broken}`));
      }, timeoutMs);
      if (received.some(take)) return;
      waiters.add(waiter);
    });

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    waitForMail,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
