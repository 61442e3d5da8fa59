-- UNLOGGED (edited by hand; drizzle-kit cannot express it): per-second join counts for the console need no crash safety.
CREATE UNLOGGED TABLE "join_stats" (
	"concert_id" integer NOT NULL,
	"second" timestamp with time zone NOT NULL,
	"challenges" integer DEFAULT 0 NOT NULL,
	"solved" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"joins" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "join_stats_concert_id_second_pk" PRIMARY KEY("concert_id","second")
);
--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "challenge_nonce" text;--> statement-breakpoint
ALTER TABLE "queue_tokens" ADD COLUMN "address_prefix" text;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
UPDATE "sales" SET "paused_at" = now() WHERE "paused";--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "join_difficulty" integer DEFAULT 4000 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales" ADD COLUMN "join_surge_per_second" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_tokens_challenge_once" ON "queue_tokens" USING btree ("challenge_nonce") WHERE "queue_tokens"."challenge_nonce" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_paused_has_time" CHECK ("sales"."paused" = ("sales"."paused_at" IS NOT NULL));--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_join_difficulty_range" CHECK ("sales"."join_difficulty" BETWEEN 100 AND 1000000);--> statement-breakpoint
ALTER TABLE "sales" ADD CONSTRAINT "sales_join_surge_positive" CHECK ("sales"."join_surge_per_second" IS NULL OR "sales"."join_surge_per_second" > 0);