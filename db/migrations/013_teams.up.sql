-- Teams answer some kinds of call wherever they happen (a code team for code_blue): each event of
-- such a call also goes to every connection of each on-duty member, and the member's
-- GET /api/staff/me/calls lists the open calls of their team's kinds. Teams come from the
-- hospital file; importing a team again replaces its members and kinds.
CREATE TABLE teams (
  id          INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name        VARCHAR(64) NOT NULL,
  created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY ux_teams_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE team_members (
  team_id   INT NOT NULL,
  staff_id  INT NOT NULL,
  PRIMARY KEY (team_id, staff_id),
  KEY ix_team_members_staff (staff_id),
  CONSTRAINT fk_team_members_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE,
  CONSTRAINT fk_team_members_staff FOREIGN KEY (staff_id) REFERENCES staff (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE team_kinds (
  team_id  INT NOT NULL,
  kind     ENUM('code_blue', 'staff_emergency', 'staff_assist', 'bath', 'normal', 'trouble') NOT NULL,
  PRIMARY KEY (team_id, kind),
  KEY ix_team_kinds_kind (kind),
  CONSTRAINT fk_team_kinds_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
