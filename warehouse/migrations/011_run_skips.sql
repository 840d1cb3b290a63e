-- Outcomes of a run's inputs that are not errors, counted apart from `errors` so that the outcomes of a run add
-- up to its inputs: URLs robots.txt disallows (not requested) and e-paper dates without an edition (the
-- edition's first page answered 404). Their fetches carry the same words in `fetches.outcome`.
ALTER TABLE runs ADD COLUMN skipped_robots INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN no_edition INTEGER DEFAULT 0;
