-- A place sequence per line (edited by hand; drizzle-kit cannot express it): joins take their places
-- from `line_places_<concert_id>` (db/functions/take_line_place.sql) instead of the sale row's counter
-- `last_place`, which every join of a line locked until its commit. Each existing sale gets its
-- sequence, continuing after its last place; new sales get theirs from the trigger sales_line_places
-- (db/functions/sales_line_places.sql, applied after the migrations). The name is the one
-- line_place_sequence spells (that function does not exist yet while a migration runs).
-- The table lock keeps a join of a server still running the old code from taking a place between the
-- copy and the drop; once this commits, such a server's joins fail until it runs the new code.
LOCK TABLE "sales" IN EXCLUSIVE MODE;--> statement-breakpoint
DO $$
DECLARE
	s record;
BEGIN
	FOR s IN SELECT concert_id, last_place FROM sales LOOP
		EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I AS bigint MINVALUE 0 NO CYCLE', 'line_places_' || s.concert_id);
		PERFORM setval(quote_ident('line_places_' || s.concert_id)::regclass, s.last_place, true);
	END LOOP;
END $$;--> statement-breakpoint
ALTER TABLE "sales" DROP COLUMN "last_place";
