-- Token revocation (DESIGN.md tokens; issue 12): a deny list of token ids
-- (jti) and a per-subject "not before" (tokens issued before it are refused).
-- Every API instance keeps both in memory and reloads them on NOTIFY
-- casetrail_tokens, raised by the triggers below, and every few seconds.
CREATE TABLE token_revocations (
    jti        text PRIMARY KEY CHECK (jti <> ''),
    -- expires_at, when known, lets instances forget the entry once the
    -- token could no longer be accepted anyway.
    expires_at timestamptz,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    revoked_by text NOT NULL DEFAULT '',
    reason     text NOT NULL DEFAULT ''
);

CREATE TABLE token_subject_revocations (
    subject    text PRIMARY KEY CHECK (subject <> ''),
    not_before timestamptz NOT NULL,
    revoked_by text NOT NULL DEFAULT '',
    reason     text NOT NULL DEFAULT ''
);

CREATE FUNCTION casetrail_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('casetrail_tokens', '');
    RETURN NULL;
END $$;

CREATE TRIGGER token_revocations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON token_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION casetrail_tokens_notify();
CREATE TRIGGER token_subject_revocations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON token_subject_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION casetrail_tokens_notify();

-- The application role may read and add revocations, never take one back.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT, UPDATE ON token_revocations, token_subject_revocations TO casetrail_app;
    END IF;
END
$$;
