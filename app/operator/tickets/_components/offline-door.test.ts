import { beforeAll, describe, expect, it } from 'vitest';
import type { DoorListPayload, LocalEntry } from './door-contract';
import {
  decideOffline,
  DoorListError,
  importPublicKey,
  keyIdOf,
  lookUpOffline,
  openDoorList,
  parseQrPayload,
  type OfflineCheck,
} from './offline-door';

const toBase64url = (bytes: ArrayBuffer) => Buffer.from(bytes).toString('base64url');

let signer: CryptoKeyPair;
let publicKey: string;
let keyId: string;
let key: CryptoKey;

const sign = async (text: string, by: CryptoKey = signer.privateKey) =>
  toBase64url(await crypto.subtle.sign('Ed25519', by, new TextEncoder().encode(text)));
/** A QR as the service draws it; the seat is the listed ticket's unless said. */
const qrOf = async (reference: string, serial: number, scheduleId = 7, seatId?: number, by?: CryptoKey) => {
  seatId ??= LIST.tickets.find((t) => t.reference === reference)?.seatId ?? 999;
  const text = `T2.${reference}.${serial}.${scheduleId}.${seatId}`;
  return `${text}.${await sign(text, by)}`;
};

const LIST: DoorListPayload = {
  version: 1,
  scheduleId: 7,
  concertTitle: 'Night Songs',
  startsAt: '2026-12-24T10:00:00Z',
  generatedAt: '2026-12-24T08:00:00Z',
  tickets: [
    { reference: 'K7Q-4MZ-92D-1', serial: 1, seatId: 101, seat: 'R A-1', holderName: 'Jisoo', state: 'valid', entry: null },
    { reference: 'K7Q-4MZ-92D-2', serial: 3, seatId: 102, seat: 'R A-2', holderName: 'Minho', state: 'valid', entry: null },
    { reference: 'AAA-BBB-CCC-1', serial: 1, seatId: 103, seat: 'S B-1', holderName: 'Yuna', state: 'refunded', entry: null },
    { reference: 'AAA-BBB-CCC-2', serial: 2, seatId: 104, seat: 'S B-2', holderName: 'Yuna', state: 'offered', entry: null },
    {
      reference: 'DDD-EEE-FFF-1',
      serial: 1,
      seatId: 105,
      seat: 'VIP C-3',
      holderName: 'Hana',
      state: 'used',
      entry: { at: '2026-12-24T10:02:00Z', gate: 'Gate 2' },
    },
  ],
};

beforeAll(async () => {
  signer = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  publicKey = toBase64url(await crypto.subtle.exportKey('raw', signer.publicKey));
  keyId = await keyIdOf(publicKey);
  key = await importPublicKey(publicKey);
});

describe('the QR payload', () => {
  it('reads the five fields and keeps the signed text apart from the signature', () => {
    expect(parseQrPayload('T2.K7Q-4MZ-92D-2.3.7.102.c2lnbmF0dXJl')).toEqual({
      reference: 'K7Q-4MZ-92D-2',
      serial: 3,
      scheduleId: 7,
      seatId: 102,
      signed: 'T2.K7Q-4MZ-92D-2.3.7.102',
      signature: 'c2lnbmF0dXJl',
    });
  });

  it('is not a ticket QR otherwise: the old order-wide QR, a URL, missing or extra parts, a bad number', () => {
    for (const text of [
      'T1.K7Q4MZ92D.abc',
      'https://example.com/',
      'T2.K7Q-4MZ-92D-2.3.7.102',
      'T2.K7Q-4MZ-92D-2.3.7.102.sig.extra',
      'T2.K7Q-4MZ-92D-2.0.7.102.sig',
      'T2.K7Q-4MZ-92D-2.x.7.102.sig',
      'T2.k7q.1.7.102.sig',
      'T2.K7Q-4MZ-92D-2.1.7.102.sig+/=',
      '',
    ])
      expect(parseQrPayload(text), text).toBeNull();
  });
});

