'use client';

import { trpc } from '@/app/_trpc/client';
import type { DoorAnswer, DoorTicket, LocalEntry, UploadResult } from './door-contract';

export interface DoorDate {
  scheduleId: number;
  concertTitle: string;
  venue: string;
  startsAt: string;
  tickets: number;
  admitted: number;
}

export type CheckInInput =
  { scheduleId: number; gate: string; qr: string } | { scheduleId: number; gate: string; reference: string; holderChecked: true };

/** The door's procedures (docs/tickets-and-door.md), as this page calls them. */
export interface DoorProcedures {
  doorDates: { query: () => Promise<DoorDate[]> };
  lookup: { query: (input: { scheduleId: number; code: string }) => Promise<{ tickets: DoorTicket[] }> };
  checkIn: { mutate: (input: CheckInInput) => Promise<DoorAnswer> };
  undoEntry: { mutate: (input: { reference: string; reason: string }) => Promise<DoorTicket> };
  doorList: { query: (input: { scheduleId: number }) => Promise<{ payload: string; signature: string; keyId: string }> };
  publicKey: { query: () => Promise<{ algorithm: 'Ed25519'; keyId: string; publicKey: string }> };
  uploadEntries: {
    mutate: (input: {
      deviceId: string;
      entries: ({ localId: string; scheduleId: number; gate: string; scannedAt: string } & ({ qr: string } | { reference: string }))[];
    }) => Promise<{ results: UploadResult[] }>;
  };
  doorCount: { query: (input: { scheduleId: number }) => Promise<{ admitted: number; tickets: number }> };
}

/** The door's procedures through the page's tRPC client (no cache: every check is a fresh call). */
export function useDoorApi(): DoorProcedures {
  const utils = trpc.useUtils();
  return (utils.client as unknown as { ticket: DoorProcedures }).ticket;
}

/** An offline entry as `ticket.uploadEntries` takes it: by its QR when scanned, else by reference. */
export const uploadable = ({ localId, scheduleId, gate, scannedAt, qr, reference }: LocalEntry) => ({
  localId,
  scheduleId,
  gate,
  scannedAt,
  ...(qr !== undefined ? { qr } : { reference }),
});
