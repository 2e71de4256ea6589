-- Calls, the event outbox that every state change appends to, and the audit trail.
CREATE TABLE calls (
  id                  BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bed_id              INT NOT NULL,
  ward_id             INT NOT NULL,
  kind                ENUM('code_blue', 'staff_emergency', 'staff_assist', 'bath', 'normal', 'trouble') NOT NULL,
  priority            SMALLINT NOT NULL,
  status              ENUM('open', 'accepted', 'resolved') NOT NULL DEFAULT 'open',
  raised_by           ENUM('device', 'patient') NOT NULL,
  assigned_staff_id   INT NULL,
  created_at          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  assigned_at         DATETIME(3) NULL,
  accepted_at         DATETIME(3) NULL,
  accepted_by         INT NULL,
  resolved_at         DATETIME(3) NULL,
  resolved_by         ENUM('device', 'patient', 'presence') NULL,
  present_staff_id    INT NULL,
  escalation_level    TINYINT NOT NULL DEFAULT 0,
  -- The escalation deadline lives here, so no process restart can lose it. NULL once acknowledged.
  next_escalation_at  DATETIME(3) NULL,
  KEY ix_calls_ward_open (ward_id, status, priority, created_at),
  KEY ix_calls_staff_open (assigned_staff_id, status),
  KEY ix_calls_bed_open (bed_id, status),
  KEY ix_calls_escalation (next_escalation_at),
  CONSTRAINT fk_calls_bed FOREIGN KEY (bed_id) REFERENCES beds (id),
  CONSTRAINT fk_calls_ward FOREIGN KEY (ward_id) REFERENCES wards (id),
  CONSTRAINT fk_calls_assigned FOREIGN KEY (assigned_staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The last sequence number handed out per ward. Its row lock orders a ward's events by commit.
CREATE TABLE ward_sequences (
  ward_id   INT NOT NULL PRIMARY KEY,
  last_seq  BIGINT NOT NULL,
  CONSTRAINT fk_ward_sequences_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB;

-- The outbox: written in the same transaction as the change it describes; the source of truth
-- for every push, resync and replay.
CREATE TABLE events (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ward_id     INT NOT NULL,
  ward_seq    BIGINT NOT NULL,
  type        VARCHAR(32) NOT NULL,
  call_id     BIGINT NULL,
  payload     LONGTEXT NOT NULL CHECK (JSON_VALID(payload)),
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY ux_events_ward_seq (ward_id, ward_seq),
  CONSTRAINT fk_events_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor_type  ENUM('staff', 'device', 'patient', 'system') NOT NULL,
  actor_id    BIGINT NULL,
  action      VARCHAR(32) NOT NULL,
  call_id     BIGINT NULL,
  detail      VARCHAR(1024) NULL,
  at          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_audit_call (call_id),
  KEY ix_audit_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
