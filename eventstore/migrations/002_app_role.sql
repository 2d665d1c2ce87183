-- casetrail_app is the role the application should run as (NOLOGIN: grant it
-- to a login role, or SET ROLE to it). It can read and append, never rewrite:
--   events, blobs:             SELECT, INSERT (events are inserted through casetrail_append)
--   subscription_checkpoints:  SELECT, INSERT, UPDATE
--   casetrail_append(...):     EXECUTE
-- Roles are cluster-wide: the role is created only when missing, and a
-- concurrent creator in another database is tolerated. The migrating user
-- needs CREATEROLE unless the role already exists.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        BEGIN
            CREATE ROLE casetrail_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO casetrail_app', current_schema());
END
$$;

GRANT SELECT, INSERT ON events, blobs TO casetrail_app;
GRANT SELECT, INSERT, UPDATE ON subscription_checkpoints TO casetrail_app;
GRANT EXECUTE ON FUNCTION casetrail_append(integer[], text[], text[], bigint[], text[], integer[], text[],
    text[], timestamptz[], timestamptz[], text[], text[]) TO casetrail_app;
