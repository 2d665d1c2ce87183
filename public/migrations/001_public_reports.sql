-- The citizens' report form (issue 18, package public). The case's own
-- history knows a public report only by its channel (CaseReported and
-- ReportMerged carry channel PUBLIC); what is here is kept apart from it.

-- The secret of the duplicate keys (public_recent): one row, written once,
-- 244 random bits from the server's strong random source.
CREATE TABLE public_secret (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    key bytea NOT NULL CHECK (length(key) >= 32)
);
INSERT INTO public_secret (key)
SELECT decode(replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''), 'hex');

-- One row per public report: the SHA-256 of its tracking code (the code
-- itself is shown once to the citizen and kept here only for the duplicate
-- window, in public_recent) and the case the report went to (opened, or
-- merged into).
CREATE TABLE public_reports (
    code_sha256 bytea PRIMARY KEY CHECK (length(code_sha256) = 32),
    case_id     text NOT NULL,
    unit        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX public_reports_case ON public_reports (case_id);

-- The contact a citizen left with a report: personal data (Decree
-- 13/2023/NĐ-CP), never written to an event, so that it can be erased:
-- public.Service.Purge deletes it once the retention has passed, and a
-- DELETE erases it on request. Shown to the handlers and leaders of the
-- case's unit only (GraphQL Case.publicReporters).
CREATE TABLE public_reporters (
    code_sha256     bytea PRIMARY KEY REFERENCES public_reports ON DELETE CASCADE,
    case_id         text NOT NULL,
    name            text NOT NULL CHECK (length(name) <= 100),
    phone           text NOT NULL CHECK (phone ~ '^(\+?[0-9]{8,15})?$'),
    consent_at      timestamptz NOT NULL,
    consent_version text NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK (name <> '' OR phone <> '')
);
CREATE INDEX public_reporters_case ON public_reporters (case_id);
CREATE INDEX public_reporters_created ON public_reporters (created_at);

-- Recent reports, for duplicate suppression: the same links to the same
-- unit from the same client address within the window answer the earlier
-- tracking code. dedupe_key is an HMAC (public_secret) of the address, the
-- unit and the links, so the address is not kept; rows older than the
-- window are deleted (public.Service.Purge, and before each lookup).
CREATE TABLE public_recent (
    dedupe_key bytea NOT NULL,
    code       text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX public_recent_key ON public_recent (dedupe_key, created_at);
CREATE INDEX public_recent_created ON public_recent (created_at);

-- The application role (eventstore migrations), when it exists: it reads
-- the secret, records reports and contacts, and deletes what has expired.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT ON public_secret TO casetrail_app;
        GRANT SELECT, INSERT ON public_reports TO casetrail_app;
        GRANT SELECT, INSERT, DELETE ON public_reporters, public_recent TO casetrail_app;
    END IF;
END
$$;
