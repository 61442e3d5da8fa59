CREATE TABLE "orders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" uuid NOT NULL,
	"schedule_id" integer NOT NULL,
	"status" text DEFAULT 'held' NOT NULL,
	"booking_code" text,
	"total" integer NOT NULL,
	"held_until" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_status_known" CHECK ("orders"."status" IN ('held', 'confirmed', 'expired', 'cancelled', 'refunded')),
	CONSTRAINT "orders_total_positive" CHECK ("orders"."total" > 0),
	CONSTRAINT "orders_code_when_paid" CHECK (("orders"."status" IN ('confirmed', 'refunded')) = ("orders"."booking_code" IS NOT NULL)),
	CONSTRAINT "orders_code_format" CHECK ("orders"."booking_code" ~ '^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$')
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_kind_known";--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_sign";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "reservation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "order_id" bigint;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "order_id" bigint;--> statement-breakpoint
-- Backfill (hand-written): one order per existing reservation, with the reservation's id, status,
-- price and hold clock; a paid one gets a random booking code (the subquery names r.id so that it is
-- evaluated per row). Then the identity continues after the highest id.
INSERT INTO "orders" ("id", "user_id", "schedule_id", "status", "booking_code", "total", "held_until", "created_at", "updated_at")
OVERRIDING SYSTEM VALUE
SELECT r."id", r."user_id", r."schedule_id", r."status",
  CASE WHEN r."status" = 'confirmed' THEN (
    SELECT string_agg(substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 1 + floor(random() * 32)::int, 1) || CASE WHEN i IN (3, 6) THEN '-' ELSE '' END, '' ORDER BY i)
    FROM generate_series(1, 9 + 0 * r."id") AS g(i)
  ) END,
  r."price", r."held_until", r."created_at", r."updated_at"
FROM "reservations" r;--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('orders', 'id'), coalesce((SELECT max("id") FROM "orders"), 0) + 1, false);--> statement-breakpoint
UPDATE "reservations" SET "order_id" = "id";--> statement-breakpoint
UPDATE "payments" SET "order_id" = "reservation_id";--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "order_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "reservations" ALTER COLUMN "order_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_booking_code" ON "orders" USING btree ("booking_code");--> statement-breakpoint
CREATE INDEX "orders_by_user" ON "orders" USING btree ("user_id","id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_one_payment_entry" ON "ledger_entries" USING btree ("payment_id") WHERE "ledger_entries"."kind" = 'payment';--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_one_refund_entry" ON "ledger_entries" USING btree ("payment_id") WHERE "ledger_entries"."kind" = 'refund';--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_per_order" ON "payments" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "reservations_by_order" ON "reservations" USING btree ("order_id");--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_payment_named" CHECK ("ledger_entries"."kind" = 'charge' OR "ledger_entries"."payment_id" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_kind_known" CHECK ("ledger_entries"."kind" IN ('charge', 'payment', 'refund'));--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_sign" CHECK (("ledger_entries"."kind" = 'charge' AND "ledger_entries"."amount" > 0) OR ("ledger_entries"."kind" = 'payment' AND "ledger_entries"."amount" < 0) OR ("ledger_entries"."kind" = 'refund' AND "ledger_entries"."amount" > 0));