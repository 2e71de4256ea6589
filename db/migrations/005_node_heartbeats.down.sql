DROP TABLE IF EXISTS node_heartbeats;
