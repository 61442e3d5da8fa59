import { z } from 'zod';
import { attributionOf } from '@/server/audit/actor';
import { intId } from '@/server/ids';
import { operatorWithRole, publicProcedure, router, sessionProcedure } from '@/server/trpc/init';
import { refuseCrossSiteEvenForQueries } from '@/server/trpc/middleware/refuse-cross-site';
import { checkIn, doorCount, doorDates, lookupTickets, undoEntry } from './door';
import { myTicket, myTickets } from './fan';
import { doorList, MAX_UPLOAD_ENTRIES, uploadEntries } from './offline';
import { MAX_QR_LENGTH, normalizeTicketReference } from './qr';
import { verifyTicket } from './service';
import { ticketSigningKey } from './signing';
import { cancelOffer, transferTicket } from './transfer';

/** As typed or stored: normalised when it reads as a reference (any case), else kept (and not found). */
const reference = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((typed) => normalizeTicketReference(typed) ?? typed);
/** A gate's name: printable (no control or invisible formatting characters that could disguise it). */
const gate = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must be printable');
const DAY_MS = 86_400_000;
/** When an offline device let a ticket in: its clock, within a month before the upload and a day after. */
const scannedAt = z.iso
  .datetime()
  .pipe(z.coerce.date())
  .refine((at) => Math.abs(at.getTime() - Date.now() + 15 * DAY_MS) <= 16 * DAY_MS, 'must be within the last 30 days (or the next day)');
const qr = z.string().trim().min(1).max(MAX_QR_LENGTH);
const door = operatorWithRole('door').use(refuseCrossSiteEvenForQueries);
const dated = { scheduleId: intId, gate };

export const ticketRouter = router({
  /**
   * The console's "check a ticket": operators of any role, door up (fans get FORBIDDEN /
   * OPERATOR_REQUIRED). A query that writes: each check is an audit entry (the page calls it once per
   * check, never refetches it), so it is refused from another site like a mutation. It lets nobody in.
   */
  verify: door
    .input(z.object({ code: z.string().trim().min(1).max(100) }))
    .query(({ ctx, input }) => verifyTicket(ctx.db, ctx.config, { code: input.code }, attributionOf(ctx))),
  /** The service's Ed25519 public key: door devices check QR codes and ticket lists with it offline. */
  publicKey: publicProcedure.query(({ ctx }) => {
    const key = ticketSigningKey(ctx.config.SESSION_SECRET);
    return { algorithm: 'Ed25519' as const, keyId: key.keyId, publicKey: key.publicKeyRaw };
  }),

  /** The caller's tickets (bought, received, and given away), grouped by order. */
  mine: sessionProcedure.query(({ ctx }) => myTickets(ctx.db, { userId: ctx.userId })),
  get: sessionProcedure
    .input(z.object({ reference }))
    .query(({ ctx, input }) => myTicket(ctx.db, ctx.config, { userId: ctx.userId, reference: input.reference })),
  /** Passes one ticket to another account by email (an account only); `offerIfNoAccount` offers it to an address with none yet. */
  transfer: sessionProcedure
    .input(z.object({ reference, toEmail: z.email().max(254), offerIfNoAccount: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => transferTicket(ctx.db, ctx.config, { userId: ctx.userId, requestId: ctx.requestId, ...input })),
  cancelOffer: sessionProcedure.input(z.object({ reference })).mutation(async ({ ctx, input }) => {
    await cancelOffer(ctx.db, { userId: ctx.userId, reference: input.reference, requestId: ctx.requestId });
    return myTicket(ctx.db, ctx.config, { userId: ctx.userId, reference: input.reference });
  }),

  /** The dates a door may be working, with tickets and entries so far. */
  doorDates: door.query(({ ctx }) => doorDates(ctx.db)),
  /** A date's tickets by booking code or reference, to check the holder's name before letting in. */
  lookup: door
    .input(z.object({ scheduleId: intId, code: z.string().trim().min(1).max(40) }))
    .query(({ ctx, input }) => lookupTickets(ctx.db, input)),
  /** Lets a ticket in by its signed QR, or by reference once the holder's name was checked. */
  checkIn: door
    .input(z.union([z.object({ ...dated, qr }), z.object({ ...dated, reference, holderChecked: z.literal(true) })]))
    .mutation(({ ctx, input }) => checkIn(ctx.db, ctx.config.SESSION_SECRET, input, attributionOf(ctx))),
  /** A manager's undo of a mistaken scan, with its reason, on the record. */
  undoEntry: operatorWithRole('manager')
    .input(z.object({ reference, reason: z.string().trim().min(1).max(200) }))
    .mutation(({ ctx, input }) => undoEntry(ctx.db, input, attributionOf(ctx))),
  doorCount: door.input(z.object({ scheduleId: intId })).query(({ ctx, input }) => doorCount(ctx.db, input)),
  /** A date's tickets for a door device to work offline, signed with the tickets' key. */
  doorList: door.input(z.object({ scheduleId: intId })).query(({ ctx, input }) => doorList(ctx.db, ctx.config.SESSION_SECRET, input)),
  /** An offline device's entries: recorded, or reported (double entries, refusals). */
  uploadEntries: door
    .input(
      z.object({
        deviceId: z.string().trim().min(8).max(64),
        entries: z
          .array(
            z.union([
              z.object({ localId: z.string().min(1).max(64), ...dated, scannedAt, qr }),
              z.object({ localId: z.string().min(1).max(64), ...dated, scannedAt, reference }),
            ]),
          )
          .max(MAX_UPLOAD_ENTRIES),
      }),
    )
    .mutation(({ ctx, input }) => uploadEntries(ctx.db, ctx.config.SESSION_SECRET, input, attributionOf(ctx))),
});
