import { describe, expect, it } from 'vitest';
import { appRouter } from '@/server/trpc/root';
import { AdmissionControl, type Admission, type ClassLimits } from './admission';
import { DEFAULT_BODY_BYTES, MAX_BODY_BYTES, policyOf, PROCEDURE_POLICIES, type Credentials, type Priority } from './procedure-policy';

/** Small limits, so each rule shows with a handful of calls. */
const limits: Record<Priority, ClassLimits> = {
  buyers: { inFlight: 4, reserved: 4, borrowBelow: 6, queued: 10, maxWaitMs: 60_000, maxRetryAfterSeconds: 2 },
  waiting: { inFlight: 3, reserved: 1, borrowBelow: 5, queued: 2, maxWaitMs: 60_000, maxRetryAfterSeconds: 5 },
  arrivals: { inFlight: 2, reserved: 1, borrowBelow: 3, queued: 1, maxWaitMs: 60_000, maxRetryAfterSeconds: 30 },
};

const admitted = (a: Admission | Promise<Admission>) => {
  if (a instanceof Promise || !a.admitted) throw new Error('not admitted at once');
  return a;
};

describe('admission by class', () => {
  it('lets a lower class borrow only what the higher ones leave, beyond its own reserved share', () => {
    const control = new AdmissionControl({ limits });
    admitted(control.admit('arrivals')); // its reserved one
    admitted(control.admit('arrivals')); // borrowed: 1 in flight in all, under 3
    const third = control.admit('arrivals'); // its class is full: waits
    expect(third).toBeInstanceOf(Promise);
    // Buyers still start at once, whatever the joins do.
    for (let i = 0; i < 4; i++) admitted(control.admit('buyers'));
    expect(control.snapshot()).toMatchObject({ buyers: { inFlight: 4 }, arrivals: { inFlight: 2, queued: 1 } });
  });

  it('refuses at once when a class queue is full, with a Retry-After of at least a second', () => {
    const control = new AdmissionControl({ limits });
    admitted(control.admit('arrivals'));
    admitted(control.admit('arrivals'));
    void control.admit('arrivals'); // the one queued place
    const refused = control.admit('arrivals');
    expect(refused).toEqual({ admitted: false, retryAfterSeconds: expect.any(Number) });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('gives a freed slot to the waiting call of the highest class first', async () => {
    // Polls and joins may borrow under the same mark: which one a freed slot goes to is the order alone.
    const control = new AdmissionControl({ limits: { ...limits, arrivals: { ...limits.arrivals, borrowBelow: 5, queued: 5 } } });
    const buyers = Array.from({ length: 4 }, () => admitted(control.admit('buyers')));
    admitted(control.admit('waiting')); // reserved
    admitted(control.admit('arrivals')); // reserved: 6 in flight in all
    const started: string[] = [];
    const join = Promise.resolve(control.admit('arrivals')).then((a) => (started.push('arrivals'), a));
    const poll = Promise.resolve(control.admit('waiting')).then((a) => (started.push('waiting'), a));
    expect(control.snapshot()).toMatchObject({ waiting: { queued: 1 }, arrivals: { queued: 1 } });
    buyers[0]!.release(); // 5 in flight: neither may borrow yet
    buyers[1]!.release(); // 4: one may, and it is the poll, though the join asked first
    await poll;
    expect(control.snapshot()).toMatchObject({ waiting: { inFlight: 2 }, arrivals: { inFlight: 1, queued: 1 } });
    buyers[2]!.release();
    await join;
    expect(started).toEqual(['waiting', 'arrivals']);
  });

  it('refuses a waiting call after its class waits too long, and when its client goes away', async () => {
    const control = new AdmissionControl({ limits: { ...limits, arrivals: { ...limits.arrivals, maxWaitMs: 10, queued: 5 } } });
    admitted(control.admit('arrivals'));
    admitted(control.admit('arrivals'));
    expect(await control.admit('arrivals')).toMatchObject({ admitted: false });
    const gone = new AbortController();
    const waiting = control.admit('arrivals', gone.signal);
    gone.abort();
    expect(await waiting).toMatchObject({ admitted: false });
    expect(control.snapshot().arrivals.queued).toBe(0);
  });

  it('lets only reserved shares start, and queues none below the buyers, while the process lags', () => {
    let lagging = false;
    const control = new AdmissionControl({ limits, lagging: () => lagging });
    admitted(control.admit('waiting'));
    lagging = true;
    expect(control.admit('waiting')).toMatchObject({ admitted: false });
    admitted(control.admit('arrivals')); // its reserved one
    expect(control.admit('arrivals')).toMatchObject({ admitted: false });
    admitted(control.admit('buyers'));
  });

  it('spreads the Retry-After of a crowd it sends away over the class rate, up to its cap', () => {
    let now = 0;
    const control = new AdmissionControl({
      limits: { ...limits, arrivals: { ...limits.arrivals, queued: 0 } },
      now: () => now,
      minRatePerSecond: 5,
    });
    const slots = [admitted(control.admit('arrivals')), admitted(control.admit('arrivals'))];
    // Ten joins a second finished over the last second.
    for (let i = 0; i < 10; i++) {
      slots.pop()?.release();
      slots.push(admitted(control.admit('arrivals')));
    }
    now = 1_000;
    const waits = Array.from({ length: 400 }, () => (control.admit('arrivals') as { retryAfterSeconds: number }).retryAfterSeconds);
    expect(waits[0]).toBe(1);
    expect(waits.filter((w) => w === 1).length).toBeLessThan(15);
    expect(Math.max(...waits)).toBe(limits.arrivals.maxRetryAfterSeconds);
    expect([...waits].sort((a, b) => a - b)).toEqual(waits); // the later refused, the later back
  });

  it('spreads a crowd refused before any rate is measured at the least assumed rate, not at once to the cap', () => {
    const control = new AdmissionControl({ limits: { ...limits, arrivals: { ...limits.arrivals, queued: 0 } }, minRatePerSecond: 50 });
    admitted(control.admit('arrivals'));
    admitted(control.admit('arrivals'));
    const waits = Array.from({ length: 400 }, () => (control.admit('arrivals') as { retryAfterSeconds: number }).retryAfterSeconds);
    // 400 refusals at 50 a second: spread over 8 s, the first 50 back within a second.
    expect(waits.filter((w) => w === 1).length).toBeGreaterThanOrEqual(49);
    expect(Math.max(...waits)).toBe(8);
  });
});

/** Credentials that prove what `proves` says. */
const proving =
  (proves: { fan: boolean; turn: boolean; operator: boolean }): Credentials =>
  (need) =>
    proves[need];

describe('procedure policies', () => {
  it('name every procedure of the router, and none it does not have', () => {
    const procedures = Object.keys(appRouter._def.procedures as Record<string, unknown>).sort();
    expect(Object.keys(PROCEDURE_POLICIES).sort()).toEqual(procedures);
  });

  it('rank admitted fans first, polls next, joins last; a batch by its lowest call', () => {
    const fan = proving({ fan: true, turn: true, operator: false });
    expect(policyOf('payment.pay', fan).priority).toBe('buyers');
    expect(policyOf('queue.status', fan).priority).toBe('waiting');
    expect(policyOf('queue.issue', fan).priority).toBe('arrivals');
    expect(policyOf('session.me,concert.seats', fan).priority).toBe('waiting');
    expect(policyOf('concert.seats,session.start', fan).priority).toBe('arrivals');
    expect(policyOf('no.such', fan)).toMatchObject({ priority: 'arrivals', bodyBytes: DEFAULT_BODY_BYTES });
  });

  it('check no signature for a procedure that needs none, and each one a call needs', () => {
    const asked: string[] = [];
    const ask: Credentials = (need) => (asked.push(need), true);
    expect(policyOf('session.start', ask).priority).toBe('arrivals');
    expect(asked).toEqual([]);
    expect(policyOf('order.list,admin.sale.list', ask).priority).toBe('buyers');
    expect(asked).toEqual(['fan', 'operator']);
  });

  it('give a call no better than a join, nor a larger body, when its caller lacks what the procedure needs', () => {
    const stranger = { fan: false, turn: false, operator: false };

    expect(policyOf('order.hold', proving(stranger)).priority).toBe('arrivals');
    expect(policyOf('order.hold', proving({ fan: true, turn: false, operator: false })).priority).toBe('arrivals');
    expect(policyOf('order.list', proving({ fan: true, turn: false, operator: false })).priority).toBe('buyers');
    expect(policyOf('admin.concert.create', proving(stranger))).toMatchObject({ priority: 'arrivals', bodyBytes: DEFAULT_BODY_BYTES });
    expect(policyOf('admin.concert.create', proving({ ...stranger, operator: true }))).toMatchObject({
      priority: 'buyers',
      bodyBytes: MAX_BODY_BYTES,
    });
  });
});
