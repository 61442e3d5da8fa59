/**
 * Per-seat tickets as the API gives them (docs/tickets-and-door.md). Written from the contract until
 * the ticket procedures land on main; then these become inferRouterOutputs<AppRouter>.
 */
export type TicketState = 'valid' | 'offered' | 'used' | 'transferred' | 'refunded';

export interface TicketSummary {
  reference: string;
  seatId: number;
  seat: string;
  price: number;
  state: TicketState;
  holderName: string;
  transfer: { toEmail: string; expiresAt: string } | null;
  entry: { at: string; gate: string } | null;
}

export interface TicketDetail extends TicketSummary {
  bookingCode: string;
  orderId: number | null;
  concertTitle: string;
  venue: string;
  startsAt: string;
  scheduleId: number;
  qr: string | null;
  canTransfer: boolean;
  canRefund: boolean;
}

/** One group of `ticket.mine`: an order's tickets, or (orderId null) the tickets received from one order. */
export interface TicketGroup {
  orderId: number | null;
  bookingCode: string;
  concertTitle: string;
  venue: string;
  startsAt: string;
  tickets: TicketSummary[];
}

export interface TransferResult {
  outcome: 'transferred' | 'offered';
  reference: string;
  toEmail: string;
  expiresAt?: string;
}

/** A ticket's own page: what a fan shows at the door. */
export const ticketPath = (reference: string) => `/ticket/${encodeURIComponent(reference)}`;

/** Tickets the fan still holds: what a refund of their order would cover. */
export const stillHeld = (tickets: TicketSummary[]) => tickets.filter((t) => t.state === 'valid' || t.state === 'offered');
