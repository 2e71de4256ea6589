-- Each hub node writes how it is doing every few seconds, so that any node can show the whole
-- cluster on the ops page. One row per node name; a row not refreshed for 30 s is a node that is
-- gone. The cost is one statement per node every few seconds, whatever the number of stations.
CREATE TABLE node_heartbeats (
  node_name    VARCHAR(64) NOT NULL PRIMARY KEY,
  state        VARCHAR(16) NOT NULL,
  connections  INT NOT NULL,
  memory_mb    DOUBLE NOT NULL,
  memory_pct   DOUBLE NOT NULL,
  started_at   DATETIME(3) NOT NULL,
  seen_at      DATETIME(3) NOT NULL
) ENGINE=InnoDB;
