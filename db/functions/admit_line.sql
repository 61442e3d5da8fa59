-- A line's admission pass (server/queue/admission.ts documents the rules; the rules of an open sale, a
-- live reservation and a running turn are the helpers sale_state, is_live_reservation, is_live_hold and
-- turn_ran_out). Locks the line's queue_state row (SKIP LOCKED unless
-- p_wait: a caller that finds a pass running returns at once with ran = false), then, in this one
-- statement: applies the pending changes of the count, expires ran-out turns, and while the sale
-- admits, someone waits and a seat is free, admits waiting tokens in place order into the free
-- slots, passing over (and expiring) places whose holders stopped polling. Admits no place beyond
-- line_places_settled (every place up to it committed, or a gap: a join that failed), so a place that
-- commits before an earlier one waits for it: exact place order. Notifies `queue_line`
-- when the line's state changed. sold_out: no seat is free or held (the caller marks the sale, whose
-- row comes before queue_state in the lock order).
CREATE OR REPLACE FUNCTION admit_line(
	p_concert_id integer,
	p_wait boolean,
	p_abandon_seconds integer,
	p_scan_slack integer,
	p_max_rounds integer,
	p_rate_window_seconds double precision
) RETURNS TABLE (ran boolean, admitted integer, sold_out boolean) LANGUAGE plpgsql AS $$
DECLARE
	st queue_state%ROWTYPE;
	sale sales%ROWTYPE;
	t_now timestamptz;
	v_changes integer;
	v_expired integer;
	v_active integer;
	v_free integer := 0;
	v_admitted integer := 0;
	v_through bigint;
	v_no_seat_free boolean := false;
	v_hold_ends timestamptz;
	v_sold_out boolean := false;
	v_next timestamptz;
	v_rate double precision;
	v_scan integer;
	v_read integer;
	v_chosen bigint[];
	v_abandoned bigint[];
	v_count integer;
	v_max_place bigint;
	v_free_seat integer;
	v_settled bigint;
	rec record;
