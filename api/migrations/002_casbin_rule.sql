-- casbin_rule holds the Casbin policy (Adapter): g rules (grants of roles on
-- units) and p rules (the role × action table, written by NewAuthorizer).
-- Every Authorizer listens on casetrail_policy (api.PolicyChannel), raised by
-- the trigger below after every statement that changes the table, and
-- reloads, so a revoke on one API instance takes effect on all of them.
--
-- IF NOT EXISTS and OR REPLACE: databases set up before this migration
-- already have the table, index, function and trigger (the API created them
-- at start); they are kept as they are.
CREATE TABLE IF NOT EXISTS casbin_rule (
	id    bigserial PRIMARY KEY,
	ptype text NOT NULL,
	v0    text NOT NULL DEFAULT '',
	v1    text NOT NULL DEFAULT '',
	v2    text NOT NULL DEFAULT '',
	v3    text NOT NULL DEFAULT '',
	v4    text NOT NULL DEFAULT '',
	v5    text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS casbin_rule_unique ON casbin_rule (ptype, v0, v1, v2, v3, v4, v5);

CREATE OR REPLACE FUNCTION casbin_rule_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('casetrail_policy', '');
	RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER casbin_rule_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON casbin_rule
	FOR EACH STATEMENT EXECUTE FUNCTION casbin_rule_notify();

-- The application role of the event store (eventstore migrations), when it
-- exists, grants and revokes roles: it reads, adds and removes rules.
DO $grant$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
		GRANT SELECT, INSERT, DELETE ON casbin_rule TO casetrail_app;
		GRANT USAGE ON SEQUENCE casbin_rule_id_seq TO casetrail_app;
	END IF;
END
$grant$;
