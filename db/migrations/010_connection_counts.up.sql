-- Hub connections opened and dropped (closed by an error rather than by the client), per node and
-- hour, for the connection drop rate KPI. Each node adds what it counted since its last heartbeat.
CREATE TABLE connection_counts (
  node_name  VARCHAR(64) NOT NULL,
  hour       DATETIME NOT NULL,
  opened     BIGINT NOT NULL DEFAULT 0,
  dropped    BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (node_name, hour),
  KEY ix_connection_counts_hour (hour)
) ENGINE=InnoDB;
