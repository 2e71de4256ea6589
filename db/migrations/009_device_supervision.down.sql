UPDATE calls SET raised_by = 'device' WHERE raised_by = 'system';
ALTER TABLE calls MODIFY raised_by ENUM('device', 'patient') NOT NULL;
ALTER TABLE devices DROP COLUMN trouble_call_id;
