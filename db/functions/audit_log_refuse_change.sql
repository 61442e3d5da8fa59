-- audit_log is append-only: any UPDATE, DELETE or TRUNCATE of it is refused, whoever sends it and
-- however many rows it would touch (a statement trigger fires even for none). Only INSERT is left.
-- Not a defence against the database's owner, who can drop the trigger; against every code path and
-- mistake of the app, which connects as an ordinary role of its own tables.
-- Trigger: audit_log_append_only, created here after the function (db/functions.ts).
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
