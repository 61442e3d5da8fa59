-- The waiting room's single state row; the admission pass locks it to admit one batch at a time.
INSERT INTO "queue_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
