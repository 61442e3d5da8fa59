-- The state of a sale at p_at, as server/sale/service.ts `saleStateOf` has it: its closed reason
-- (`sold_out`, `closed`), else `scheduled` before the pre-queue, `prequeue` before the opening, then
-- `paused` or `open`. A line admits when its draw ran (`opened_at`) and this is `open`.
CREATE OR REPLACE FUNCTION sale_state(
	p_closed_reason text,
	p_paused boolean,
	p_prequeue_opens_at timestamptz,
	p_opens_at timestamptz,
	p_at timestamptz
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN p_closed_reason IS NOT NULL THEN p_closed_reason
		WHEN p_at < p_prequeue_opens_at THEN 'scheduled'
		WHEN p_at < p_opens_at THEN 'prequeue'
		WHEN p_paused THEN 'paused'
		ELSE 'open'
	END
$$;
