ALTER TABLE calls DROP KEY ix_calls_resolved;
ALTER TABLE call_displays DROP KEY ix_call_displays_at;
ALTER TABLE events DROP KEY ix_events_created;
ALTER TABLE audit_log DROP COLUMN address;
