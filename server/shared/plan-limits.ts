/**
 * What a concert plan may hold (admin.concert.create, server/admin/concert.ts). No imports: the
 * console's form (app/admin) states the same ranges beside its fields.
 */
export const MAX_DATES = 20;
export const MAX_SECTIONS = 10;
/** Rows of one date's map, all sections together: A–Z, then AA, AB, … */
export const MAX_ROWS = 40;
export const MAX_SEATS_PER_ROW = 60;
export const MAX_SEATS_PER_DATE = 2_000;
/** The dearest seat, in won. */
export const MAX_SEAT_PRICE = 1_000_000;
export const MAX_TEXT_LENGTH = 100;
export const MAX_SECTION_NAME_LENGTH = 20;
/** How far ahead a show may be scheduled. */
export const MAX_DAYS_AHEAD = 2 * 365;
export const MAX_ACTIVE_LIMIT = 10_000;
export const MIN_TURN_SECONDS = 60;
export const MAX_TURN_SECONDS = 60 * 60;
