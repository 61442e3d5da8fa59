-- UNLOGGED (edited by hand; drizzle-kit cannot express it): rate-limit counters need no crash safety or replication, and without WAL each call's upsert commits without a log flush.
CREATE UNLOGGED TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"hits" integer NOT NULL
);
