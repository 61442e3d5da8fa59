import type { LocalEntry, UploadResult } from './door-contract';

/**
 * What a door device keeps in its localStorage: its id, its gate, the signed list of each date it
 * prepared (kept as downloaded, signature and key beside it, so it is checked again when read), and
 * the entries it made offline until the server has them.
 */
const KEYS = {
  device: 'door.deviceId',
  gate: 'door.gate',
  date: 'door.scheduleId',
  list: (scheduleId: number) => `door.list.${scheduleId}`,
  entries: 'door.entries',
  results: 'door.uploadResults',
};

function read<T>(key: string, fallback: T): T {
  try {
    const text = localStorage.getItem(key);
    return text === null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}
const write = (key: string, value: unknown) => localStorage.setItem(key, JSON.stringify(value));

/** This device's id: random, made once. */
export function deviceId(): string {
  let id = read<string | null>(KEYS.device, null);
  if (!id) {
    id = `door-${crypto.randomUUID()}`;
    write(KEYS.device, id);
  }
  return id;
}

export const storedGate = () => read(KEYS.gate, '');
export const storeGate = (gate: string) => write(KEYS.gate, gate);
export const storedDate = () => read<number | null>(KEYS.date, null);
export const storeDate = (scheduleId: number | null) => write(KEYS.date, scheduleId);

export interface StoredList {
  list: { payload: string; signature: string; keyId: string };
  key: { publicKey: string; keyId: string };
  /** What the page says of it, read once its signature checked. */
  summary: { concertTitle: string; tickets: number; generatedAt: string };
  preparedAt: string;
}
export const storedList = (scheduleId: number) => read<StoredList | null>(KEYS.list(scheduleId), null);
export const storeList = (scheduleId: number, list: StoredList) => write(KEYS.list(scheduleId), list);

/** Entries made offline and not yet accepted by an upload. */
export const storedEntries = () => read<LocalEntry[]>(KEYS.entries, []);
export const storeEntries = (entries: LocalEntry[]) => write(KEYS.entries, entries);

/** The last upload's answers, with the entries they answer (a double entry names both). */
export interface UploadReport {
  at: string;
  results: (UploadResult & { entry: LocalEntry | undefined })[];
}
export const storedReport = () => read<UploadReport | null>(KEYS.results, null);
export const storeReport = (report: UploadReport) => write(KEYS.results, report);
