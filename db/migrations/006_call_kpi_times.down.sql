ALTER TABLE calls
  DROP KEY ix_calls_ward_created,
  DROP COLUMN first_assigned_staff_id,
  DROP COLUMN first_presence_at;
