CREATE TABLE "queue_active_changes" (
	"concert_id" integer NOT NULL,
	"delta" integer NOT NULL,
	CONSTRAINT "queue_active_changes_delta" CHECK ("queue_active_changes"."delta" BETWEEN -1 AND 1)
);
--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "free_seat_hint" integer;--> statement-breakpoint
CREATE INDEX "queue_active_changes_by_line" ON "queue_active_changes" USING btree ("concert_id");--> statement-breakpoint
-- Issue 12: admission without a lock across round trips, payment in one statement.
--
-- queue_state.active_count is kept exactly instead of counted by each admission pass. Every change of
-- a token into or out of `active` made outside the pass is recorded by a trigger as a row of
-- queue_active_changes (insert-only: no payment writes a row every payment shares); the pass, one
-- statement (admit_line), deletes its line's rows and adds them up into the count. The pass marks
-- itself with the transaction-local setting queue.admitting so that its own changes are applied
-- directly, not recorded. Writing active_count outside the pass (a repair, a test fixture) states the
-- count: the line's pending changes are dropped with it.
CREATE FUNCTION queue_record_active_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
--> statement-breakpoint
CREATE TRIGGER queue_tokens_active_inserted AFTER INSERT ON queue_tokens FOR EACH ROW
	WHEN (NEW.status = 'active') EXECUTE FUNCTION queue_record_active_change();
--> statement-breakpoint
CREATE TRIGGER queue_tokens_active_changed AFTER UPDATE OF status, concert_id ON queue_tokens FOR EACH ROW
	WHEN ((OLD.status = 'active') <> (NEW.status = 'active') OR (OLD.status = 'active' AND OLD.concert_id <> NEW.concert_id))
	EXECUTE FUNCTION queue_record_active_change();
--> statement-breakpoint
CREATE TRIGGER queue_tokens_active_deleted AFTER DELETE ON queue_tokens FOR EACH ROW
	WHEN (OLD.status = 'active') EXECUTE FUNCTION queue_record_active_change();
--> statement-breakpoint
CREATE FUNCTION queue_active_count_stated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('queue.admitting', true) IS DISTINCT FROM 'on' THEN
		DELETE FROM queue_active_changes WHERE concert_id = NEW.concert_id;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER queue_state_active_count_stated AFTER UPDATE OF active_count ON queue_state FOR EACH ROW
	EXECUTE FUNCTION queue_active_count_stated();
--> statement-breakpoint
UPDATE queue_state q SET active_count = (SELECT count(*) FROM queue_tokens t WHERE t.concert_id = q.concert_id AND t.status = 'active');
--> statement-breakpoint
-- A line's admission pass (server/queue/admission.ts documents the rules; the live-reservation rule
-- in SQL mirrors server/reservation/rules.ts). Locks the line's queue_state row (SKIP LOCKED unless
-- p_wait: a caller that finds a pass running returns at once with ran = false), then, in this one
-- statement: applies the pending changes of the count, expires ran-out turns, and while the sale
-- admits, someone waits and a seat is free, admits waiting tokens in place order into the free
-- slots, passing over (and expiring) places whose holders stopped polling. Notifies `queue_line`
-- when the line's state changed. sold_out: no seat is free or held (the caller marks the sale, whose
-- row comes before queue_state in the lock order).
CREATE FUNCTION admit_line(
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
	UPDATE queue_tokens SET status = 'expired' WHERE concert_id = p_concert_id AND status = 'active' AND expires_at <= t_now;
	GET DIAGNOSTICS v_expired = ROW_COUNT;
	v_active := st.active_count + v_changes - v_expired;
	v_through := st.admitted_through;

	-- Paused, closed or not yet drawn: turns still end, nobody is admitted (saleStateOf's 'open').
	IF sale.opened_at IS NOT NULL AND sale.closed_reason IS NULL AND NOT sale.paused
		AND t_now >= sale.prequeue_opens_at AND t_now >= sale.opens_at THEN
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
				WHERE r.seat_id = s.id AND r.status IN ('held', 'confirmed') AND (r.status = 'confirmed' OR r.held_until > t_now))
		ORDER BY s.id LIMIT 1;
		IF v_free_seat IS NULL AND st.free_seat_hint IS NOT NULL THEN
			-- min(), not ORDER BY … LIMIT 1: here the seats before the hint are mostly taken, and a hash
			-- anti-join over them costs about half of probing them one by one in id order.
			SELECT min(s.id) INTO v_free_seat FROM seats s JOIN schedules sc ON sc.id = s.schedule_id
			WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now AND s.id < st.free_seat_hint
				AND NOT EXISTS (
					SELECT 1 FROM reservations r
					WHERE r.seat_id = s.id AND r.status IN ('held', 'confirmed') AND (r.status = 'confirmed' OR r.held_until > t_now));
		END IF;
		IF v_free_seat IS NULL THEN
			-- Admission stops while no seat is free; the earliest hold to run out may free one.
			v_no_seat_free := true;
			v_free := 0;
			SELECT min(r.held_until) INTO v_hold_ends
			FROM reservations r JOIN schedules sc ON sc.id = r.schedule_id
			WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now AND r.status = 'held' AND r.held_until > t_now;
			v_sold_out := v_hold_ends IS NULL AND EXISTS (
				SELECT 1 FROM seats s JOIN schedules sc ON sc.id = s.schedule_id WHERE sc.concert_id = p_concert_id AND sc.starts_at > t_now);
		END IF;
	END IF;

	FOR round IN 1..p_max_rounds LOOP
		EXIT WHEN v_free <= 0;
		v_scan := v_free + p_scan_slack;
		v_read := 0;
		v_chosen := '{}';
		v_abandoned := '{}';
		FOR rec IN
			SELECT id, last_seen_at >= t_now - make_interval(secs => p_abandon_seconds) AS present
			FROM queue_tokens WHERE concert_id = p_concert_id AND status = 'waiting' AND place IS NOT NULL
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
--> statement-breakpoint
-- A refusal of pay_order: MESSAGE is the reason (server/errors.ts), DETAIL its facts as JSON.
-- SQLSTATE CTDOM: server/order/pay.ts turns it into a DomainError.
CREATE FUNCTION pay_order_refuse(p_reason text, p_details jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CTDOM', MESSAGE = p_reason, DETAIL = p_details::text;
END $$;
--> statement-breakpoint
-- Pays the caller's held order from the wallet, in one statement (server/order/pay.ts documents the
-- rules). Locks, in the documented order: [idempotency_keys: the key claimed first] → orders →
-- seats (ascending) → reservations → wallets → queue_tokens (ends the turn: the trigger records the
-- freed slot for the next admission pass). The order is p_order_id, or the order of the caller's
-- reservation p_reservation_id (payment.pay, which is answered with the reservation's id). A paid
-- order is answered with its first payment and moves nothing. A refusal raises (pay_order_refuse),
-- so nothing of the call stays, its idempotency key included. p_codes: fresh booking codes to try in
-- turn (a clash with an existing code tries the next).
CREATE FUNCTION pay_order(
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
	ELSIF o.status = 'expired' OR (o.status = 'held' AND o.held_until <= v_now) THEN
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
		SELECT count(*), count(*) FILTER (WHERE locked.status = 'held' AND locked.held_until > clock_timestamp()), min(locked.id)
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
		-- The turn in this concert's line ends once no other hold of the concert is left to pay.
		IF NOT EXISTS (
			SELECT 1 FROM reservations r JOIN schedules sc ON sc.id = r.schedule_id
			WHERE r.user_id = p_user AND r.status = 'held' AND r.held_until > clock_timestamp() AND sc.concert_id = o.concert_id
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
