-- case_id_key is the secret new case ids derive from (schema.CaseIDFor:
-- HMAC-SHA256 of reporter and clientRequestId). Every API process reads
-- the same key, so a retried report still gets the id of its first attempt
-- and cannot open a second case, but ids cannot be computed without the
-- database. One row, written once: two v4 UUIDs from the server's strong
-- random source, 244 random bits.
CREATE TABLE case_id_key (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	key bytea NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO case_id_key (key)
SELECT decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex');

-- The evidence quota sums the evidence each subject added.
CREATE INDEX evidence_added_by ON evidence (added_by) INCLUDE (size_bytes);

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
		GRANT SELECT ON case_id_key TO casetrail_app;
	END IF;
END
$$;
