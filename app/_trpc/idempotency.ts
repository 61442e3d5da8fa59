/** A fresh idempotency key for one intent (see IntentKeys in money-retry.ts): every retry of that intent reuses it. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context; this does not
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
