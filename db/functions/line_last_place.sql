-- The last place handed out in a line: the drawn places, then every number joiners took, including
-- joins still in flight and the gaps of joins that failed (so the line's end as a count can only
-- overstate). 0 for a concert without a place sequence. No lock, one buffer read.
CREATE OR REPLACE FUNCTION line_last_place(p_concert_id integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT coalesce(pg_sequence_last_value(to_regclass(line_place_sequence(p_concert_id))), 0);
$$;