BEGIN
	IF p_wait THEN
		SELECT * INTO st FROM queue_state WHERE concert_id = p_concert_id FOR UPDATE;
	ELSE
		SELECT * INTO st FROM queue_state WHERE concert_id = p_concert_id FOR UPDATE SKIP LOCKED;
	END IF;
	IF NOT FOUND THEN
		RETURN QUERY SELECT false, 0, false;
		RETURN;
	END IF;
	-- The clock once the lock is held, not when a caller that waited for it began.
	t_now := clock_timestamp();
	SELECT * INTO sale FROM sales WHERE concert_id = p_concert_id;
	PERFORM set_config('queue.admitting', 'on', true);

	WITH drained AS (DELETE FROM queue_active_changes WHERE concert_id = p_concert_id RETURNING delta)
	SELECT coalesce(sum(delta), 0) INTO v_changes FROM drained;
	UPDATE queue_tokens SET status = 'expired' WHERE concert_id = p_concert_id AND turn_ran_out(status, expires_at, t_now);
	GET DIAGNOSTICS v_expired = ROW_COUNT;
	v_active := st.active_count + v_changes - v_expired;
	v_through := st.admitted_through;

	-- Paused, closed or not yet drawn: turns still end, nobody is admitted (saleStateOf's 'open').
	IF sale.opened_at IS NOT NULL
		AND sale_state(sale.closed_reason, sale.paused, sale.prequeue_opens_at, sale.opens_at, t_now) = 'open' THEN
		v_free := sale.max_active - v_active;
	END IF;
	IF v_free > 0 AND EXISTS (
		SELECT 1 FROM queue_tokens WHERE concert_id = p_concert_id AND status = 'waiting' AND place IS NOT NULL
	) THEN
		-- Is one seat of a future date free? No count of the sale's seats: the first free one in id order
		-- from the one the last pass found (free_seat_hint; seats are mostly taken in order, so this is
		-- usually that seat or the next few), then before it.
		SELECT s.id INTO v_free_seat FROM seats s JOIN schedules sc ON sc.id = s.schedule_id
		WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now AND s.id >= coalesce(st.free_seat_hint, 0)
			AND NOT EXISTS (
				SELECT 1 FROM reservations r
				WHERE r.seat_id = s.id AND is_live_reservation(r.status, r.held_until, t_now))
		ORDER BY s.id LIMIT 1;
		IF v_free_seat IS NULL AND st.free_seat_hint IS NOT NULL THEN
			-- min(), not ORDER BY … LIMIT 1: here the seats before the hint are mostly taken, and a hash
			-- anti-join over them costs about half of probing them one by one in id order.
			SELECT min(s.id) INTO v_free_seat FROM seats s JOIN schedules sc ON sc.id = s.schedule_id
			WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now AND s.id < st.free_seat_hint
				AND NOT EXISTS (
					SELECT 1 FROM reservations r
					WHERE r.seat_id = s.id AND is_live_reservation(r.status, r.held_until, t_now));
		END IF;
		IF v_free_seat IS NULL THEN
			-- Admission stops while no seat is free; the earliest hold to run out may free one.
			v_no_seat_free := true;
			v_free := 0;
			SELECT min(r.held_until) INTO v_hold_ends
			FROM reservations r JOIN schedules sc ON sc.id = r.schedule_id
			WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now AND is_live_hold(r.status, r.held_until, t_now);
			v_sold_out := v_hold_ends IS NULL AND EXISTS (
				SELECT 1 FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now);
		END IF;
	END IF;

	IF v_free > 0 THEN
		-- Waits for the joins in flight (milliseconds); only when someone may be admitted.
		v_settled := line_places_settled(p_concert_id);
	END IF;
	FOR round IN 1..p_max_rounds LOOP
		EXIT WHEN v_free <= 0;
		v_scan := v_free + p_scan_slack;
		v_read := 0;
		v_chosen := '{}';
		v_abandoned := '{}';
		FOR rec IN
			SELECT id, last_seen_at >= t_now - make_interval(secs => p_abandon_seconds) AS present
			FROM queue_tokens WHERE concert_id = p_concert_id AND status = 'waiting' AND place IS NOT NULL AND place <= v_settled
			ORDER BY place LIMIT v_scan
		LOOP
			v_read := v_read + 1;
			IF rec.present THEN
				v_chosen := v_chosen || rec.id;
				EXIT WHEN cardinality(v_chosen) >= v_free;
			ELSE
				-- Given up: only places before the last one this pass reaches.
				v_abandoned := v_abandoned || rec.id;
			END IF;
		END LOOP;
		IF cardinality(v_abandoned) > 0 THEN
			UPDATE queue_tokens SET status = 'expired' WHERE id = ANY (v_abandoned) AND status = 'waiting';
		END IF;
		IF cardinality(v_chosen) > 0 THEN
			WITH admitted AS (
				UPDATE queue_tokens
				SET status = 'active', admitted_at = t_now, expires_at = t_now + make_interval(secs => sale.turn_seconds),
					turn_seconds = sale.turn_seconds
				WHERE id = ANY (v_chosen) AND status = 'waiting'
				RETURNING place)
			SELECT count(*), max(place) INTO v_count, v_max_place FROM admitted;
			v_admitted := v_admitted + v_count;
			v_free := v_free - v_count;
			v_through := greatest(v_through, v_max_place);
		END IF;
		EXIT WHEN v_read < v_scan; -- the whole line was read
	END LOOP;

	v_active := v_active + v_admitted;
	SELECT min(expires_at) INTO v_next FROM queue_tokens WHERE concert_id = p_concert_id AND status = 'active';
	IF v_hold_ends IS NOT NULL AND (v_next IS NULL OR v_hold_ends < v_next) THEN
		v_next := v_hold_ends;
	END IF;
	-- The admission rate, an exponentially weighted event rate over about p_rate_window_seconds: what
	-- was measured decays with the time since the last admission, and each fan admitted adds
	-- 1/window. Right however often passes run (one fan per pass after each payment, or a hundred at
	-- the opening).
	v_rate := st.admit_rate;
	IF v_admitted > 0 THEN
		v_rate := coalesce(st.admit_rate, 0)
				* exp(-extract(epoch FROM t_now - coalesce(st.last_admitted_at, t_now))::double precision / p_rate_window_seconds)
			+ v_admitted / p_rate_window_seconds;
	END IF;
	UPDATE queue_state SET
		admitted_through = v_through,
		active_count = v_active,
		next_expiry_at = v_next,
		no_seat_free = v_no_seat_free,
		free_seat_hint = coalesce(v_free_seat, free_seat_hint),
		last_admitted_at = CASE WHEN v_admitted > 0 THEN t_now ELSE last_admitted_at END,
		admit_rate = CASE WHEN v_admitted > 0 THEN v_rate ELSE admit_rate END
	WHERE concert_id = p_concert_id;
	IF (v_through, v_active, v_next, v_no_seat_free) IS DISTINCT FROM (st.admitted_through, st.active_count, st.next_expiry_at, st.no_seat_free) THEN
		PERFORM pg_notify('queue_line', p_concert_id::text);
	END IF;
	PERFORM set_config('queue.admitting', '', true);
	RETURN QUERY SELECT true, v_admitted, v_sold_out;
END $$;
