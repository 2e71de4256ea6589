-- The foreign key from a call to its assigned staff member on an index of its own. It was carried
-- by ix_calls_staff_open (assigned_staff_id, status), so every change of a call's status changed
-- the key's index and InnoDB checked the key again: a shared lock on the nurse's staff row. A
-- raise's assignment holds its ward's nurses' rows and reads their open calls; a call cleared
-- meanwhile held its row and waited for its nurse, and the two deadlocked. InnoDB takes the first
-- index that starts with the key's column, so the key is dropped and made again with
-- ix_calls_assigned defined before ix_calls_staff_open. With foreign_key_checks off the key is
-- added in place rather than by copying the table (the rows met the same key a moment before).
SET SESSION foreign_key_checks = 0;
ALTER TABLE calls DROP FOREIGN KEY fk_calls_assigned;
ALTER TABLE calls DROP KEY ix_calls_staff_open;
ALTER TABLE calls ADD KEY ix_calls_assigned (assigned_staff_id);
ALTER TABLE calls ADD KEY ix_calls_staff_open (assigned_staff_id, status);
ALTER TABLE calls ADD CONSTRAINT fk_calls_assigned FOREIGN KEY (assigned_staff_id) REFERENCES staff (id);
SET SESSION foreign_key_checks = 1;
