ALTER TABLE calls
  DROP KEY ux_calls_bed_idempotency_key,
  DROP COLUMN idempotency_key;
