import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';

/**
 * The door's procedures' answers (docs/tickets-and-door.md) as the page uses them, and what a device
 * keeps and decides offline in the same shapes.
 */
type Outputs = inferRouterOutputs<AppRouter>['ticket'];

export type DoorDate = Outputs['doorDates'][number];
type ServerDoorTicket = Outputs['lookup']['tickets'][number];
export type TicketState = ServerDoorTicket['state'];
export type RefusalReason = Extract<Outputs['checkIn'], { outcome: 'refused' }>['reason'];
export type UploadResult = Outputs['uploadEntries']['results'][number];

/** An entry as the server tells it, or as the signed list and this device know it (when and where only). */
export interface DoorEntry {
  at: string;
  gate: string;
  operatorName?: string;
  source?: 'online' | 'offline';
}

export type DoorTicket = Omit<ServerDoorTicket, 'entry'> & { entry: DoorEntry | null };

/** `ticket.checkIn`'s answer, or the same answer made by this device offline. */
export type DoorAnswer =
  | { outcome: 'admitted'; ticket: DoorTicket }
  | { outcome: 'already_used'; ticket: DoorTicket }
  | { outcome: 'refused'; reason: RefusalReason; ticket: DoorTicket | null };

/** One ticket of the signed door list (`ticket.doorList`'s payload). */
export interface ListedTicket {
  reference: string;
  serial: number;
  seatId: number;
  seat: string;
  holderName: string;
  state: TicketState;
  entry: { at: string; gate: string } | null;
}

/** `ticket.doorList`'s payload, once its signature checked and it is parsed. */
export interface DoorListPayload {
  version: 1;
  scheduleId: number;
  concertTitle: string;
  startsAt: string;
  generatedAt: string;
  tickets: ListedTicket[];
}

/** An entry this device let in while offline, kept until it is uploaded (and after, as its memory). */
export interface LocalEntry {
  localId: string;
  scheduleId: number;
  gate: string;
  /** The scanned QR, or absent when let in by reference after checking the name. */
  qr?: string;
  reference: string;
  scannedAt: string;
  /** The server has it (any answer): no longer sent, still this device's memory of whom it let in. */
  uploaded?: boolean;
}
