CREATE TABLE "ticket_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ticket_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"schedule_id" integer NOT NULL,
	"serial" integer NOT NULL,
	"gate" text NOT NULL,
	"operator_id" text NOT NULL,
	"operator_name" text NOT NULL,
	"source" text NOT NULL,
	"device_id" text,
	"local_id" text,
	"scanned_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"undone_by" text,
	"undo_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_entries_status_known" CHECK ("ticket_entries"."status" IN ('admitted', 'duplicate', 'refused', 'undone')),
	CONSTRAINT "ticket_entries_source_known" CHECK ("ticket_entries"."source" IN ('online', 'offline')),
	CONSTRAINT "ticket_entries_offline_device" CHECK (("ticket_entries"."source" = 'offline') = ("ticket_entries"."device_id" IS NOT NULL AND "ticket_entries"."local_id" IS NOT NULL)),
	CONSTRAINT "ticket_entries_gate_length" CHECK (length("ticket_entries"."gate") BETWEEN 1 AND 40)
);
--> statement-breakpoint
CREATE TABLE "ticket_transfers" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ticket_transfers_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"ticket_id" bigint NOT NULL,
	"from_user_id" uuid NOT NULL,
	"to_email" text NOT NULL,
	"to_user_id" uuid,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ticket_transfers_status_known" CHECK ("ticket_transfers"."status" IN ('accepted', 'offered', 'cancelled', 'expired')),
	CONSTRAINT "ticket_transfers_accepted_names_holder" CHECK (("ticket_transfers"."status" = 'accepted') = ("ticket_transfers"."to_user_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "tickets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reference" text NOT NULL,
	"order_id" bigint NOT NULL,
	"reservation_id" bigint NOT NULL,
	"seat_id" integer NOT NULL,
	"schedule_id" integer NOT NULL,
	"holder_id" uuid NOT NULL,
	"serial" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'live' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tickets_status_known" CHECK ("tickets"."status" IN ('live', 'refunded')),
	CONSTRAINT "tickets_serial_positive" CHECK ("tickets"."serial" > 0)
);
--> statement-breakpoint
ALTER TABLE "ticket_entries" ADD CONSTRAINT "ticket_entries_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_entries" ADD CONSTRAINT "ticket_entries_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_transfers" ADD CONSTRAINT "ticket_transfers_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_transfers" ADD CONSTRAINT "ticket_transfers_from_user_id_users_id_fk" FOREIGN KEY ("from_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_transfers" ADD CONSTRAINT "ticket_transfers_to_user_id_users_id_fk" FOREIGN KEY ("to_user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_seat_id_seats_id_fk" FOREIGN KEY ("seat_id") REFERENCES "public"."seats"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_entries_one_admitted" ON "ticket_entries" USING btree ("ticket_id") WHERE "ticket_entries"."status" = 'admitted';--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_entries_device_local" ON "ticket_entries" USING btree ("device_id","local_id");--> statement-breakpoint
CREATE INDEX "ticket_entries_admitted_by_schedule" ON "ticket_entries" USING btree ("schedule_id") WHERE "ticket_entries"."status" = 'admitted';--> statement-breakpoint
CREATE INDEX "ticket_transfers_by_ticket" ON "ticket_transfers" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "ticket_transfers_offered_to" ON "ticket_transfers" USING btree ("to_email") WHERE "ticket_transfers"."status" = 'offered';--> statement-breakpoint
CREATE UNIQUE INDEX "ticket_transfers_one_offer" ON "ticket_transfers" USING btree ("ticket_id") WHERE "ticket_transfers"."status" = 'offered';--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_reference" ON "tickets" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_one_per_reservation" ON "tickets" USING btree ("reservation_id");--> statement-breakpoint
CREATE INDEX "tickets_by_holder" ON "tickets" USING btree ("holder_id","id");--> statement-breakpoint
CREATE INDEX "tickets_by_order" ON "tickets" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "tickets_by_schedule" ON "tickets" USING btree ("schedule_id");--> statement-breakpoint
-- Orders paid before per-seat tickets get theirs: one per seat, numbered in seat order, held by the buyer.
INSERT INTO "tickets" ("reference", "order_id", "reservation_id", "seat_id", "schedule_id", "holder_id", "status")
SELECT o.booking_code || '-' || row_number() OVER (PARTITION BY o.id ORDER BY r.seat_id), o.id, r.id, r.seat_id, r.schedule_id, o.user_id,
	CASE WHEN o.status = 'confirmed' THEN 'live' ELSE 'refunded' END
FROM "orders" o JOIN "reservations" r ON r.order_id = o.id
WHERE o.status IN ('confirmed', 'refunded');
