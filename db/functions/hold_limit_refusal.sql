-- Whether a user may hold p_wanted more seats (server/reservation/rules.ts `holdLimitRefusal`):
-- `HOLD_LIMIT` when their live holds (all concerts) would pass p_hold_max (HOLD_MAX_PER_USER),
-- `PURCHASE_LIMIT` when their live reservations of the concert (held and bought, all its dates) would
-- pass p_purchase_max (PURCHASE_MAX_PER_USER), else null.
CREATE OR REPLACE FUNCTION hold_limit_refusal(
	p_holds integer,
	p_of_concert integer,
	p_wanted integer,
	p_hold_max integer,
	p_purchase_max integer
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN p_holds + p_wanted > p_hold_max THEN 'HOLD_LIMIT'
		WHEN p_of_concert + p_wanted > p_purchase_max THEN 'PURCHASE_LIMIT'
	END
$$;
