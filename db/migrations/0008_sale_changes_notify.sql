-- A sale's state or settings changed (opened, paused, resumed, closed, sold out, reopened, a new cap
-- or turn length, new times): every app process's cached line state is forgotten at once
-- (server/queue/line-cache.ts LISTENs on queue_line), not up to a second later. Taking a place
-- (last_place) is not such a change: joins do not notify.
CREATE FUNCTION sales_notify_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('queue_line', NEW.concert_id::text);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sales_state_changed AFTER UPDATE ON sales FOR EACH ROW
	WHEN (
		OLD.closed_reason IS DISTINCT FROM NEW.closed_reason
		OR OLD.paused IS DISTINCT FROM NEW.paused
		OR OLD.opened_at IS DISTINCT FROM NEW.opened_at
		OR OLD.opens_at IS DISTINCT FROM NEW.opens_at
		OR OLD.prequeue_opens_at IS DISTINCT FROM NEW.prequeue_opens_at
		OR OLD.max_active IS DISTINCT FROM NEW.max_active
		OR OLD.turn_seconds IS DISTINCT FROM NEW.turn_seconds
	)
	EXECUTE FUNCTION sales_notify_line();
