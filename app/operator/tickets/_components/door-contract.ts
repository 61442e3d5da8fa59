/**
 * The door's procedures as the page uses them (docs/tickets-and-door.md). Written from the contract
 * while the server side was being built; the shapes the offline list and the local decision share.
 */

export type RefusalReason = 'FORGED' | 'OTHER_DATE' | 'OLD_QR' | 'REFUNDED' | 'OFFERED' | 'UNKNOWN';
export const REFUSAL_REASONS: readonly RefusalReason[] = ['FORGED', 'OTHER_DATE', 'OLD_QR', 'REFUNDED', 'OFFERED', 'UNKNOWN'];

export type TicketState = 'valid' | 'offered' | 'used' | 'transferred' | 'refunded';

export interface DoorEntry {
  at: string;
  gate: string;
  operatorName?: string | null;
  source?: string | null;
}

export interface DoorTicket {
  reference: string;
  scheduleId: number;
  seat: string;
  holderName: string;
  state: TicketState;
  entry: DoorEntry | null;
}

export type DoorAnswer =
  | { outcome: 'admitted'; ticket: DoorTicket }
  | { outcome: 'already_used'; ticket: DoorTicket }
  | { outcome: 'refused'; reason: RefusalReason; ticket: DoorTicket | null };

/** One ticket of the signed door list. */
export interface ListedTicket {
  reference: string;
  serial: number;
  seatId: number;
  seat: string;
  holderName: string;
  state: TicketState;
  entry: DoorEntry | null;
}

/** `ticket.doorList`'s payload, once parsed. */
export interface DoorListPayload {
  version: 1;
  scheduleId: number;
  concertTitle: string;
  startsAt: string;
  generatedAt: string;
  tickets: ListedTicket[];
}

/** An entry this device let in while offline, kept until it is uploaded. */
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

export type UploadOutcome = 'recorded' | 'already_recorded' | 'double_entry' | 'refused';

export interface UploadResult {
  localId: string;
  outcome: UploadOutcome;
  reason?: string;
  firstEntry?: DoorEntry | null;
}
