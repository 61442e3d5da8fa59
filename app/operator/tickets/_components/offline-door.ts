import type { DoorAnswer, DoorListPayload, DoorTicket, ListedTicket, LocalEntry, RefusalReason } from './door-contract';

/**
 * The door without a network: the QR payload, its Ed25519 signature, the signed door list, and the
 * decision a device makes alone. Pure apart from WebCrypto, so the page and its unit test share it.
 */

/** What a QR of version 2 says: `T2.<reference>.<serial>.<scheduleId>.<seatId>.<signature>`. */
export interface QrPayload {
  reference: string;
  serial: number;
  scheduleId: number;
  seatId: number;
  /** The text the signature is over: everything before the last dot. */
  signed: string;
  signature: string;
}

/** A booking code and the seat's number in the order: `K7Q-4MZ-92D-2`. */
const REFERENCE = /^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{1,3}$/;
const POSITIVE = /^[1-9]\d{0,14}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The payload of a scanned QR, or null when it is not a version-2 ticket QR at all. */
export function parseQrPayload(text: string): QrPayload | null {
  const parts = text.trim().split('.');
  if (parts.length !== 6 || parts[0] !== 'T2') return null;
  const [, reference = '', serial = '', scheduleId = '', seatId = '', signature = ''] = parts;
  if (!REFERENCE.test(reference) || !POSITIVE.test(serial) || !POSITIVE.test(scheduleId) || !POSITIVE.test(seatId)) return null;
  if (!BASE64URL.test(signature)) return null;
  const signed = text.trim().slice(0, text.trim().lastIndexOf('.'));
  return { reference, serial: Number(serial), scheduleId: Number(scheduleId), seatId: Number(seatId), signed, signature };
}

export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

/** The service's public key (`ticket.publicKey().publicKey`: raw 32 bytes, base64url) for WebCrypto. */
export async function importPublicKey(publicKey: string): Promise<CryptoKey> {
  const raw = fromBase64url(publicKey);
  if (raw.length !== 32) throw new Error('An Ed25519 public key is 32 bytes');
  return crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
}

/** The key id the server names a key by: the first 8 bytes of its SHA-256, in hex. */
export async function keyIdOf(publicKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', fromBase64url(publicKey)));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether `signature` (base64url) is the key's Ed25519 signature of `text` (UTF-8). */
export async function verifySignature(key: CryptoKey, text: string, signature: string): Promise<boolean> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(signature);
  } catch {
    return false;
  }
  if (bytes.length !== 64) return false;
  return crypto.subtle.verify('Ed25519', key, bytes, utf8(text));
}

export class DoorListError extends Error {
  constructor(readonly why: 'KEY_MISMATCH' | 'BAD_SIGNATURE' | 'BAD_PAYLOAD' | 'OTHER_DATE') {
    super(`The door list cannot be used: ${why}`);
    this.name = 'DoorListError';
  }
}

/**
 * The door list, once its signature checks against the public key (and the key is the one the list
 * names) and it is the list of `scheduleId`. Throws a DoorListError otherwise: nothing unsigned is kept.
 */
export async function openDoorList(
  list: { payload: string; signature: string; keyId: string },
  key: { publicKey: string; keyId: string },
  scheduleId: number,
): Promise<DoorListPayload> {
  if (list.keyId !== key.keyId || (await keyIdOf(key.publicKey)) !== key.keyId) throw new DoorListError('KEY_MISMATCH');
  if (!(await verifySignature(await importPublicKey(key.publicKey), list.payload, list.signature)))
    throw new DoorListError('BAD_SIGNATURE');
  let payload: DoorListPayload;
  try {
    payload = JSON.parse(list.payload) as DoorListPayload;
  } catch {
    throw new DoorListError('BAD_PAYLOAD');
  }
  if (payload.version !== 1 || !Array.isArray(payload.tickets)) throw new DoorListError('BAD_PAYLOAD');
  if (payload.scheduleId !== scheduleId) throw new DoorListError('OTHER_DATE');
  return payload;
}

