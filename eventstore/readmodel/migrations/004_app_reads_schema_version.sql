-- The server's own role (a member of casetrail_app) checks at start that the
-- read model is at the newest version, without creating anything.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
		GRANT SELECT ON readmodel_schema_version TO casetrail_app;
	END IF;
END
$$;
