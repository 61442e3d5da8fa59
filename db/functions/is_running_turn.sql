-- An admitted turn still running at p_at: `active` with `expires_at` ahead (server/queue/rules.ts
-- `runningTurn`, `isRunningTurn`). Inlined like is_live_hold.
CREATE OR REPLACE FUNCTION is_running_turn(p_status text, p_expires_at timestamptz, p_at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_status = 'active' AND p_expires_at > p_at
$$;
