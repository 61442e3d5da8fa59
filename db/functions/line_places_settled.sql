-- The highest place of a line such that every place up to it is settled: its token committed, or its
-- join failed for good (a gap). Waits for the joins in flight (take_line_place holds the line's
-- advisory lock shared until each commits), reads the last number taken, and lets go at once: the
-- exclusive lock is taken in a subtransaction that is then rolled back, which releases it (joins
-- queue behind it only while it waits for those in flight, a few milliseconds). admit_line admits no
-- place beyond it, so admission stays in exact place order when a later place commits first.
CREATE OR REPLACE FUNCTION line_places_settled(p_concert_id integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	v_settled bigint;
BEGIN
	BEGIN
		PERFORM pg_advisory_xact_lock(7316021, p_concert_id);
		v_settled := line_last_place(p_concert_id);
		RAISE EXCEPTION USING ERRCODE = 'raise_exception', MESSAGE = 'line_places_settled: lets go of the lock';
	EXCEPTION WHEN raise_exception THEN
		NULL; -- v_settled keeps its value; the lock is gone with the subtransaction.
	END;
	RETURN v_settled;
END $$;
