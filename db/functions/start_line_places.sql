-- Makes a line's next place p_after + 1: creates the line's place sequence if it is missing, and
-- sets it. Called when a sale is created (trigger sales_line_places, p_after 0) and by the draw,
-- inside its transaction while it holds the sale row FOR UPDATE (p_after = the places it drew), so
-- joiners, who take a place only once they see the opening committed, come after the drawn places.
-- setval is not transactional: a draw that rolls back leaves the sequence set, and the draw that then
-- commits sets it again; no place can be taken in between (the sale is not open yet).
-- CACHE 1 (the default): each nextval is the line's next number in the order joins ask for it; a
-- session's cache would hand out blocks, places out of arrival order and gaps when it ends.
CREATE OR REPLACE FUNCTION start_line_places(p_concert_id integer, p_after bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS bigint MINVALUE 0 NO CYCLE', line_place_sequence(p_concert_id));
	PERFORM setval(line_place_sequence(p_concert_id)::regclass, p_after, true);
END $$;
