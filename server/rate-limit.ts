/**
 * Token buckets per client address, in this process: `limit` calls a minute, refilled smoothly.
 * Each app instance counts on its own (with N instances a client gets up to N× the limit); a shared
 * store (PostgreSQL or Redis) is the step for a large fleet.
 */
export interface Decision {
  allowed: boolean;
  /** Seconds until the next call would be allowed. */
  retryAfterSeconds: number;
}

const MAX_TRACKED = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(client: string): Decision {
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.buckets.delete(client); // re-inserted last: the map stays in least-recently-used order
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / ratePerMs / 1000) };
  }
}
