-- Bed devices report a heartbeat (POST /api/devices/heartbeat). A device that has reported once
-- and then falls silent gets a "trouble" call at its bed, raised by the system; trouble_call_id
-- remembers it so that it is raised once per silence and cleared when the device is back.
ALTER TABLE devices ADD COLUMN trouble_call_id BIGINT NULL;
ALTER TABLE calls MODIFY raised_by ENUM('device', 'patient', 'system') NOT NULL;
