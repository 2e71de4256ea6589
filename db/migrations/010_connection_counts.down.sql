DROP TABLE IF EXISTS connection_counts;
