-- What the clinical KPIs need and the calls did not keep: when a nurse first arrived at the bed
-- (presence registered; for code calls, which presence does not clear, too), and who was first
-- assigned (escalation changes the assignee; fairness is about the first assignment).
ALTER TABLE calls
  ADD COLUMN first_presence_at DATETIME(3) NULL AFTER present_staff_id,
  ADD COLUMN first_assigned_staff_id INT NULL AFTER assigned_staff_id,
  ADD KEY ix_calls_ward_created (ward_id, created_at);

-- Calls from before this migration: their first assignment is not known; presence that cleared
-- a call is.
UPDATE calls SET first_presence_at = resolved_at WHERE resolved_by = 'presence';
