-- Issue 17 §5 (units that change): when a unit came into being. The seed
-- file may give the date; a unit the administration creates gets its
-- creation time; NULL for units of earlier seeds, which have no known
-- beginning (incident.Unit.ValidFrom). When it stopped is closed_at
-- (migration 008), exposed as validTo. Written from the admin stream's
-- UnitDefined and UnitChanged events like the rest of the row.
ALTER TABLE units ADD COLUMN IF NOT EXISTS valid_from timestamptz;
