-- A reservation that takes its seat at p_at: `confirmed`, or a live hold (server/reservation/rules.ts
-- `liveReservation`, `isLiveReservation`). It starts with the statuses of the partial indexes
-- (reservations_one_live_per_seat, reservations_live_by_schedule) so that they serve it. Inlined
-- like is_live_hold.
CREATE OR REPLACE FUNCTION is_live_reservation(p_status text, p_held_until timestamptz, p_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_status IN ('held', 'confirmed') AND (p_status = 'confirmed' OR is_live_hold(p_status, p_held_until, p_at))
$$;
