-- Supervision: which wards each node has stations watching (written with its heartbeat, as
-- [{"w": wardId, "n": stations}]), and when each ward was last reported as unwatched, so that
-- one node, not every node, alerts the managers, and not at every check.
ALTER TABLE node_heartbeats
  ADD COLUMN ward_stations LONGTEXT NOT NULL DEFAULT '[]' CHECK (JSON_VALID(ward_stations));

CREATE TABLE ward_alerts (
  ward_id     INT NOT NULL PRIMARY KEY,
  alerted_at  DATETIME(3) NOT NULL,
  CONSTRAINT fk_ward_alerts_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB;
