-- Pays the caller's held order from the wallet, in one statement (server/order/pay.ts documents the
-- rules). Locks, in the documented order: [idempotency_keys: the key claimed first] → orders →
-- seats (ascending) → reservations → [tickets: inserted] → wallets → queue_tokens (ends the turn: the trigger records the
-- freed slot for the next admission pass). The order is p_order_id, or the order of the caller's
-- reservation p_reservation_id (payment.pay, which is answered with the reservation's id). A paid
-- order is answered with its first payment and moves nothing. Whether a hold is live is is_live_hold's rule. A refusal raises (pay_order_refuse),
-- so nothing of the call stays, its idempotency key included. p_codes: fresh booking codes to try in
-- turn (a clash with an existing code tries the next).
CREATE OR REPLACE FUNCTION pay_order(
	p_user uuid,
	p_order_id bigint,
	p_reservation_id bigint,
	p_key text,
	p_request_hash text,
	p_codes text[]
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_order_id bigint := p_order_id;
	v_key record;
	o record;
	v_now timestamptz;
	v_seats integer;
	v_held integer;
	v_single bigint;
	v_balance integer;
	v_payment_id bigint;
	v_code text;
	v_turn_ended boolean := false;
	v_first boolean := true;
	v_result jsonb;
	v_i integer;
BEGIN
	IF p_key IS NOT NULL THEN
		-- A concurrent call with the same key waits here until the first commits (then replays it) or rolls back.
		INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES (p_user, p_key, p_request_hash) ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			SELECT request_hash, response INTO v_key FROM idempotency_keys WHERE user_id = p_user AND key = p_key;
			IF NOT FOUND OR v_key.response IS NULL THEN
				RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'idempotency key changed under a claim';
			END IF;
			IF v_key.request_hash <> p_request_hash THEN
				PERFORM pay_order_refuse('IDEMPOTENCY_KEY_REUSED');
			END IF;
			RETURN jsonb_build_object('result', v_key.response, 'first', false, 'turnEnded', false, 'concertId', NULL, 'scheduleId', NULL);
		END IF;
	END IF;
	IF v_order_id IS NULL THEN
		SELECT r.order_id INTO v_order_id FROM reservations r WHERE r.id = p_reservation_id AND r.user_id = p_user;
		IF NOT FOUND THEN
			PERFORM pay_order_refuse('NOT_FOUND', '{"what": "reservation"}');
		END IF;
	END IF;
	SELECT ord.status, ord.held_until, ord.total, ord.booking_code, ord.schedule_id, sc.concert_id INTO o
	FROM orders ord JOIN schedules sc ON sc.id = ord.schedule_id
	WHERE ord.id = v_order_id AND ord.user_id = p_user
	FOR UPDATE OF ord;
	IF NOT FOUND THEN
		PERFORM pay_order_refuse('NOT_FOUND', '{"what": "order"}');
	END IF;
	-- The clock after the lock wait: a hold that ran out meanwhile is expired.
	v_now := clock_timestamp();
	IF o.status = 'refunded' THEN
		PERFORM pay_order_refuse('RESERVATION_EXPIRED', '{"why": "refunded"}');
	ELSIF o.status = 'cancelled' THEN
		PERFORM pay_order_refuse('RESERVATION_EXPIRED', '{"why": "cancelled"}');
	ELSIF o.status <> 'confirmed' AND NOT is_live_hold(o.status, o.held_until, v_now) THEN
		PERFORM pay_order_refuse('RESERVATION_EXPIRED', '{"why": "expired"}');
	END IF;

	IF o.status = 'confirmed' THEN
		-- Paid already: the first payment, with the balance right after it (its ledger entry's).
		v_first := false;
		v_code := o.booking_code;
		SELECT p.id, l.balance_after INTO v_payment_id, v_balance
		FROM payments p JOIN ledger_entries l ON l.user_id = p.user_id AND l.payment_id = p.id AND l.kind = 'payment'
		WHERE p.order_id = v_order_id AND p.user_id = p_user;
	ELSE
		PERFORM 1 FROM seats WHERE id IN (SELECT seat_id FROM reservations WHERE order_id = v_order_id) ORDER BY id FOR UPDATE;
		SELECT count(*), count(*) FILTER (WHERE is_live_hold(locked.status, locked.held_until, clock_timestamp())), min(locked.id)
		INTO v_seats, v_held, v_single
		FROM (SELECT id, status, held_until FROM reservations WHERE order_id = v_order_id ORDER BY id FOR UPDATE) locked;
		IF v_held <> v_seats THEN
			PERFORM pay_order_refuse('RESERVATION_EXPIRED', '{"why": "expired"}');
		END IF;
		UPDATE wallets SET balance = balance - o.total, updated_at = now()
		WHERE user_id = p_user AND balance >= o.total
		RETURNING balance INTO v_balance;
		IF NOT FOUND THEN
			SELECT balance INTO v_balance FROM wallets WHERE user_id = p_user;
			PERFORM pay_order_refuse('INSUFFICIENT_BALANCE', jsonb_build_object(
				'balance', coalesce(v_balance, 0), 'price', o.total, 'shortfall', o.total - coalesce(v_balance, 0)));
		END IF;
		-- A one-seat order names its reservation too, as payments did before orders.
		INSERT INTO payments (order_id, reservation_id, user_id, amount)
		VALUES (v_order_id, CASE WHEN v_seats = 1 THEN v_single END, p_user, o.total)
		RETURNING id INTO v_payment_id;
		INSERT INTO ledger_entries (user_id, kind, amount, balance_after, payment_id)
		VALUES (p_user, 'payment', -o.total, v_balance, v_payment_id);
		UPDATE reservations SET status = 'confirmed', updated_at = now() WHERE order_id = v_order_id;
		FOR v_i IN 1..cardinality(p_codes) LOOP
			BEGIN
				UPDATE orders SET status = 'confirmed', booking_code = p_codes[v_i], updated_at = now() WHERE id = v_order_id;
				v_code := p_codes[v_i];
				EXIT;
			EXCEPTION WHEN unique_violation THEN
				IF v_i = cardinality(p_codes) THEN
					RAISE;
				END IF;
			END;
		END LOOP;
		-- One ticket per seat, numbered in seat order, held by the buyer (new rows: nobody waits for them).
		INSERT INTO tickets (reference, order_id, reservation_id, seat_id, schedule_id, holder_id)
		SELECT v_code || '-' || row_number() OVER (ORDER BY r.seat_id), v_order_id, r.id, r.seat_id, r.schedule_id, p_user
		FROM reservations r WHERE r.order_id = v_order_id;
		-- The turn in this concert's line ends once no other hold of the concert is left to pay.
		IF NOT EXISTS (
			SELECT 1 FROM reservations r JOIN schedules sc ON sc.id = r.schedule_id
			WHERE r.user_id = p_user AND is_live_hold(r.status, r.held_until, clock_timestamp()) AND sc.concert_id = o.concert_id
		) THEN
			UPDATE queue_tokens SET status = 'done', expires_at = now()
			WHERE user_id = p_user AND concert_id = o.concert_id AND status = 'active';
			v_turn_ended := FOUND;
		END IF;
	END IF;

	IF p_order_id IS NULL THEN
		v_result := jsonb_build_object('paymentId', v_payment_id, 'reservationId', p_reservation_id, 'amount', o.total, 'balance', v_balance);
	ELSE
		v_result := jsonb_build_object('orderId', v_order_id, 'bookingCode', v_code, 'paymentId', v_payment_id, 'amount', o.total, 'balance', v_balance);
	END IF;
	IF p_key IS NOT NULL THEN
		UPDATE idempotency_keys SET response = v_result WHERE user_id = p_user AND key = p_key;
	END IF;
	RETURN jsonb_build_object('result', v_result, 'first', v_first, 'turnEnded', v_turn_ended, 'concertId', o.concert_id,
		'scheduleId', o.schedule_id);
END $$;
