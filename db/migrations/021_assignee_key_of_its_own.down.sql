-- The key carried by ix_calls_staff_open again, as before 021 (added in place, as in the up script).
SET SESSION foreign_key_checks = 0;
ALTER TABLE calls DROP FOREIGN KEY fk_calls_assigned;
ALTER TABLE calls DROP KEY ix_calls_assigned;
ALTER TABLE calls ADD CONSTRAINT fk_calls_assigned FOREIGN KEY (assigned_staff_id) REFERENCES staff (id);
SET SESSION foreign_key_checks = 1;
