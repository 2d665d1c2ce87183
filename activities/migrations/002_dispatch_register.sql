-- The dispatch register (sổ đăng ký văn bản đi) of the units that issue
-- letters (issue 16; Decree 30/2020/NĐ-CP, Art. 15): the issuing unit
-- numbers its own documents per calendar year (Asia/Ho_Chi_Minh), from 1
-- on 1 January.
--
-- One row per letter, keyed by what is numbered (an escalation of a case:
-- "<case id>@<requested at>"), so a retried activity finds its number
-- again. A unit whose register CaseTrail keeps takes the next number of
-- its counter row in casetrail_counters (scope "issuer:<unit>") in the
-- same transaction that inserts the row: numbers are gap-free per unit and
-- year. A unit whose clerk numbers by hand (manual) has the typed number
-- recorded; UNIQUE (issuer, year, n) refuses a number already used, and
-- the counter is raised to it so that numbers CaseTrail gives later never
-- collide with it.
--
-- A row is first a number (pdf_sha256 NULL); once the letter is rendered
-- and stored, its signer and the SHA-256 of its PDF and DOCX complete it
-- and the row is final. A typed number not yet issued may be replaced (the
-- leader approves again with another number after a refusal).
CREATE TABLE casetrail_dispatch_register (
    key         text        PRIMARY KEY,
    issuer      text        NOT NULL,
    year        int         NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    n           int         NOT NULL CHECK (n >= 1),
    symbol      text        NOT NULL,
    manual      boolean     NOT NULL,
    issued_at   timestamptz NOT NULL,
    case_id     text        NOT NULL,
    signer      jsonb,
    pdf_sha256  text,
    docx_sha256 text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, year, n)
);

CREATE FUNCTION casetrail_dispatch_register_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the dispatch register keeps every number; % cannot be deleted', OLD.key;
    END IF;
    IF OLD.pdf_sha256 IS NOT NULL THEN
        RAISE EXCEPTION 'dispatch % is issued; its register entry is final', OLD.key;
    END IF;
    IF NEW.key <> OLD.key OR NEW.issuer <> OLD.issuer OR NEW.case_id <> OLD.case_id
       OR NEW.manual <> OLD.manual OR NEW.symbol <> OLD.symbol
       OR (NOT OLD.manual AND (NEW.n <> OLD.n OR NEW.year <> OLD.year OR NEW.issued_at <> OLD.issued_at)) THEN
        RAISE EXCEPTION 'dispatch %: only a typed number not yet issued may change', OLD.key;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER casetrail_dispatch_register_guard
    BEFORE UPDATE OR DELETE ON casetrail_dispatch_register
    FOR EACH ROW EXECUTE FUNCTION casetrail_dispatch_register_guard();

-- The application role of the event store, when it exists, numbers and
-- completes rows; the trigger keeps issued ones as they are.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
        GRANT SELECT, INSERT, UPDATE ON casetrail_dispatch_register TO casetrail_app;
    END IF;
END
$$;
