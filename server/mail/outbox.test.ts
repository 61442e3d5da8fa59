import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '@/server/errors';
import { createMailer } from './mailer';
import { OUTBOX_DIR } from './outbox-file';
import { createOutboxMailer } from './outbox-mailer';
import { listOutbox, readOutboxMessage } from './outbox-reader';

const FROM = 'Concert Tickets <tickets@localhost>';
const at = (iso: string) => () => new Date(iso);

describe('the development outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-outbox-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes each message as a JSON file, and lists them newest first', async () => {
    const outbox = path.join(dir, 'outbox'); // created on the first message
    await createOutboxMailer({ dir: outbox, from: FROM, now: at('2026-12-07T10:00:00.000Z') }).send({
      to: 'first@example.com',
      subject: 'First',
      text: 'one',
    });
    await createOutboxMailer({ dir: outbox, from: FROM, now: at('2026-12-07T12:00:00.000Z') }).send({
      to: 'third@example.com',
      subject: 'Third',
      text: 'three',
      html: '<p>three</p>',
    });
    await createOutboxMailer({ dir: outbox, from: FROM, now: at('2026-12-07T11:00:00.000Z') }).send({
      to: 'second@example.com',
      subject: 'Second',
      text: 'two',
    });

    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(3);
    for (const file of files) expect(file).toMatch(/^\d{15}-[0-9a-f]{12}\.json$/);

    const list = await listOutbox(outbox);
    expect(list.map((m) => [m.to, m.subject, m.sentAt])).toEqual([
      ['third@example.com', 'Third', '2026-12-07T12:00:00.000Z'],
      ['second@example.com', 'Second', '2026-12-07T11:00:00.000Z'],
      ['first@example.com', 'First', '2026-12-07T10:00:00.000Z'],
    ]);
    expect(await readOutboxMessage(outbox, list[0]!.id)).toEqual({
      id: list[0]!.id,
      sentAt: '2026-12-07T12:00:00.000Z',
      from: FROM,
      to: 'third@example.com',
      subject: 'Third',
      text: 'three',
      html: '<p>three</p>',
    });
    expect(await listOutbox(outbox, 2)).toHaveLength(2);
  });

  it('keeps every message when several writers send in the same millisecond (workers share the folder)', async () => {
    const writers = Array.from({ length: 4 }, () => createOutboxMailer({ dir, from: FROM, now: at('2026-12-07T10:00:00.000Z') }));
    await Promise.all(
      writers.flatMap((mailer, w) =>
        Array.from({ length: 10 }, (_, i) => mailer.send({ to: `w${w}-${i}@example.com`, subject: 'Same time', text: `${w}/${i}` })),
      ),
    );
    const list = await listOutbox(dir);
    expect(list).toHaveLength(40);
    expect(new Set(list.map((m) => m.to)).size).toBe(40);
    expect(fs.readdirSync(dir).filter((f) => !f.endsWith('.json'))).toEqual([]); // no temporary file left behind
  });

  it('is empty before the first message, and reads no file it did not write', async () => {
    expect(await listOutbox(path.join(dir, 'not-yet'))).toEqual([]);
    fs.writeFileSync(path.join(dir, 'notes.json'), '{}');
    fs.writeFileSync(path.join(dir, '.000000000000001-aaaaaaaaaaaa.partial'), '{"id"');
    fs.writeFileSync(path.join(dir, '000000000000002-bbbbbbbbbbbb.json'), 'not json');
    fs.writeFileSync(path.join(dir, '000000000000003-cccccccccccc.json'), JSON.stringify({ id: '000000000000003-cccccccccccc' }));
    expect(await listOutbox(dir)).toEqual([]);
    for (const id of ['../../etc/passwd', '000000000000002-bbbbbbbbbbbb', '000000000000009-dddddddddddd', 'notes']) {
      expect(await readOutboxMessage(dir, id), id).toBeUndefined();
    }
  });

  it('gives MAIL_UNAVAILABLE when the outbox cannot be written', async () => {
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const error = await createOutboxMailer({ dir: path.join(blocked, 'outbox'), from: FROM })
      .send({ to: 'fan@example.com', subject: 'Hello', text: 'Hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ reason: 'MAIL_UNAVAILABLE' });
  });
});

describe('createMailer', () => {
  it('writes to the outbox outside production when SMTP_URL is unset, and in production only when MAIL_OUTBOX says so', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tickets-outbox-'));
    try {
      const config = { SMTP_URL: undefined, MAIL_FROM: FROM, MAIL_OUTBOX: false };
      await createMailer({ ...config, NODE_ENV: 'development' }, { outboxDir: dir }).send({
        to: 'dev@example.com',
        subject: 'Dev',
        text: 'd',
      });
      await createMailer({ ...config, NODE_ENV: 'production', MAIL_OUTBOX: true }, { outboxDir: dir }).send({
        to: 'local@example.com',
        subject: 'Local npm start',
        text: 'l',
      });
      expect((await listOutbox(dir)).map((m) => m.to).sort()).toEqual(['dev@example.com', 'local@example.com']);
      expect(() => createMailer({ ...config, NODE_ENV: 'production' })).toThrow(/SMTP_URL is required in production/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the outbox beside the embedded database, under the git-ignored .data/', () => {
    expect(OUTBOX_DIR).toBe(path.join('.data', 'outbox'));
    expect(fs.readFileSync('.gitignore', 'utf8').split('\n')).toContain('.data/');
  });
});
