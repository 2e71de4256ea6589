ALTER TABLE devices DROP COLUMN sound_off_since;
