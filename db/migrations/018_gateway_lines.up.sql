-- A line from the primary nurse-call system (ESPA 4.4.4 or TAP, read by Dispatch.Gateway) is a
-- device of its own: it has a key, it reports while it hears the line (heartbeats), and its
-- silence is reported to the maintenance view like a station's (trouble_reported_at).
ALTER TABLE devices MODIFY COLUMN kind ENUM('bed', 'station', 'line') NOT NULL;
ALTER TABLE devices DROP CONSTRAINT ck_devices_target;
ALTER TABLE devices ADD CONSTRAINT ck_devices_target CHECK (
  (kind = 'bed' AND bed_id IS NOT NULL) OR (kind = 'station' AND ward_id IS NOT NULL)
  OR (kind = 'line' AND bed_id IS NULL AND ward_id IS NULL));

-- What the primary system's call addresses mean (the hospital file's lines): the bed and the kind
-- of call a message from that address raises. A line may raise calls only at the beds it maps.
CREATE TABLE line_addresses (
  line_id  INT NOT NULL,
  address  VARCHAR(32) NOT NULL,
  bed_id   INT NOT NULL,
  kind     VARCHAR(32) NOT NULL,
  PRIMARY KEY (line_id, address),
  KEY ix_line_addresses_bed (bed_id),
  CONSTRAINT fk_line_addresses_line FOREIGN KEY (line_id) REFERENCES devices (id) ON DELETE CASCADE,
  CONSTRAINT fk_line_addresses_bed FOREIGN KEY (bed_id) REFERENCES beds (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Words in a message's text that change what it means, first match first: another kind (kind set)
-- or the end of the address's call (kind NULL: the call is cleared, as a cancel at the bedside).
CREATE TABLE line_texts (
  line_id   INT NOT NULL,
  position  INT NOT NULL,
  contains  VARCHAR(64) NOT NULL,
  kind      VARCHAR(32) NULL,
  PRIMARY KEY (line_id, position),
  CONSTRAINT fk_line_texts_line FOREIGN KEY (line_id) REFERENCES devices (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
