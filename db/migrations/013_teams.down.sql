DROP TABLE team_kinds;
DROP TABLE team_members;
DROP TABLE teams;
