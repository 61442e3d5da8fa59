-- An admitted turn whose time is up at p_at, not yet marked expired (server/queue/rules.ts
-- `turnRanOut`): `active` and not a running turn. Written as the range `expires_at <= p_at`, not as
-- NOT is_running_turn(…), so that the index on (concert_id, expires_at) WHERE status = 'active' serves
-- the admission pass's expiry; the agreement test holds the two together. Inlined like is_live_hold.
CREATE OR REPLACE FUNCTION turn_ran_out(p_status text, p_expires_at timestamptz, p_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_status = 'active' AND p_expires_at <= p_at
$$;
