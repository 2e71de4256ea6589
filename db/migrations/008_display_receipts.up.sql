-- Display receipts: which station (staff session) put which call on its screen, and when. Closes
-- the loop from commit to a human's screen that transport acknowledgements leave open. A call
-- that no station displayed in time is alarmed once (display_alarm_at).
CREATE TABLE call_displays (
  call_id       BIGINT NOT NULL,
  session_id    BIGINT NOT NULL,
  displayed_at  DATETIME(3) NOT NULL,
  PRIMARY KEY (call_id, session_id),
  CONSTRAINT fk_call_displays_call FOREIGN KEY (call_id) REFERENCES calls (id)
) ENGINE=InnoDB;

ALTER TABLE calls
  ADD COLUMN display_alarm_at DATETIME(3) NULL,
  ADD KEY ix_calls_display_check (status, display_alarm_at, created_at);
