-- Records a token's move into or out of `active` made outside an admission pass, as a row of
-- queue_active_changes (insert-only: no payment writes a row every payment shares); the pass
-- (admit_line) deletes its line's rows and adds them up into queue_state.active_count. The pass marks
-- itself with the transaction-local setting queue.admitting so that its own changes are applied
-- directly, not recorded. Triggers: queue_tokens_active_inserted/_changed/_deleted (migration 0006).
CREATE OR REPLACE FUNCTION queue_record_active_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('queue.admitting', true) = 'on' THEN
		RETURN NULL;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'active' THEN
		INSERT INTO queue_active_changes (concert_id, delta) VALUES (OLD.concert_id, -1);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status = 'active' THEN
		INSERT INTO queue_active_changes (concert_id, delta) VALUES (NEW.concert_id, 1);
	END IF;
	RETURN NULL;
END $$;
