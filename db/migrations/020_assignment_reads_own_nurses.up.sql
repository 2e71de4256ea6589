-- sp_assign_call_to_next_nurse as in 003, its count of each nurse's open calls read through the
-- nurse's own index entries. The procedure's reads are locking reads (MariaDB takes shared locks
-- for a subquery in SET); once calls grew many and the open ones few, the optimizer preferred
-- ix_calls_resolved, and every raise share-locked every open call of the hospital: it waited on
-- any call another transaction was changing, in any ward, and two raises deadlocked (1213).
CREATE OR REPLACE PROCEDURE sp_assign_call_to_next_nurse(IN p_call_id BIGINT)
BEGIN
  DECLARE v_bed_id INT;
  DECLARE v_ward_id INT;
  DECLARE v_staff_id INT DEFAULT NULL;
  DECLARE v_locked INT;

  SELECT bed_id, ward_id INTO v_bed_id, v_ward_id FROM calls WHERE id = p_call_id FOR UPDATE;

  -- Lock the ward's nurses so that two calls raised at once cannot both pick the same "next" nurse.
  SELECT COUNT(*) INTO v_locked FROM staff WHERE ward_id = v_ward_id AND role = 'nurse' FOR UPDATE;

  SET v_staff_id = (
    SELECT ba.staff_id
    FROM bed_assignments ba
    JOIN staff s ON s.id = ba.staff_id
    WHERE ba.bed_id = v_bed_id
      AND ba.starts_at <= NOW() AND NOW() < ba.ends_at
      AND s.role = 'nurse' AND s.on_duty = 1
    ORDER BY ba.is_primary DESC, ba.id
    LIMIT 1);

  IF v_staff_id IS NULL THEN
    SET v_staff_id = (
      SELECT s.id
      FROM staff s
      WHERE s.ward_id = v_ward_id AND s.role = 'nurse' AND s.on_duty = 1
      ORDER BY (SELECT COUNT(*) FROM calls c FORCE INDEX (ix_calls_staff_open)
                WHERE c.assigned_staff_id = s.id AND c.status IN ('open', 'accepted')),
               COALESCE(s.last_assigned_at, '1970-01-01'),
               s.id
      LIMIT 1);
  END IF;

  IF v_staff_id IS NOT NULL THEN
    UPDATE calls SET assigned_staff_id = v_staff_id, assigned_at = NOW(3) WHERE id = p_call_id;
    UPDATE staff SET last_assigned_at = NOW(3), assignments_total = assignments_total + 1
    WHERE id = v_staff_id;
  END IF;

  SELECT v_staff_id AS staff_id;
END;
