ALTER TABLE calls DROP KEY ix_calls_display_check, DROP COLUMN display_alarm_at;
DROP TABLE IF EXISTS call_displays;
