-- The numbering tables of AllocateCaseNumber and SendEscalation. A counter
-- row per (scope, year) hands out n = 1, 2, 3, ...; the allocation row, keyed
-- by what is numbered (a case id, an escalation), commits in the same
-- transaction, so a number is either used or never taken (gap-free) and
-- asking again for the same key returns the same number (idempotent).
--
-- IF NOT EXISTS: databases set up before this migration already have these
-- tables (the activities created them at start); they are kept as they are.
CREATE TABLE IF NOT EXISTS casetrail_counters (
    scope text   NOT NULL,
    year  int    NOT NULL,
    last  bigint NOT NULL,
    PRIMARY KEY (scope, year)
);
CREATE TABLE IF NOT EXISTS casetrail_allocations (
    key          text        PRIMARY KEY,
    scope        text        NOT NULL,
    year         int         NOT NULL,
    n            bigint      NOT NULL,
    value        text        NOT NULL,
    allocated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scope, year, n)
);

-- The application role of the event store (eventstore migrations), when it
-- exists, may take numbers but never rewrite one.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT, UPDATE ON casetrail_counters TO casetrail_app;
        GRANT SELECT, INSERT ON casetrail_allocations TO casetrail_app;
    END IF;
END
$$;
