DROP TABLE line_texts;
DROP TABLE line_addresses;
DELETE FROM devices WHERE kind = 'line';
ALTER TABLE devices DROP CONSTRAINT ck_devices_target;
ALTER TABLE devices ADD CONSTRAINT ck_devices_target CHECK ((kind = 'bed' AND bed_id IS NOT NULL) OR (kind = 'station' AND ward_id IS NOT NULL));
ALTER TABLE devices MODIFY COLUMN kind ENUM('bed', 'station') NOT NULL;