describe('the signed door list', () => {
  it('opens when the signature checks with the key it names', async () => {
    const payload = JSON.stringify(LIST);
    const opened = await openDoorList({ payload, signature: await sign(payload), keyId }, { publicKey, keyId }, 7);
    expect(opened.tickets).toHaveLength(5);
  });

  it('is refused when changed after signing, signed by another key, or of another date', async () => {
    const payload = JSON.stringify(LIST);
    const signature = await sign(payload);
    const tampered = payload.replace('Minho', 'Mallory');
    await expect(openDoorList({ payload: tampered, signature, keyId }, { publicKey, keyId }, 7)).rejects.toThrow(DoorListError);
    const other = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    await expect(
      openDoorList({ payload, signature: await sign(payload, other.privateKey), keyId }, { publicKey, keyId }, 7),
    ).rejects.toMatchObject({ why: 'BAD_SIGNATURE' });
    await expect(openDoorList({ payload, signature, keyId: '00'.repeat(8) }, { publicKey, keyId }, 7)).rejects.toMatchObject({
      why: 'KEY_MISMATCH',
    });
    await expect(openDoorList({ payload, signature, keyId }, { publicKey, keyId }, 8)).rejects.toMatchObject({ why: 'OTHER_DATE' });
  });
});

describe('the decision of a device alone', () => {
  let ids = 0;
  const check = (input: OfflineCheck['input'], entries: LocalEntry[] = []): Promise<Awaited<ReturnType<typeof decideOffline>>> =>
    decideOffline({ list: LIST, key, entries, gate: 'Gate 1', input, now: new Date('2026-12-24T10:05:00Z'), newId: () => `id-${++ids}` });

  it('lets a valid ticket in once, and says so when this device sees it again', async () => {
    const qr = await qrOf('K7Q-4MZ-92D-1', 1);
    const first = await check({ qr });
    expect(first.answer).toMatchObject({ outcome: 'admitted', ticket: { seat: 'R A-1', holderName: 'Jisoo' } });
    expect(first.entry).toEqual({
      localId: expect.any(String),
      scheduleId: 7,
      gate: 'Gate 1',
      qr,
      reference: 'K7Q-4MZ-92D-1',
      scannedAt: '2026-12-24T10:05:00.000Z',
    });
    const again = await check({ qr }, [first.entry!]);
    expect(again.answer).toMatchObject({ outcome: 'already_used', ticket: { entry: { gate: 'Gate 1', at: '2026-12-24T10:05:00.000Z' } } });
    expect(again.entry).toBeUndefined();
  });

  it('refuses a forged signature, another date, an old serial, a refund, a pending offer and a ticket not listed', async () => {
    const other = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cases: [string, string][] = [
      [await qrOf('K7Q-4MZ-92D-1', 1, 7, undefined, other.privateKey), 'FORGED'],
      [await qrOf('K7Q-4MZ-92D-1', 1, 7, 102), 'UNKNOWN'],
      [(await qrOf('K7Q-4MZ-92D-1', 1)).replace('.1.7.', '.2.7.'), 'FORGED'],
      [await qrOf('K7Q-4MZ-92D-1', 1, 8), 'OTHER_DATE'],
      [await qrOf('K7Q-4MZ-92D-2', 2), 'OLD_QR'],
      [await qrOf('AAA-BBB-CCC-1', 1), 'REFUNDED'],
      [await qrOf('AAA-BBB-CCC-2', 2), 'OFFERED'],
      [await qrOf('ZZZ-ZZZ-ZZZ-1', 1), 'UNKNOWN'],
      ['not a ticket', 'UNKNOWN'],
    ];
    for (const [qr, reason] of cases) {
      const { answer, entry } = await check({ qr });
      expect(answer, qr).toMatchObject({ outcome: 'refused', reason });
      expect(entry).toBeUndefined();
    }
  });

  it('trusts a newer serial than the list knows (passed on after the list was made), and the list’s earlier entries', async () => {
    expect((await check({ qr: await qrOf('K7Q-4MZ-92D-2', 4) })).answer.outcome).toBe('admitted');
    expect((await check({ qr: await qrOf('DDD-EEE-FFF-1', 1) })).answer).toMatchObject({
      outcome: 'already_used',
      ticket: { entry: { gate: 'Gate 2' } },
    });
  });

  it('lets a checked name in by reference, and finds a booking’s tickets by its code', async () => {
    const { answer, entry } = await check({ reference: 'K7Q-4MZ-92D-2', holderChecked: true });
    expect(answer.outcome).toBe('admitted');
    expect(entry).not.toHaveProperty('qr');
    expect(lookUpOffline(LIST, ' k7q-4mz-92d ', [entry!]).map((t) => [t.reference, t.state])).toEqual([
      ['K7Q-4MZ-92D-1', 'valid'],
      ['K7Q-4MZ-92D-2', 'used'],
    ]);
    expect(lookUpOffline(LIST, 'K7Q-4MZ-92D-1', [])).toHaveLength(1);
    expect(lookUpOffline(LIST, 'K7Q', [])).toHaveLength(0);
  });
});
