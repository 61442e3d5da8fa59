'use client';

import { trpc } from '@/app/_trpc/client';
import type { LocalEntry } from './door-contract';

/** The door's procedures through the page's tRPC client: every check is a fresh call, never a cached one. */
export function useDoorApi() {
  return trpc.useUtils().client.ticket;
}
export type DoorProcedures = ReturnType<typeof useDoorApi>;

/** An offline entry as `ticket.uploadEntries` takes it: by its QR when scanned, else by reference. */
export const uploadable = ({ localId, scheduleId, gate, scannedAt, qr, reference }: LocalEntry) => ({
  localId,
  scheduleId,
  gate,
  scannedAt,
  // A typed reference is stored only after the steward checked the holder's name (door-lookup.tsx).
  ...(qr !== undefined ? { qr } : { reference: reference!, holderChecked: true as const }),
});
