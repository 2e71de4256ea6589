-- The bridge's durable cursor: the last sequence of each ward handed into the cluster and
-- acknowledged. It starts at the present for existing wards (their stations resync from their own
-- sequence); a ward created later starts at 0, so all of its events are relayed.
CREATE TABLE relay_cursors (
  ward_id     INT NOT NULL PRIMARY KEY,
  last_seq    BIGINT NOT NULL,
  updated_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_relay_cursors_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB;

INSERT INTO relay_cursors (ward_id, last_seq) SELECT ward_id, last_seq FROM ward_sequences;
