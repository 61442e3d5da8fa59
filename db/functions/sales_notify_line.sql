-- A sale's state or settings changed (opened, paused, resumed, closed, sold out, reopened, a new cap
-- or turn length, new times): every app process's cached line state is forgotten at once
-- (server/queue/line-cache.ts LISTENs on queue_line), not up to a second later. Taking a place
-- (the line's place sequence) is not such a change: joins do not notify. Trigger: sales_state_changed (migration 0008).
CREATE OR REPLACE FUNCTION sales_notify_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('queue_line', NEW.concert_id::text);
	RETURN NULL;
END $$;
