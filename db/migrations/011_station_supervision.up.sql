-- Nurse-station screens identify themselves on the hub with their station device key; every node
-- stamps last_heartbeat_at of the stations connected to it with its own heartbeat (one statement
-- per node, whatever the number of stations). A station silent past its bound is reported once to
-- its ward (event station_silent) and to the maintenance view; trouble_reported_at remembers that
-- report until the station is back (event station_back).
ALTER TABLE devices ADD COLUMN trouble_reported_at DATETIME(3) NULL;
