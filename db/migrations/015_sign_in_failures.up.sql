-- Failed sign-ins, by username and by client address, so that every node throttles guessing
-- alike: past SignIn:FailuresPerUsername (or FailuresPerAddress) within SignIn:WindowSeconds, a
-- sign-in is refused with 429 before any password is checked. Each failure is also audited
-- (login_failed). Rows older than an hour are removed as new ones arrive.
CREATE TABLE sign_in_failures (
  id        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username  VARCHAR(64) NOT NULL,
  address   VARCHAR(45) NOT NULL,
  at        DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_sign_in_failures_username (username, at),
  KEY ix_sign_in_failures_address (address, at),
  KEY ix_sign_in_failures_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
