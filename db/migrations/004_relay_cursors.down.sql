DROP TABLE IF EXISTS relay_cursors;
