import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/db/embedded';
import { DomainError } from '@/server/errors';
import { startTestSmtpServer, type TestSmtpServer } from '@/server/testing/smtp-server';
import { createMailer, type MailConfig } from './mailer';
import { SMTP_TIMEOUTS_MS } from './smtp-mailer';

const FROM = 'Concert Tickets <tickets@example.com>';
const smtpConfig = (url: string): MailConfig => ({ NODE_ENV: 'production', SMTP_URL: url, MAIL_FROM: FROM, MAIL_OUTBOX: false });
/** Short enough to keep the test quick, long enough for a loaded machine's loopback. */
const SHORT_TIMEOUTS_MS = { connection: 1_000, greeting: 500, socket: 1_000 };
/** The whole send, refused or timed out, must be over well within this. */
const GIVE_UP_WITHIN_MS = 5_000;

async function sendFailure(send: () => Promise<void>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  const error = await send().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, elapsedMs: performance.now() - started };
}

describe('the SMTP mailer', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(() => smtp.close());

  it('delivers to, from, subject, text and html through a real SMTP server', async () => {
    const mailer = createMailer(smtpConfig(smtp.url));
    await mailer.send({
      to: 'fan@example.com',
      subject: 'Your code: 123456',
      text: 'Enter 123456, or open https://tickets.example.com/verify?token=abc',
      html: '<p>Enter <b>123456</b></p>',
    });
    const mail = await smtp.waitForMail({ to: 'fan@example.com', subject: 'Your code: 123456' });
    expect(mail.envelope).toEqual({ from: 'tickets@example.com', to: ['fan@example.com'] });
    expect(mail.from).toBe('"Concert Tickets" <tickets@example.com>');
    expect(mail.to).toEqual(['fan@example.com']);
    expect(mail.text.trim()).toBe('Enter 123456, or open https://tickets.example.com/verify?token=abc');
    expect(mail.html).toContain('<b>123456</b>');
  });

  it('waits for the next message to an address, and says what did arrive when it does not come', async () => {
    const mailer = createMailer(smtpConfig(smtp.url));
    const second = smtp.waitForMail({ to: 'Twice@Example.com', subject: /^Code/ });
    await mailer.send({ to: 'twice@example.com', subject: 'Code 1', text: 'one' });
    expect((await second).subject).toBe('Code 1');
    await mailer.send({ to: 'twice@example.com', subject: 'Code 2', text: 'two' });
    expect((await smtp.waitForMail({ to: 'twice@example.com', subject: /^Code/ })).subject).toBe('Code 2');
    await expect(smtp.waitForMail({ to: 'twice@example.com' }, { timeoutMs: 200 })).rejects.toThrow(
      /No mail to twice@example.com within 200 ms; received: .*twice@example.com: Code 2/,
    );
  });

  it('gives MAIL_UNAVAILABLE at once when nothing listens at SMTP_URL', async () => {
    const mailer = createMailer(smtpConfig(`smtp://127.0.0.1:${await freePort()}`), { smtpTimeoutsMs: SHORT_TIMEOUTS_MS });
    const { error, elapsedMs } = await sendFailure(() => mailer.send({ to: 'fan@example.com', subject: 'Hello', text: 'Hi' }));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ reason: 'MAIL_UNAVAILABLE', cause: expect.objectContaining({ code: 'ESOCKET' }) });
    expect(elapsedMs).toBeLessThan(GIVE_UP_WITHIN_MS);
  });

  it('gives MAIL_UNAVAILABLE within its bound when the server accepts the connection and never speaks', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const mailer = createMailer(smtpConfig(`smtp://127.0.0.1:${port}`), { smtpTimeoutsMs: SHORT_TIMEOUTS_MS });
      const { error, elapsedMs } = await sendFailure(() => mailer.send({ to: 'fan@example.com', subject: 'Hello', text: 'Hi' }));
      expect(error).toMatchObject({ reason: 'MAIL_UNAVAILABLE', cause: expect.objectContaining({ code: 'ETIMEDOUT' }) });
      expect(sockets.size).toBe(1);
      expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_TIMEOUTS_MS.greeting - 50);
      expect(elapsedMs).toBeLessThan(GIVE_UP_WITHIN_MS);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('never waits on the SMTP server longer than its bounded defaults', () => {
    // nodemailer's own defaults are 2 min to connect and 10 min of socket silence: a request would hang.
    for (const ms of Object.values(SMTP_TIMEOUTS_MS)) expect(ms).toBeLessThanOrEqual(30_000);
  });
});
