-- A refusal of pay_order: MESSAGE is the reason (server/errors.ts), DETAIL its facts as JSON.
-- SQLSTATE CTDOM: server/order/pay.ts turns it into a DomainError.
CREATE OR REPLACE FUNCTION pay_order_refuse(p_reason text, p_details jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CTDOM', MESSAGE = p_reason, DETAIL = p_details::text;
END $$;
