-- A joiner's place in an opened line: the line's sequence's next number. nextval never waits and is
-- not undone by a rollback, so joins of one line do not queue on each other. The join inserts its row
-- first and takes its number last (server/queue/issue.ts insertPlacedToken): a join refused by a unique
-- index takes none; one that fails after taking it (its connection lost) leaves a gap, which admission
-- skips (admit_line).
-- The joiner also holds, until its transaction ends, a shared advisory lock of the line (class
-- 7316021, the concert's id; shared locks never wait on each other): line_places_settled takes it
-- exclusively to wait for the joins in flight, so admission never passes over a place not yet
-- committed. Call it last in the join's transaction, and nothing slow after it.
CREATE OR REPLACE FUNCTION take_line_place(p_concert_id integer) RETURNS bigint LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock_shared(7316021, p_concert_id);
	SELECT nextval(line_place_sequence(p_concert_id)::regclass);
$$;
