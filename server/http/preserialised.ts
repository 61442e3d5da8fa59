import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * A large answer shared by many callers (a date's seat map: 1,000 seats, 120 kB of JSON) is turned
 * into JSON once, not once per call: that was most of a seat list's cost. A value marked with
 * `preserialised` serialises, inside an API response, as a placeholder that the request layer
 * (`withPreserialised`) swaps for the bytes kept with the value. Anywhere else (createCaller, tests,
 * a log) it serialises as it always did. The placeholder carries a random per-process nonce, so no
 * input can forge one.
 */
const PLACEHOLDER_PREFIX = `__preserialised_${randomBytes(12).toString('hex')}_`;
const PLACEHOLDER = new RegExp(`"(${PLACEHOLDER_PREFIX}\\d+)"`, 'g');

/** The bytes to put in place of each placeholder serialised during one response. */
const pending = new AsyncLocalStorage<Map<string, Buffer>>();

/**
 * Marks `value` (which must not change afterwards) to be serialised once: its JSON is computed the
 * first time a response carries it and reused by every later one.
 */
export function preserialised<T extends object>(value: T): T {
  let bytes: Buffer | undefined;
  Object.defineProperty(value, 'toJSON', {
    enumerable: false,
    value: () => {
      const parts = pending.getStore();
      // A copy without this method, so serialising it does not come back here.
      const plain = Array.isArray(value) ? value.slice() : { ...value };
      if (!parts) return plain;
      bytes ??= Buffer.from(JSON.stringify(plain));
      const placeholder = `${PLACEHOLDER_PREFIX}${parts.size}`;
      parts.set(placeholder, bytes);
      return placeholder;
    },
  });
  return value;
}

/** Runs `work` (which builds a JSON response) and puts the preserialised values' bytes into its body. */
export async function withPreserialised(work: () => Promise<Response>): Promise<Response> {
  const parts = new Map<string, Buffer>();
  const response = await pending.run(parts, work);
  if (parts.size === 0) return response;
  const text = await response.text();
  const chunks: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const bytes = parts.get(match[1]!);
    if (!bytes) continue;
    chunks.push(Buffer.from(text.slice(last, match.index)), bytes);
    last = match.index + match[0].length;
  }
  chunks.push(Buffer.from(text.slice(last)));
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  // The chunks as they are, not copied into one buffer: the Node adapter writes them straight to the
  // socket (`preserialisedBody`); a fetch runtime streams them.
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const spliced = new Response(body, { status: response.status, statusText: response.statusText, headers });
  bodies.set(spliced, chunks);
  return spliced;
}

const bodies = new WeakMap<Response, Buffer[]>();

/**
 * A response of JSON bytes already at hand (a refusal): the Node adapter writes them straight to the
 * socket, with no stream to read back.
 */
export function jsonBytesResponse(bytes: Buffer<ArrayBuffer>, init: { status: number; headers: Record<string, string> }): Response {
  const response = new Response(bytes, init);
  bodies.set(response, [bytes]);
  return response;
}

/** The body of a response `withPreserialised` or `jsonBytesResponse` made, as its chunks (undefined for any other response). */
export const preserialisedBody = (response: Response): Buffer[] | undefined => bodies.get(response);
