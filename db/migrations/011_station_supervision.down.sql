ALTER TABLE devices DROP COLUMN trouble_reported_at;
