-- Read-model tables: projections of the global event log (rebuildable from
-- zero) and the registry of units and official accounts (admin data, never
-- truncated by a rebuild). Versions are kept in readmodel_schema_version,
-- apart from the event store's own migrations.

-- readmodel_unit_path lists a path-like unit id and all its path ancestors:
-- 'a/b/c' gives {a, a/b, a/b/c}. Unit u's subtree is every unit whose path
-- contains u.
CREATE FUNCTION readmodel_unit_path(unit text) RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN ARRAY(
		SELECT array_to_string((string_to_array(unit, '/'))[1:i], '/')
		FROM generate_series(1, cardinality(string_to_array(unit, '/'))) AS i
		ORDER BY i);

-- cases holds one row per case: the folded incident.Case as doc, plus the
-- columns the queries filter and sort on.
CREATE TABLE cases (
	id text COLLATE "C" PRIMARY KEY,
	number text COLLATE "C" NOT NULL,
	kind text NOT NULL,
	status text NOT NULL,
	severity text,
	unit text COLLATE "C" NOT NULL,
	assignee text,
	verdict text,
	reported_by text NOT NULL,
	reported_at timestamptz NOT NULL,
	resolved_at timestamptz,
	updated_at timestamptz NOT NULL,
	version bigint NOT NULL,
	-- next_due_at is the earliest due time of a PENDING deadline (NULL when none).
	next_due_at timestamptz,
	-- search holds the words of number, title, description and subject URLs,
	-- folded by incident.FoldText (see search.go). It may be NULL only in the
	-- proposed row of an upsert that keeps the stored value (unchanged text).
	search tsvector,
	global_position bigint NOT NULL,
	-- doc is the case as JSON. json (kept as text) rather than jsonb: it is
	-- only stored and returned whole, and json with lz4 costs a third of
	-- jsonb with pglz to write.
	doc json NOT NULL
) WITH (toast_tuple_target = 512, fillfactor = 90, parallel_workers = 0);
-- doc and search live out of line (toast_tuple_target = 512), so the rows
-- that counts and filters visit stay about 300 bytes wide: a count over a
-- broad search visits a third of the pages it would otherwise. search is
-- rarely read back (the GIN index answers most @@ without a recheck), so it
-- is stored uncompressed. The read model serves many small queries at once:
-- parallel workers would only take cores from the other callers
-- (parallel_workers = 0).
ALTER TABLE cases ALTER COLUMN search SET STORAGE EXTERNAL;
DO $$
BEGIN
	ALTER TABLE cases ALTER COLUMN doc SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
	NULL; -- a server built without lz4 keeps the default compression
END
$$;
-- Lists walk cases_order, or cases_status_order when they filter by
-- status; counts and statistics restricted to units and statuses read
-- cases_unit_status alone (index-only); text goes through cases_search.
CREATE INDEX cases_order ON cases (reported_at DESC, id DESC);
CREATE INDEX cases_status_order ON cases (status, reported_at DESC, id DESC);
CREATE INDEX cases_unit_status ON cases (unit, status) INCLUDE (kind, next_due_at);
CREATE INDEX cases_number ON cases (number);
CREATE INDEX cases_assignee ON cases (assignee);
CREATE INDEX cases_next_due ON cases (next_due_at) WHERE next_due_at IS NOT NULL;
CREATE INDEX cases_resolved ON cases (resolved_at) INCLUDE (reported_at, unit) WHERE resolved_at IS NOT NULL;
CREATE INDEX cases_search ON cases USING gin (search);

-- case_units lists every unit that has a case: the queries turn the caller's
-- visible subtrees into the list of these units they contain, and filter
-- cases by unit = ANY(list).
CREATE TABLE case_units (
	unit text COLLATE "C" PRIMARY KEY
);

-- case_subjects lists every subject of every case; open mirrors the case's status.
CREATE TABLE case_subjects (
	case_id text COLLATE "C" NOT NULL,
	ord int NOT NULL,
	platform text NOT NULL,
	url text NOT NULL,
	normalized_url text NOT NULL,
	display_name text,
	open boolean NOT NULL,
	PRIMARY KEY (case_id, ord)
);
CREATE INDEX case_subjects_url ON case_subjects (normalized_url);

-- deadlines carry their case's unit, so statistics filter them by
-- visibility without a join.
CREATE TABLE deadlines (
	case_id text COLLATE "C" NOT NULL,
	unit text COLLATE "C" NOT NULL,
	deadline_id text NOT NULL,
	kind text NOT NULL,
	ref text,
	started_at timestamptz NOT NULL,
	due_at timestamptz NOT NULL,
	state text NOT NULL,
	settled_at timestamptz,
	reminders int NOT NULL,
	PRIMARY KEY (case_id, deadline_id)
) WITH (parallel_workers = 0);
CREATE INDEX deadlines_settled ON deadlines (settled_at) INCLUDE (state, unit) WHERE state IN ('MET', 'MISSED');

CREATE TABLE takedowns (
	case_id text COLLATE "C" NOT NULL,
	takedown_id text NOT NULL,
	platform text NOT NULL,
	target_url text NOT NULL,
	reason text NOT NULL,
	legal_basis text,
	status text NOT NULL,
	platform_reference text,
	requested_by text NOT NULL,
	requested_at timestamptz NOT NULL,
	responded_at timestamptz,
	due_at timestamptz NOT NULL,
	PRIMARY KEY (case_id, takedown_id)
);

CREATE TABLE evidence (
	case_id text COLLATE "C" NOT NULL,
	evidence_id text NOT NULL,
	description text NOT NULL,
	url text,
	sha256 text NOT NULL,
	media_type text NOT NULL,
	size_bytes bigint NOT NULL,
	added_by text NOT NULL,
	added_at timestamptz NOT NULL,
	PRIMARY KEY (case_id, evidence_id)
);

-- intake maps a reporter's idempotency key to the case that received the
-- report (CaseReported or ReportMerged). The first report with a key wins.
CREATE TABLE intake (
	reporter text NOT NULL,
	client_request_id text NOT NULL,
	case_id text COLLATE "C" NOT NULL,
	merged boolean NOT NULL,
	global_position bigint NOT NULL,
	PRIMARY KEY (reporter, client_request_id)
);

-- The registry: plain admin data.
CREATE TABLE units (
	id text COLLATE "C" PRIMARY KEY,
	name text NOT NULL,
	parent text COLLATE "C" REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
	escalates_to text COLLATE "C" REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
	symbol text,
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (id <> ''),
	CHECK (parent IS NULL OR parent <> id)
);
CREATE INDEX units_parent ON units (parent);

CREATE TABLE official_accounts (
	id text COLLATE "C" PRIMARY KEY,
	unit text COLLATE "C" NOT NULL REFERENCES units (id),
	platform text NOT NULL,
	url text NOT NULL,
	normalized_url text NOT NULL UNIQUE,
	display_name text NOT NULL,
	verified boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX official_accounts_unit ON official_accounts (unit);

-- The application role of the event store (casetrail_app), when it exists,
-- may maintain the projections and the registry.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
		GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON cases, case_units, case_subjects, deadlines, takedowns, evidence, intake TO casetrail_app;
		GRANT SELECT, INSERT, UPDATE ON units, official_accounts TO casetrail_app;
	END IF;
END
$$;
