-- Issue 15 (administration): a unit may be closed (the reorganisation of
-- 1/7/2025 merged communes and abolished districts), naming the unit that
-- takes its new reports; an official account may be disabled (no longer
-- OFFICIAL for checkAccount, hidden from the registry's lists unless asked
-- for). Both are written from the admin stream (UnitClosed,
-- OfficialAccountChanged) like the rest of the registry.
ALTER TABLE units ADD COLUMN IF NOT EXISTS closed_at timestamptz;
ALTER TABLE units ADD COLUMN IF NOT EXISTS successor text COLLATE "C"
	REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE units DROP CONSTRAINT IF EXISTS units_successor_closed;
ALTER TABLE units ADD CONSTRAINT units_successor_closed
	CHECK (successor IS NULL OR (closed_at IS NOT NULL AND successor <> id));
ALTER TABLE official_accounts ADD COLUMN IF NOT EXISTS disabled boolean NOT NULL DEFAULT false;

-- Every process's authorizer matches grants against the unit tree; they
-- listen on casetrail_units (api.UnitsChannel) and reload the tree after
-- any statement that changes units: the administration, the seed, a
-- replay, the command line.
CREATE OR REPLACE FUNCTION readmodel_units_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('casetrail_units', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER units_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
	FOR EACH STATEMENT EXECUTE FUNCTION readmodel_units_notify();
