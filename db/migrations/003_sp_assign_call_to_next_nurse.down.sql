DROP PROCEDURE IF EXISTS sp_assign_call_to_next_nurse;
