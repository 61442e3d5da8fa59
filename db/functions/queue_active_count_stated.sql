-- Writing queue_state.active_count outside the admission pass (a repair, a test fixture) states the
-- count: the line's pending changes are dropped with it. Trigger: queue_state_active_count_stated
-- (migration 0006).
CREATE OR REPLACE FUNCTION queue_active_count_stated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('queue.admitting', true) IS DISTINCT FROM 'on' THEN
		DELETE FROM queue_active_changes WHERE concert_id = NEW.concert_id;
	END IF;
	RETURN NULL;
END $$;
