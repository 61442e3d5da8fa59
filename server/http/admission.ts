import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PRIORITIES, type Priority } from './procedure-policy';

/**
 * Admission control of one process: how many calls of each class (./procedure-policy.ts) it works
 * on at once (reading and parsing the body, waiting for the database, answering). A call beyond its
 * class's share waits in a short queue of its class, its body still unread; when the queue is full,
 * or the wait too long, it is refused (503 OVERLOADED with Retry-After) instead of queueing without
 * limit. A freed slot goes to the waiting call of the highest class first, and the lower classes
 * may only borrow what the higher ones leave: joins wait before polls, polls before buyers, so no
 * burst of joins or polls can starve a payment (nor a burst of anything take the heap).
 */

export interface ClassLimits {
  /** Calls of the class in flight at once, at most. */
  inFlight: number;
  /** Of those, this many may always run whatever the other classes do (the class's own share). */
  reserved: number;
  /** Beyond its reserved share, a call starts only while all classes together have fewer than this in flight. */
  borrowBelow: number;
  /** Calls of the class waiting for a slot, at most; more are refused at once. */
  queued: number;
  /** How long one waits for a slot before it is refused. */
  maxWaitMs: number;
  /** The longest Retry-After its refusals ask for. */
  maxRetryAfterSeconds: number;
}

/**
 * Per process (each `npm start` worker has its own; its database pool has 10 connections). Buyers
 * may fill the process; polls, answered from memory, take a share; joins (two commits each) get a
 * few slots, fewer still when the
 * others are busy or the event loop lags, so they never hold most of the pool. A crowd of joins sent
 * away is told to come back spread over up to 15 s: every refusal is a request to answer too, so ten
 * thousand fans must not all come back within a second; but a longer spread leaves the line empty
 * while seats are free (with two minutes, the benchmark's drop sold 550 of 1,000 seats in 60 s; with
 * 15 s it sold out in 29 s).
 */
export const CLASS_LIMITS: Readonly<Record<Priority, ClassLimits>> = {
  buyers: { inFlight: 64, reserved: 64, borrowBelow: 64, queued: 1_024, maxWaitMs: 10_000, maxRetryAfterSeconds: 2 },
  waiting: { inFlight: 32, reserved: 8, borrowBelow: 64, queued: 128, maxWaitMs: 2_000, maxRetryAfterSeconds: 5 },
  arrivals: { inFlight: 8, reserved: 4, borrowBelow: 32, queued: 64, maxWaitMs: 5_000, maxRetryAfterSeconds: 15 },
};

/** Event-loop delay (p99 over the last sample) above which only reserved shares start: the CPU is the limit. */
export const LAGGING_MS = 150;
const LAG_SAMPLE_MS = 250;
const RATE_SAMPLE_MS = 1_000;
/**
 * A class is assumed to finish at least this many calls a second when it tells refused callers when to
 * come back: before the first rate sample of a burst the measured rate is 0, and a low floor sent the
 * whole opening crowd to the longest Retry-After.
 */
export const MIN_RATE_PER_SECOND = 50;

export type Admission = { admitted: true; release: () => void } | { admitted: false; retryAfterSeconds: number };

interface Waiter {
  priority: Priority;
  start: (admitted: boolean) => void;
}

interface ClassState {
  inFlight: number;
  queue: Waiter[];
  /** Calls finished since the last rate sample, and the rate (calls a second, smoothed). */
  finished: number;
  rate: number;
  /** When the next refused caller is told to come back: refusals are spread over time, not all sent back at once. */
  nextSlotAt: number;
  refused: number;
}

export interface AdmissionOptions {
  limits?: Readonly<Record<Priority, ClassLimits>>;
  now?: () => number;
  /** Whether the process is overloaded beyond its in-flight counts (default: the event loop lags). */
  lagging?: () => boolean;
  /** The least rate (calls a second) a class is assumed to finish when refusals are spread. */
  minRatePerSecond?: number;
}

export class AdmissionControl {
  private readonly limits: Readonly<Record<Priority, ClassLimits>>;
  private readonly now: () => number;
  private readonly lagging: () => boolean;
  private readonly minRatePerSecond: number;
  private readonly classes = new Map<Priority, ClassState>();
  private total = 0;
  private lastRateSample: number;

