/**
 * Calls per tRPC batch. The web app batches the few queries a page makes; a thousand calls in one GET
 * would hold a connection and the CPU for seconds while everyone else waits. No imports: the
 * browser's client reads it too, so it never builds a batch the server refuses.
 */
export const MAX_BATCH_SIZE = 10;
