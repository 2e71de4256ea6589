-- A station screen that cannot play sound (the browser has not been allowed to, or its sound is
-- off): since when. Its ward's other screens and the ops page list it, like a silent station.
ALTER TABLE devices ADD COLUMN sound_off_since DATETIME(3) NULL AFTER trouble_reported_at;
