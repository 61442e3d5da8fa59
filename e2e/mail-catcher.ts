import http from 'node:http';
import { startTestSmtpServer } from '@/server/testing/smtp-server';

/**
 * The browser tests' mailbox: a real SMTP server (server/testing/smtp-server.ts) that a test server
 * sends its mail to, and a small HTTP reader on loopback from which tests (in other processes) read
 * what arrived: GET /messages?to=<address> answers the messages to it, oldest first, as JSON.
 */
export async function startMailCatcher(httpPort: number) {
  const smtp = await startTestSmtpServer();
  const reader = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const to = url.searchParams.get('to')?.toLowerCase();
    const messages = smtp.received
      .filter((m) => !to || m.to.some((address) => address.toLowerCase() === to))
      .map(({ to: recipients, subject, text }) => ({ to: recipients, subject, text }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(messages));
  });
  await new Promise<void>((resolve) => reader.listen(httpPort, '127.0.0.1', resolve));
  return {
    smtpUrl: smtp.url,
    close: async () => {
      await new Promise((resolve) => reader.close(resolve));
      await smtp.close();
    },
  };
}
