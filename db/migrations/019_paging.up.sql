-- Pages to staff members' pagers and DECT phones, sent by Dispatch.Gateway to the paging server
-- (ESPA 4.4.4 or TAP). A staff member with a pager number (the hospital file's staff[].pager) is
-- paged when a call is assigned or escalated to them, or raised for their team. Pages are written
-- in the transaction that writes the call's outbox event, so a restart neither loses nor repeats
-- one: a gateway claims a due page (tries + 1, next_try_at moved on), sends it, and reports it
-- answered; a page still unanswered after its tries is failed (audit page_failed, a ward event).
ALTER TABLE staff ADD COLUMN pager VARCHAR(32) NULL;

CREATE TABLE pages (
  id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  call_id        BIGINT NOT NULL,
  staff_id       INT NOT NULL,
  -- The call's escalation level when the page was written: 0 at the raise, 1 to 3 after.
  level          TINYINT NOT NULL,
  pager          VARCHAR(32) NOT NULL,
  text           VARCHAR(160) NOT NULL,
  status         ENUM('pending', 'sent', 'stopped', 'failed') NOT NULL DEFAULT 'pending',
  tries          TINYINT NOT NULL DEFAULT 0,
  next_try_at    DATETIME(3) NOT NULL,
  created_at     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sent_at        DATETIME(3) NULL,
  UNIQUE KEY ux_pages_once (call_id, staff_id, level),
  KEY ix_pages_due (status, next_try_at),
  CONSTRAINT fk_pages_call FOREIGN KEY (call_id) REFERENCES calls (id),
  CONSTRAINT fk_pages_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
