-- The name of a line's place sequence: one per sale (server/queue/router.ts explains the line's
-- places). Created with the sale (trigger sales_line_places), started again at the draw
-- (start_line_places), taken from by every join after the opening (take_line_place), read by
-- line_last_place. Migration 0016 spells the same name for the sales it found. The planner inlines it
-- into its callers (no call of its own); STABLE, not IMMUTABLE, so that it is inlined rather than run
-- once while planning a call with a constant concert.
CREATE OR REPLACE FUNCTION line_place_sequence(p_concert_id integer) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT 'line_places_' || p_concert_id
$$;
