-- A hold that has not run out at p_at: `held` with `held_until` ahead (server/reservation/rules.ts
-- `liveHold`; `effectiveStatus` is 'held'). One IMMUTABLE SQL expression, so the planner inlines it
-- into the query that calls it: no call at run time, and the query's indexes serve it as before.
CREATE OR REPLACE FUNCTION is_live_hold(p_status text, p_held_until timestamptz, p_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_status = 'held' AND p_held_until > p_at
$$;
