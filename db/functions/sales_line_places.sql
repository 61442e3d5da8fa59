-- Every sale has its line's place sequence (line_place_sequence): created with the sale, whatever
-- inserts it (createSale, the bench's and tests' SQL), and dropped with it. A sequence left by a
-- sale removed without its triggers (TRUNCATE) is started again from 0.
-- Trigger: sales_line_places, created here after the function (db/functions.ts).
CREATE OR REPLACE FUNCTION sales_line_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM start_line_places(NEW.concert_id, 0);
	ELSE
		EXECUTE format('DROP SEQUENCE IF EXISTS %I', line_place_sequence(OLD.concert_id));
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER sales_line_places AFTER INSERT OR DELETE ON sales
	FOR EACH ROW EXECUTE FUNCTION sales_line_places();
