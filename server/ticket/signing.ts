import { createHash, createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The service's Ed25519 key for tickets: it signs every ticket's QR payload and the door's offline
 * ticket lists; its public half is published (`ticket.publicKey`), so a door device can check a
 * ticket with no network. The key is derived from SESSION_SECRET (HMAC-SHA256 under a fixed label
 * gives the 32-byte seed), so every process and instance of a deployment signs alike with no second
 * secret to distribute; rotating SESSION_SECRET rotates it (and every door device must fetch it again).
 */
const SEED_LABEL = 'concert-tickets/ticket-signing-key/v1';
/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** SPKI DER prefix of an Ed25519 public key; the raw 32-byte key follows. */
const SPKI_ED25519_PREFIX_LENGTH = 12;

export interface TicketSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte public key, base64url. */
  publicKeyRaw: string;
  /** The first 8 bytes of the raw public key's SHA-256, hex: names the key a signature was made with. */
  keyId: string;
}

const keys = new Map<string, TicketSigningKey>();

export function ticketSigningKey(secret: string): TicketSigningKey {
  const known = keys.get(secret);
  if (known) return known;
  const seed = createHmac('sha256', secret).update(SEED_LABEL).digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX_LENGTH);
  const key = {
    privateKey,
    publicKey,
    publicKeyRaw: raw.toString('base64url'),
    keyId: createHash('sha256').update(raw).digest().subarray(0, 8).toString('hex'),
  };
  keys.set(secret, key);
  return key;
}

/** The base64url Ed25519 signature of `text` (UTF-8). */
export function signText(key: TicketSigningKey, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64url');
}

export function verifyText(key: TicketSigningKey, text: string, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64 || bytes.toString('base64url') !== signature) return false;
  return verify(null, Buffer.from(text, 'utf8'), key.publicKey, bytes);
}
