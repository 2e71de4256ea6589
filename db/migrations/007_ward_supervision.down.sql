DROP TABLE IF EXISTS ward_alerts;
ALTER TABLE node_heartbeats DROP COLUMN ward_stations;
