-- The hospital's structure, its staff and the credentials that may act on it.
CREATE TABLE floors (
  id     INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name   VARCHAR(64) NOT NULL,
  level  INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE wards (
  id          INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name        VARCHAR(64) NOT NULL,
  department  VARCHAR(64) NOT NULL,
  floor_id    INT NOT NULL,
  CONSTRAINT fk_wards_floor FOREIGN KEY (floor_id) REFERENCES floors (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE rooms (
  id       INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ward_id  INT NOT NULL,
  name     VARCHAR(32) NOT NULL,
  CONSTRAINT fk_rooms_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE beds (
  id       INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  room_id  INT NOT NULL,
  label    VARCHAR(16) NOT NULL,
  CONSTRAINT fk_beds_room FOREIGN KEY (room_id) REFERENCES rooms (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE staff (
  id                 INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username           VARCHAR(64) NOT NULL,
  display_name       VARCHAR(128) NOT NULL,
  role               ENUM('nurse', 'manager', 'admin') NOT NULL,
  ward_id            INT NULL,
  on_duty            TINYINT(1) NOT NULL DEFAULT 0,
  password_hash      VARCHAR(255) NOT NULL,
  -- Fairness: the next nurse is the one with the fewest open calls, then the least recently assigned.
  last_assigned_at   DATETIME(3) NULL,
  assignments_total  INT NOT NULL DEFAULT 0,
  created_at         DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY ux_staff_username (username),
  KEY ix_staff_ward_duty (ward_id, role, on_duty),
  CONSTRAINT fk_staff_ward FOREIGN KEY (ward_id) REFERENCES wards (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which nurse looks after which bed during a shift.
CREATE TABLE bed_assignments (
  id          INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bed_id      INT NOT NULL,
  staff_id    INT NOT NULL,
  is_primary  TINYINT(1) NOT NULL,
  starts_at   DATETIME NOT NULL,
  ends_at     DATETIME NOT NULL,
  KEY ix_bed_assignments_bed (bed_id, starts_at),
  CONSTRAINT fk_bed_assignments_bed FOREIGN KEY (bed_id) REFERENCES beds (id),
  CONSTRAINT fk_bed_assignments_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Staff sign-in sessions. Only a SHA-256 of the opaque token is stored.
CREATE TABLE sessions (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  staff_id    INT NOT NULL,
  token_hash  BINARY(32) NOT NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at  DATETIME(3) NOT NULL,
  revoked     TINYINT(1) NOT NULL DEFAULT 0,
  revoked_at  DATETIME(3) NULL,
  UNIQUE KEY ux_sessions_token (token_hash),
  KEY ix_sessions_staff (staff_id),
  CONSTRAINT fk_sessions_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One-time nonces that let a bedside tablet raise (or cancel) one call for its bed.
CREATE TABLE patient_sessions (
  id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bed_id      INT NOT NULL,
  nonce_hash  BINARY(32) NOT NULL,
  is_used     TINYINT(1) NOT NULL DEFAULT 0,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  expires_at  DATETIME(3) NOT NULL,
  used_at     DATETIME(3) NULL,
  UNIQUE KEY ux_patient_sessions_nonce (nonce_hash),
  CONSTRAINT fk_patient_sessions_bed FOREIGN KEY (bed_id) REFERENCES beds (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bed call buttons and nurse stations. Only a SHA-256 of the device key is stored.
CREATE TABLE devices (
  id                 INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind               ENUM('bed', 'station') NOT NULL,
  name               VARCHAR(64) NOT NULL,
  bed_id             INT NULL,
  ward_id            INT NULL,
  key_hash           BINARY(32) NOT NULL,
  last_heartbeat_at  DATETIME(3) NULL,
  UNIQUE KEY ux_devices_key (key_hash),
  CONSTRAINT fk_devices_bed FOREIGN KEY (bed_id) REFERENCES beds (id),
  CONSTRAINT fk_devices_ward FOREIGN KEY (ward_id) REFERENCES wards (id),
  CONSTRAINT ck_devices_target CHECK ((kind = 'bed' AND bed_id IS NOT NULL) OR (kind = 'station' AND ward_id IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