  constructor({
    limits = CLASS_LIMITS,
    now = Date.now,
    lagging = () => false,
    minRatePerSecond = MIN_RATE_PER_SECOND,
  }: AdmissionOptions = {}) {
    this.limits = limits;
    this.now = now;
    this.lagging = lagging;
    this.minRatePerSecond = minRatePerSecond;
    this.lastRateSample = now();
    for (const p of PRIORITIES) this.classes.set(p, { inFlight: 0, queue: [], finished: 0, rate: 0, nextSlotAt: 0, refused: 0 });
  }

  /**
   * A slot for a call of `priority`, now or after a wait in its class's queue, or a refusal with the
   * seconds to wait before trying again. `signal`: the client went away while waiting.
   */
  admit(priority: Priority, signal?: AbortSignal): Admission | Promise<Admission> {
    const state = this.classes.get(priority)!;
    const limits = this.limits[priority];
    if (state.queue.length === 0 && this.canStart(priority)) return this.start(priority);
    if (signal?.aborted) return this.refuse(priority);
    if (state.queue.length >= limits.queued || (priority !== PRIORITIES[0] && this.lagging())) return this.refuse(priority);
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        priority,
        start: (admitted) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abandon);
          resolve(admitted ? this.start(priority) : this.refuse(priority));
        },
      };
      const leave = () => {
        const at = state.queue.indexOf(waiter);
        if (at >= 0) state.queue.splice(at, 1);
      };
      const timer = setTimeout(() => {
        leave();
        waiter.start(false);
      }, limits.maxWaitMs);
      const abandon = () => {
        leave();
        waiter.start(false);
      };
      signal?.addEventListener('abort', abandon, { once: true });
      state.queue.push(waiter);
    });
  }

  /** In flight and waiting, by class (for tests and logs). */
  snapshot(): Record<Priority, { inFlight: number; queued: number; refused: number }> {
    return Object.fromEntries(
      PRIORITIES.map((p) => {
        const s = this.classes.get(p)!;
        return [p, { inFlight: s.inFlight, queued: s.queue.length, refused: s.refused }];
      }),
    ) as Record<Priority, { inFlight: number; queued: number; refused: number }>;
  }

  private canStart(priority: Priority): boolean {
    const state = this.classes.get(priority)!;
    const limits = this.limits[priority];
    if (state.inFlight >= limits.inFlight) return false;
    if (state.inFlight < limits.reserved) return true;
    return this.total < limits.borrowBelow && !this.lagging();
  }

  private start(priority: Priority): Admission {
    const state = this.classes.get(priority)!;
    state.inFlight++;
    this.total++;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        state.inFlight--;
        state.finished++;
        this.total--;
        this.grant();
      },
    };
  }

  /** Hands freed slots to waiting calls, the highest class first. */
  private grant(): void {
    for (const p of PRIORITIES) {
      const { queue } = this.classes.get(p)!;
      while (queue.length > 0 && this.canStart(p)) queue.shift()!.start(true);
    }
  }

  /**
   * A refusal, with when to come back: each refused caller of a class gets the next free moment at
   * the class's recent rate, so a crowd sent away comes back spread out rather than all at once.
   */
  private refuse(priority: Priority): Admission {
    const state = this.classes.get(priority)!;
    const now = this.now();
    this.sampleRates(now);
    const rate = Math.max(this.minRatePerSecond, state.rate);
    state.nextSlotAt = Math.max(state.nextSlotAt, now) + 1_000 / rate;
    const max = this.limits[priority].maxRetryAfterSeconds;
    state.nextSlotAt = Math.min(state.nextSlotAt, now + max * 1_000);
    state.refused++;
    return { admitted: false, retryAfterSeconds: Math.min(max, Math.max(1, Math.ceil((state.nextSlotAt - now) / 1_000))) };
  }

  private sampleRates(now: number): void {
    const elapsed = now - this.lastRateSample;
    if (elapsed < RATE_SAMPLE_MS) return;
    this.lastRateSample = now;
    for (const state of this.classes.values()) {
      const rate = (state.finished * 1_000) / elapsed;
      state.rate = state.rate === 0 ? rate : 0.5 * state.rate + 0.5 * rate;
      state.finished = 0;
    }
  }
}

/**
 * Whether this process's event loop lags: the p99 of its delay over the last quarter second, read
 * from perf_hooks' histogram (sampled by a timer that does not keep the process alive).
 */
export function eventLoopLag(thresholdMs = LAGGING_MS): () => boolean {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let lagging = false;
  setInterval(() => {
    lagging = histogram.percentile(99) / 1e6 > thresholdMs;
    histogram.reset();
  }, LAG_SAMPLE_MS).unref();
  return () => lagging;
}
