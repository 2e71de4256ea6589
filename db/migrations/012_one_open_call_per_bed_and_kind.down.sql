ALTER TABLE calls DROP COLUMN repeat_count;
