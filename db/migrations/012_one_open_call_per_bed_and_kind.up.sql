-- One open call per bed and kind: a press while the bed has an open (or accepted) call of that
-- kind re-announces it (event and audit call_repeated) instead of raising another, and
-- repeat_count counts those presses for the board. A raise locks its bed's row first, so
-- concurrent presses through any node queue there and find the call the first one raised.
ALTER TABLE calls ADD COLUMN repeat_count INT NOT NULL DEFAULT 0;
