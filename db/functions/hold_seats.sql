-- A hold in one round trip: `hold_seats` does what server/order/hold.ts did in a
-- transaction of nine statements, in the same lock order (users → seats ascending → reservations →
-- queue_tokens; db/schema.ts) and with the same answers, so a hold costs one statement.
--
-- The rules it applies are the application's, each written once in SQL as a helper function that the
-- planner inlines: a live reservation (is_live_reservation, is_live_hold: server/reservation/rules.ts),
-- a running turn (is_running_turn: server/queue/rules.ts; a turn and its holds end at the latest
-- `admitted_at` + the turn's cap) and the limits (hold_limit_refusal). The configured numbers come in as
-- parameters (the cap is `turnCapSeconds`); server/rules-agreement.test.ts and server/order/hold.test.ts
-- check that these rules and the application's agree.
--
-- Returns one JSON object: `outcome` is `held` (a new order) or `existing` (the caller's own live order,
-- asked again) with the order, or the refusal: NOT_FOUND, MIXED_DATES, SEAT_UNAVAILABLE (with
-- `seatIds`), SESSION_REQUIRED, HOLD_LIMIT, PURCHASE_LIMIT. A turn that ended is SQLSTATE HLD01 (the
-- order and its reservations, already written, are rolled back with the statement).
CREATE OR REPLACE FUNCTION hold_seats(
	p_user_id uuid,
	p_token_id bigint,
	p_seat_ids integer[],
	p_hold_seconds integer,
	p_turn_cap_seconds integer,
	p_hold_max integer,
	p_purchase_max integer,
	p_own_seat_in_bigger_order boolean
) RETURNS json
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_wanted integer := cardinality(p_seat_ids);
	v_known integer;
	v_dates integer;
	v_schedule integer;
	v_concert integer;
	v_taken integer[];
	v_locked integer[];
	v_now timestamptz;
	v_mine integer[];
	v_mine_orders integer;
	v_mine_order bigint;
	v_ran_out bigint[];
	v_holds integer;
	v_refusal text;
	v_of_concert integer;
	v_order bigint;
	v_held_until timestamptz;
	v_total integer;
BEGIN
	-- Reads only, before any lock (no transaction id, nothing written): unknown seats, seats of a passed
	-- date, seats of several dates, and seats visibly taken by someone else.
	SELECT count(*), count(DISTINCT s.schedule_id), min(s.schedule_id), min(d.concert_id)
		INTO v_known, v_dates, v_schedule, v_concert
		FROM seats s JOIN schedules d ON d.id = s.schedule_id AND d.starts_at > now()
		WHERE s.id = ANY (p_seat_ids);
	IF v_known <> v_wanted THEN
		RETURN json_build_object('outcome', 'NOT_FOUND');
	END IF;
	IF v_dates <> 1 THEN
		RETURN json_build_object('outcome', 'MIXED_DATES');
	END IF;
	SELECT array_agg(r.seat_id ORDER BY r.seat_id) INTO v_taken
		FROM reservations r
		WHERE r.seat_id = ANY (p_seat_ids) AND is_live_reservation(r.status, r.held_until, now())
			AND NOT (r.status = 'held' AND r.user_id = p_user_id);
	IF v_taken IS NOT NULL THEN
		RETURN json_build_object('outcome', 'SEAT_UNAVAILABLE', 'seatIds', v_taken);
	END IF;

	-- The caller's row: one user's holds run one after another (limits, double clicks).
	PERFORM 1 FROM users WHERE id = p_user_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN json_build_object('outcome', 'SESSION_REQUIRED');
	END IF;

	-- The seats, ascending, never waiting: a seat someone is taking right now is not locked, and named.
	SELECT array_agg(l.id) INTO v_locked
		FROM (SELECT s.id FROM seats s WHERE s.id = ANY (p_seat_ids) ORDER BY s.id FOR UPDATE SKIP LOCKED) l;
	IF coalesce(cardinality(v_locked), 0) <> v_wanted THEN
		RETURN json_build_object('outcome', 'SEAT_UNAVAILABLE', 'seatIds',
			(SELECT array_agg(w.id ORDER BY w.id) FROM unnest(p_seat_ids) w(id) WHERE NOT (w.id = ANY (coalesce(v_locked, '{}')))));
	END IF;

	-- Who occupies them now (this statement's snapshot is taken after the locks), on the database's clock.
	v_now := clock_timestamp();
	SELECT
		array_agg(r.seat_id ORDER BY r.seat_id) FILTER (WHERE r.status = 'confirmed' OR (is_live_hold(r.status, r.held_until, v_now) AND r.user_id <> p_user_id)),
		array_agg(r.seat_id ORDER BY r.seat_id) FILTER (WHERE is_live_hold(r.status, r.held_until, v_now) AND r.user_id = p_user_id),
		count(DISTINCT r.order_id) FILTER (WHERE is_live_hold(r.status, r.held_until, v_now) AND r.user_id = p_user_id),
		min(r.order_id) FILTER (WHERE is_live_hold(r.status, r.held_until, v_now) AND r.user_id = p_user_id),
		array_agg(r.id) FILTER (WHERE r.status = 'held' AND NOT is_live_hold(r.status, r.held_until, v_now))
		INTO v_taken, v_mine, v_mine_orders, v_mine_order, v_ran_out
		FROM reservations r
		WHERE r.seat_id = ANY (p_seat_ids) AND r.status IN ('held', 'confirmed');
	IF v_taken IS NULL AND cardinality(v_mine) = v_wanted AND v_mine_orders = 1
		AND (p_own_seat_in_bigger_order OR (SELECT count(*) FROM reservations r WHERE r.order_id = v_mine_order) = v_wanted) THEN
		-- Asked again (a double click, a retry): the caller's own live order.
		RETURN (SELECT json_build_object('outcome', 'existing', 'orderId', o.id, 'heldUntil', o.held_until, 'total', o.total,
				'seats', (SELECT json_agg(json_build_object('seatId', s.id, 'reservationId', r.id, 'section', s.section, 'row', s.row,
					'number', s.number, 'price', r.price) ORDER BY s.id)
					FROM reservations r JOIN seats s ON s.id = r.seat_id WHERE r.order_id = o.id))
			FROM orders o WHERE o.id = v_mine_order);
	END IF;
	IF v_taken IS NOT NULL OR v_mine IS NOT NULL THEN
		-- One seat, one order: a seat the caller holds in another order is taken too.
		RETURN json_build_object('outcome', 'SEAT_UNAVAILABLE', 'seatIds',
			(SELECT array_agg(t ORDER BY t) FROM unnest(coalesce(v_taken, '{}') || coalesce(v_mine, '{}')) t));
	END IF;

	-- The caller's limits, counted under their row lock: seats held at once, and seats held and bought
	-- of this concert (all its dates).
	SELECT count(*) FILTER (WHERE r.status = 'held'), count(*) FILTER (WHERE d.concert_id = v_concert)
		INTO v_holds, v_of_concert
		FROM reservations r JOIN schedules d ON d.id = r.schedule_id
		WHERE r.user_id = p_user_id AND is_live_reservation(r.status, r.held_until, v_now);
	v_refusal := hold_limit_refusal(v_holds, v_of_concert, v_wanted, p_hold_max, p_purchase_max);
	IF v_refusal IS NOT NULL THEN
		RETURN json_build_object('outcome', v_refusal);
	END IF;

	-- Holds of these seats that ran out: marked so, which frees each seat's one live place.
	IF v_ran_out IS NOT NULL THEN
		UPDATE reservations SET status = 'expired', updated_at = now() WHERE id = ANY (v_ran_out);
	END IF;

	-- A hold never outlives the turn it was made in.
	SELECT least(v_now + make_interval(secs => p_hold_seconds),
			(SELECT t.admitted_at + make_interval(secs => p_turn_cap_seconds) FROM queue_tokens t WHERE t.id = p_token_id)),
		(SELECT sum(s.price) FROM seats s WHERE s.id = ANY (p_seat_ids))
		INTO v_held_until, v_total;
	INSERT INTO orders (user_id, schedule_id, total, status, held_until)
		VALUES (p_user_id, v_schedule, v_total, 'held', v_held_until)
		RETURNING id INTO v_order;
	INSERT INTO reservations (user_id, order_id, seat_id, schedule_id, price, status, held_until)
		SELECT p_user_id, v_order, s.id, s.schedule_id, s.price, 'held', v_held_until
		FROM seats s WHERE s.id = ANY (p_seat_ids) ORDER BY s.id;

	-- The turn lasts until the hold runs out, up to its cap; a turn that ended holds nothing.
	UPDATE queue_tokens t
		SET expires_at = least(greatest(t.expires_at, v_held_until), t.admitted_at + make_interval(secs => p_turn_cap_seconds))
		WHERE t.id = p_token_id AND is_running_turn(t.status, t.expires_at, clock_timestamp());
	IF NOT FOUND THEN
		RAISE EXCEPTION 'the turn has ended' USING ERRCODE = 'HLD01';
	END IF;

	RETURN json_build_object('outcome', 'held', 'scheduleId', v_schedule, 'orderId', v_order, 'heldUntil', v_held_until, 'total', v_total,
		'seats', (SELECT json_agg(json_build_object('seatId', s.id, 'reservationId', r.id, 'section', s.section, 'row', s.row,
			'number', s.number, 'price', r.price) ORDER BY s.id)
			FROM reservations r JOIN seats s ON s.id = r.seat_id WHERE r.order_id = v_order));
END;
$$;