/** A listed ticket as the door's answers show it (with this device's entry, when it let it in). */
function doorTicket(list: DoorListPayload, ticket: ListedTicket, local: LocalEntry | undefined): DoorTicket {
  return {
    reference: ticket.reference,
    scheduleId: list.scheduleId,
    concertTitle: list.concertTitle,
    startsAt: list.startsAt,
    seat: ticket.seat,
    holderName: ticket.holderName,
    state: local ? 'used' : ticket.state,
    entry: local ? { at: local.scannedAt, gate: local.gate, source: 'offline' } : ticket.entry,
  };
}

/** `K7Q-4MZ-92D` of `K7Q-4MZ-92D-2`. */
const bookingCodeOf = (reference: string) => reference.slice(0, reference.lastIndexOf('-'));

/** The tickets a typed booking code (all of its tickets) or ticket reference names in the list. */
export function lookUpOffline(list: DoorListPayload, code: string, entries: readonly LocalEntry[]): DoorTicket[] {
  const wanted = code.trim().toUpperCase();
  if (!wanted) return [];
  return list.tickets
    .filter((t) => t.reference === wanted || bookingCodeOf(t.reference) === wanted)
    .map((t) =>
      doorTicket(
        list,
        t,
        entries.find((e) => e.reference === t.reference && e.scheduleId === list.scheduleId),
      ),
    );
}

export interface OfflineCheck {
  list: DoorListPayload;
  key: CryptoKey;
  /** What this device let in already (every date: only this date's count). */
  entries: readonly LocalEntry[];
  gate: string;
  /** A scanned QR, or a reference whose holder's name the steward checked. */
  input: { qr: string } | { reference: string; holderChecked: true };
  now: Date;
  newId: () => string;
}

/**
 * What a device alone answers, as the server would (server/ticket/rules.ts doorRefusal, in its order)
 * from what it knew when the list was made: the signature, the date, a refund, the serial, a pending
 * offer, and an entry (the list's, or this device's own). `entry` is the entry to record when it
 * lets the ticket in.
 */
export async function decideOffline(check: OfflineCheck): Promise<{ answer: DoorAnswer; entry?: LocalEntry }> {
  const { list, entries, input } = check;
  const refuse = (reason: RefusalReason, ticket: DoorTicket | null = null) => ({ answer: { outcome: 'refused' as const, reason, ticket } });
  let scanned: QrPayload | null = null;
  if ('qr' in input) {
    scanned = parseQrPayload(input.qr);
    if (!scanned) return refuse('UNKNOWN');
    if (!(await verifySignature(check.key, scanned.signed, scanned.signature))) return refuse('FORGED');
  }
  const reference = scanned ? scanned.reference : 'reference' in input ? input.reference : '';
  const listed = list.tickets.find((t) => t.reference === reference);
  // A QR of another date is not in this date's list at all.
  if (scanned && scanned.scheduleId !== list.scheduleId) return refuse('OTHER_DATE');
  if (!listed || (scanned && scanned.seatId !== listed.seatId)) return refuse('UNKNOWN');
  const mine = entries.find((e) => e.reference === reference && e.scheduleId === list.scheduleId);
  const ticket = doorTicket(list, listed, mine);
  if (listed.state === 'refunded') return refuse('REFUNDED', ticket);
  // An older serial: the ticket was passed on since this QR was drawn. A newer one than the list
  // knows is signed by the service all the same: the list is what is behind.
  if (scanned && scanned.serial < listed.serial) return refuse('OLD_QR', ticket);
  if (!mine && !listed.entry && listed.state === 'offered') return refuse('OFFERED', ticket);
  if (mine || listed.entry || listed.state === 'used') return { answer: { outcome: 'already_used', ticket } };
  const entry: LocalEntry = {
    localId: check.newId(),
    scheduleId: list.scheduleId,
    gate: check.gate,
    reference,
    scannedAt: check.now.toISOString(),
    ...('qr' in input && { qr: input.qr.trim() }),
  };
  return { answer: { outcome: 'admitted', ticket: doorTicket(list, listed, entry) }, entry };
}
