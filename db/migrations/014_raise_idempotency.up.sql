-- A bed device that got no clear answer to a raise (its node stopped mid-request, nginx's 502)
-- sends the raise again with the same Idempotency-Key header: the call that key raised is
-- returned (200) rather than a press counted again. The key is kept per bed with the call it raised.
ALTER TABLE calls
  ADD COLUMN idempotency_key VARCHAR(64) NULL,
  ADD UNIQUE KEY ux_calls_bed_idempotency_key (bed_id, idempotency_key);
