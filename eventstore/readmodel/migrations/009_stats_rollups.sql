-- Issue 15 (the overview's speed, ui_overview_p95_ms): daily rollups of the
-- projections that stats and its breakdowns count, so that a province's
-- year (80,000 cases, 300,000 settled deadlines) is read as a few thousand
-- rows instead of every case, deadline and takedown. Days are those of
-- Asia/Ho_Chi_Minh. A statistic over [from, to) reads the whole days of its
-- window here and the parts of a day at its edges from the tables
-- themselves (rollup.go), so every figure stays exactly what the tables
-- give.
--
--   stats_case_days:     cases by unit, day reported, kind and status; n
--                        cases, missed of them with missed_at set.
--   stats_deadline_days: deadlines MET or MISSED by unit and day settled.
--   stats_takedown_days: takedown requests by the case's unit, day
--                        requested, platform and status.
--
-- Statement triggers with transition tables keep them: one grouped upsert
-- per statement of the projector (a batch's upsert, delete, insert or
-- COPY), not one per row; a row that falls to zero is deleted. The rebuild
-- truncates them with the tables they roll up (projectedTables), turns the
-- triggers off for its batches (casetrail.rollups) and recounts at the end.
CREATE TABLE IF NOT EXISTS stats_case_days (
	unit text COLLATE "C" NOT NULL,
	day date NOT NULL,
	kind text NOT NULL,
	status text NOT NULL,
	n integer NOT NULL,
	missed integer NOT NULL,
	PRIMARY KEY (unit, day, kind, status)
);
CREATE TABLE IF NOT EXISTS stats_deadline_days (
	unit text COLLATE "C" NOT NULL,
	day date NOT NULL,
	met integer NOT NULL,
	missed integer NOT NULL,
	PRIMARY KEY (unit, day)
);
CREATE TABLE IF NOT EXISTS stats_takedown_days (
	unit text COLLATE "C" NOT NULL,
	day date NOT NULL,
	platform text NOT NULL,
	status text NOT NULL,
	n integer NOT NULL,
	PRIMARY KEY (unit, day, platform, status)
);

-- readmodel_day is the day of t in Vietnam.
CREATE OR REPLACE FUNCTION readmodel_day(t timestamptz) RETURNS date
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN (t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;

CREATE OR REPLACE FUNCTION stats_cases_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_case_days AS s (unit, day, kind, status, n, missed)
	SELECT unit, readmodel_day(reported_at), kind, status, count(*), count(*) FILTER (WHERE missed_at IS NOT NULL)
	FROM new_rows GROUP BY 1, 2, 3, 4
	ON CONFLICT (unit, day, kind, status) DO UPDATE SET n = s.n + excluded.n, missed = s.missed + excluded.missed;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_cases_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_case_days AS s (unit, day, kind, status, n, missed)
	SELECT unit, readmodel_day(reported_at), kind, status, -count(*), -count(*) FILTER (WHERE missed_at IS NOT NULL)
	FROM old_rows GROUP BY 1, 2, 3, 4
	ON CONFLICT (unit, day, kind, status) DO UPDATE SET n = s.n + excluded.n, missed = s.missed + excluded.missed;
	DELETE FROM stats_case_days s WHERE s.n = 0 AND s.missed = 0
		AND (s.unit, s.day) IN (SELECT o.unit, readmodel_day(o.reported_at) FROM old_rows o);
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_cases_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_case_days AS s (unit, day, kind, status, n, missed)
	SELECT unit, day, kind, status, sum(d), sum(m) FROM (
		SELECT o.unit, readmodel_day(o.reported_at) AS day, o.kind, o.status, -1 AS d, -(o.missed_at IS NOT NULL)::int AS m
		FROM old_rows o
		UNION ALL
		SELECT n.unit, readmodel_day(n.reported_at), n.kind, n.status, 1, (n.missed_at IS NOT NULL)::int
		FROM new_rows n
	) x GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 OR sum(m) <> 0
	ON CONFLICT (unit, day, kind, status) DO UPDATE SET n = s.n + excluded.n, missed = s.missed + excluded.missed;
	DELETE FROM stats_case_days s WHERE s.n = 0 AND s.missed = 0
		AND (s.unit, s.day) IN (SELECT o.unit, readmodel_day(o.reported_at) FROM old_rows o);
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_deadlines_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_deadline_days AS s (unit, day, met, missed)
	SELECT unit, readmodel_day(settled_at), count(*) FILTER (WHERE state = 'MET'), count(*) FILTER (WHERE state = 'MISSED')
	FROM new_rows WHERE state IN ('MET', 'MISSED') AND settled_at IS NOT NULL GROUP BY 1, 2
	ON CONFLICT (unit, day) DO UPDATE SET met = s.met + excluded.met, missed = s.missed + excluded.missed;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_deadlines_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_deadline_days AS s (unit, day, met, missed)
	SELECT unit, readmodel_day(settled_at), -count(*) FILTER (WHERE state = 'MET'), -count(*) FILTER (WHERE state = 'MISSED')
	FROM old_rows WHERE state IN ('MET', 'MISSED') AND settled_at IS NOT NULL GROUP BY 1, 2
	ON CONFLICT (unit, day) DO UPDATE SET met = s.met + excluded.met, missed = s.missed + excluded.missed;
	DELETE FROM stats_deadline_days s WHERE s.met = 0 AND s.missed = 0
		AND (s.unit, s.day) IN (SELECT o.unit, readmodel_day(o.settled_at) FROM old_rows o WHERE o.settled_at IS NOT NULL);
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_deadlines_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_deadline_days AS s (unit, day, met, missed)
	SELECT unit, day, sum(met), sum(missed) FROM (
		SELECT o.unit, readmodel_day(o.settled_at) AS day, -(o.state = 'MET')::int AS met, -(o.state = 'MISSED')::int AS missed
		FROM old_rows o WHERE o.state IN ('MET', 'MISSED') AND o.settled_at IS NOT NULL
		UNION ALL
		SELECT n.unit, readmodel_day(n.settled_at), (n.state = 'MET')::int, (n.state = 'MISSED')::int
		FROM new_rows n WHERE n.state IN ('MET', 'MISSED') AND n.settled_at IS NOT NULL
	) x GROUP BY 1, 2 HAVING sum(met) <> 0 OR sum(missed) <> 0
	ON CONFLICT (unit, day) DO UPDATE SET met = s.met + excluded.met, missed = s.missed + excluded.missed;
	DELETE FROM stats_deadline_days s WHERE s.met = 0 AND s.missed = 0
		AND (s.unit, s.day) IN (SELECT o.unit, readmodel_day(o.settled_at) FROM old_rows o WHERE o.settled_at IS NOT NULL);
	RETURN NULL;
END $$;

-- A takedown counts in its case's unit (a case never changes unit).
CREATE OR REPLACE FUNCTION stats_takedowns_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_takedown_days AS s (unit, day, platform, status, n)
	SELECT c.unit, readmodel_day(t.requested_at), t.platform, t.status, count(*)
	FROM new_rows t JOIN cases c ON c.id = t.case_id GROUP BY 1, 2, 3, 4
	ON CONFLICT (unit, day, platform, status) DO UPDATE SET n = s.n + excluded.n;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_takedowns_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_takedown_days AS s (unit, day, platform, status, n)
	SELECT c.unit, readmodel_day(t.requested_at), t.platform, t.status, -count(*)
	FROM old_rows t JOIN cases c ON c.id = t.case_id GROUP BY 1, 2, 3, 4
	ON CONFLICT (unit, day, platform, status) DO UPDATE SET n = s.n + excluded.n;
	DELETE FROM stats_takedown_days s WHERE s.n = 0
		AND s.day IN (SELECT readmodel_day(o.requested_at) FROM old_rows o);
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_takedowns_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('casetrail.rollups', true) = 'off' THEN
		RETURN NULL; -- a rebuild's batch: readmodel_stats_recount follows
	END IF;
	INSERT INTO stats_takedown_days AS s (unit, day, platform, status, n)
	SELECT unit, day, platform, status, sum(d) FROM (
		SELECT c.unit, readmodel_day(o.requested_at) AS day, o.platform, o.status, -1 AS d
		FROM old_rows o JOIN cases c ON c.id = o.case_id
		UNION ALL
		SELECT c.unit, readmodel_day(n.requested_at), n.platform, n.status, 1
		FROM new_rows n JOIN cases c ON c.id = n.case_id
	) x GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0
	ON CONFLICT (unit, day, platform, status) DO UPDATE SET n = s.n + excluded.n;
	DELETE FROM stats_takedown_days s WHERE s.n = 0
		AND s.day IN (SELECT readmodel_day(o.requested_at) FROM old_rows o);
	RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER stats_cases_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_cases_ins();
CREATE OR REPLACE TRIGGER stats_cases_upd AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_cases_upd();
CREATE OR REPLACE TRIGGER stats_cases_del AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_cases_del();
CREATE OR REPLACE TRIGGER stats_deadlines_ins AFTER INSERT ON deadlines REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_deadlines_ins();
CREATE OR REPLACE TRIGGER stats_deadlines_upd AFTER UPDATE ON deadlines REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_deadlines_upd();
CREATE OR REPLACE TRIGGER stats_deadlines_del AFTER DELETE ON deadlines REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_deadlines_del();
CREATE OR REPLACE TRIGGER stats_takedowns_ins AFTER INSERT ON takedowns REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_takedowns_ins();
CREATE OR REPLACE TRIGGER stats_takedowns_upd AFTER UPDATE ON takedowns REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_takedowns_upd();
CREATE OR REPLACE TRIGGER stats_takedowns_del AFTER DELETE ON takedowns REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION stats_takedowns_del();

-- readmodel_stats_recount computes the rollups again from the tables: the
-- backfill below, and the end of a rebuild, whose batches set
-- casetrail.rollups to off (one grouped count at the end costs less than
-- keeping the rollups batch by batch).
CREATE OR REPLACE FUNCTION readmodel_stats_recount() RETURNS void LANGUAGE sql AS $$
	TRUNCATE stats_case_days, stats_deadline_days, stats_takedown_days;
	INSERT INTO stats_case_days (unit, day, kind, status, n, missed)
	SELECT unit, readmodel_day(reported_at), kind, status, count(*), count(*) FILTER (WHERE missed_at IS NOT NULL)
	FROM cases GROUP BY 1, 2, 3, 4;
	INSERT INTO stats_deadline_days (unit, day, met, missed)
	SELECT unit, readmodel_day(settled_at), count(*) FILTER (WHERE state = 'MET'), count(*) FILTER (WHERE state = 'MISSED')
	FROM deadlines WHERE state IN ('MET', 'MISSED') AND settled_at IS NOT NULL GROUP BY 1, 2;
	INSERT INTO stats_takedown_days (unit, day, platform, status, n)
	SELECT c.unit, readmodel_day(t.requested_at), t.platform, t.status, count(*)
	FROM takedowns t JOIN cases c ON c.id = t.case_id GROUP BY 1, 2, 3, 4;
$$;

-- Backfill what was projected before (idempotent: recomputed whole).
SELECT readmodel_stats_recount();

-- The overdue figure (a pending deadline already due) of a window: the few
-- cases past due, by unit.
CREATE INDEX IF NOT EXISTS cases_due_unit ON cases (next_due_at, unit) INCLUDE (reported_at) WHERE next_due_at IS NOT NULL;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
		GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON stats_case_days, stats_deadline_days, stats_takedown_days TO casetrail_app;
		GRANT EXECUTE ON FUNCTION readmodel_stats_recount() TO casetrail_app;
	END IF;
END
$$;
