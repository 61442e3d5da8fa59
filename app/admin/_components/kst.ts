/**
 * The console's times are Korea time (KST, UTC+9, no daylight saving), as the concerts are: a
 * `datetime-local` input's value is read and written as KST whatever the operator's own time zone.
 */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** `2026-12-24T19:00` (KST) for a `datetime-local` input. */
export const toKstInput = (at: Date | string | number) => new Date(new Date(at).getTime() + KST_OFFSET_MS).toISOString().slice(0, 16);

/** ISO-8601 with the KST offset for the API; anything else is passed on for the API to refuse. */
export const fromKstInput = (value: string) => (LOCAL_INPUT.test(value) ? `${value}:00+09:00` : value);

/** A KST input `minutes` from now, rounded up to the next whole minute. */
export const kstInputIn = (minutes: number) => toKstInput(Math.ceil((Date.now() + minutes * 60_000) / 60_000) * 60_000);

const KST_CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Seoul' });
/** `19:02`: a time of the show's day in Korea time (the door's entries). */
export const kstClock = (at: Date | string | number) => KST_CLOCK.format(new Date(at));
