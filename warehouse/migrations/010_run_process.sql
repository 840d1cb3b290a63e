-- Which process a run is: a run whose process is gone while its row still says `running` (killed, or stopped
-- at once by a second Ctrl-C) is closed as `interrupted` by the next run on that machine
-- (warehouse.runs.close_orphaned_runs).
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN pid INTEGER;
