import { describe, expect, it } from 'vitest';
import { signSession } from '@/server/session/signing';
import { signQueuePass, verifyQueuePass, type QueuePass } from './queue-pass';

const secret = 's'.repeat(40);
const userId = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const token = 'AbCdEfGhIjKlMnOpQrStUvWx';
const queuePass: QueuePass = { concertId: 7, drawNumber: 4711, place: 128, userId, confirmedAt: 1_800_000_000 };

describe('queue passes', () => {
  it('prove what was signed, for that user and that token only', () => {
    const value = signQueuePass(secret, queuePass, token);
    expect(verifyQueuePass(secret, value, { userId, token })).toEqual(queuePass);
    expect(verifyQueuePass(secret, signQueuePass(secret, { ...queuePass, place: null }, token), { userId, token })).toMatchObject({
      place: null,
    });
    expect(verifyQueuePass(secret, value, { userId, token: `${token}x` })).toBeNull();
    expect(verifyQueuePass(secret, value, { userId: userId.replace('6f', '7f'), token })).toBeNull();
    expect(verifyQueuePass('t'.repeat(40), value, { userId, token })).toBeNull();
  });

  it('refuse any change to a field or to the MAC, and anything malformed', () => {
    const value = signQueuePass(secret, queuePass, token);
    const parts = value.split('.');
    for (let i = 1; i < parts.length; i++) {
      const changed = [...parts];
      changed[i] = i === 4 ? userId.replace('4b', '4c') : i === 6 ? `${parts[6]!.slice(0, -1)}A` : String(Number(parts[i]) + 1);
      if (changed[i] === parts[i]) changed[i] = `${parts[i]}0`;
      expect(verifyQueuePass(secret, changed.join('.'), { userId, token }), `field ${i}`).toBeNull();
    }
    for (const bad of [
      undefined,
      null,
      '',
      'q1',
      value.replace('q1', 'q2'),
      `${value}.x`,
      'x'.repeat(500),
      value.replace('.128.', '.-1.'),
    ]) {
      expect(verifyQueuePass(secret, bad, { userId, token })).toBeNull();
    }
  });

  it('cannot be made from a session cookie (their MACs differ in purpose)', () => {
    const session = signSession(secret, userId);
    expect(verifyQueuePass(secret, session, { userId, token })).toBeNull();
  });
});
