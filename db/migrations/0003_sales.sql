-- A sale per concert and one line per sale (issue 10). Queue tokens are transient: the tokens of the
-- single site-wide line are dropped (their holders join a concert's line again). Concerts that exist
-- get a sale that is open now, with the default cap and turn length.
CREATE TABLE "sales" (
	"concert_id" integer PRIMARY KEY NOT NULL,
	"prequeue_opens_at" timestamp with time zone NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"max_active" integer NOT NULL,
	"turn_seconds" integer NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"closed_reason" text,
	"closed_at" timestamp with time zone,
	"commitment" text NOT NULL,
	"seed" text NOT NULL,
	"opened_at" timestamp with time zone,
	"drawn_count" integer,
	"last_place" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sales_opens_after_prequeue" CHECK ("sales"."opens_at" > "sales"."prequeue_opens_at"),
	CONSTRAINT "sales_max_active_positive" CHECK ("sales"."max_active" > 0),
	CONSTRAINT "sales_turn_seconds_positive" CHECK ("sales"."turn_seconds" > 0),
	CONSTRAINT "sales_closed_reason_known" CHECK ("sales"."closed_reason" IS NULL OR "sales"."closed_reason" IN ('sold_out', 'closed')),
	CONSTRAINT "sales_closed_has_time" CHECK (("sales"."closed_reason" IS NULL) = ("sales"."closed_at" IS NULL)),
	CONSTRAINT "sales_commitment_hex" CHECK ("sales"."commitment" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_concert_id_concerts_id_fk" FOREIGN KEY ("concert_id") REFERENCES "public"."concerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "sales" ("concert_id", "prequeue_opens_at", "opens_at", "max_active", "turn_seconds", "commitment", "seed")
SELECT s."concert_id", now() - interval '1 hour', now() - interval '1 minute', 100, 600,
	encode(sha256(convert_to(s."seed", 'UTF8')), 'hex'), s."seed"
FROM (SELECT "id" AS "concert_id", replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') AS "seed" FROM "concerts") s;--> statement-breakpoint
DELETE FROM "queue_state";--> statement-breakpoint
ALTER TABLE "queue_state" DROP CONSTRAINT "queue_state_single_row";--> statement-breakpoint
ALTER TABLE "queue_state" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "concert_id" integer PRIMARY KEY NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "no_seat_free" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "seats_left" integer;--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "seats_held" integer;--> statement-breakpoint
ALTER TABLE "queue_state" ADD COLUMN "seats_counted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "queue_state" ADD CONSTRAINT "queue_state_concert_id_concerts_id_fk" FOREIGN KEY ("concert_id") REFERENCES "public"."concerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "queue_state" ("concert_id") SELECT "concert_id" FROM "sales";--> statement-breakpoint
DELETE FROM "queue_tokens";--> statement-breakpoint
ALTER TABLE "queue_tokens" DROP CONSTRAINT "queue_tokens_status_known";--> statement-breakpoint
DROP INDEX "queue_tokens_one_live_per_user";--> statement-breakpoint
DROP INDEX "queue_tokens_waiting_in_order";--> statement-breakpoint
DROP INDEX "queue_tokens_active_by_expiry";--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "concert_id" integer NOT NULL;--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "place" bigint;--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "closed_reason" text;--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "turn_seconds" integer;--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD CONSTRAINT "queue_tokens_concert_id_concerts_id_fk" FOREIGN KEY ("concert_id") REFERENCES "public"."concerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tokens_one_live_per_user_concert" ON "queue_tokens" USING btree ("user_id","concert_id") WHERE "queue_tokens"."status" IN ('waiting', 'active');--> statement-breakpoint
CREATE INDEX "queue_tokens_placed" ON "queue_tokens" USING btree ("concert_id","place");--> statement-breakpoint
CREATE INDEX "queue_tokens_waiting_in_order" ON "queue_tokens" USING btree ("concert_id","place") WHERE "queue_tokens"."status" = 'waiting';--> statement-breakpoint
CREATE INDEX "queue_tokens_active_by_expiry" ON "queue_tokens" USING btree ("concert_id","expires_at") WHERE "queue_tokens"."status" = 'active';--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD CONSTRAINT "queue_tokens_closed_has_reason" CHECK (("queue_tokens"."status" = 'closed') = ("queue_tokens"."closed_reason" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD CONSTRAINT "queue_tokens_admitted_has_place" CHECK ("queue_tokens"."status" <> 'active' OR "queue_tokens"."place" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD CONSTRAINT "queue_tokens_status_known" CHECK ("queue_tokens"."status" IN ('waiting', 'active', 'expired', 'done', 'closed'));
