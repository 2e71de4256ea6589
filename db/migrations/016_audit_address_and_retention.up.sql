-- The audit trail names the client address of the request that caused each row (NULL for the
-- server's own work: escalations, supervision). The purge (Dispatch.Server purge) removes rows by
-- age, so the tables it trims get an index on their time.
ALTER TABLE audit_log ADD COLUMN address VARCHAR(45) NULL AFTER detail;
ALTER TABLE events ADD KEY ix_events_created (created_at);
ALTER TABLE call_displays ADD KEY ix_call_displays_at (displayed_at);
ALTER TABLE calls ADD KEY ix_calls_resolved (status, resolved_at);
