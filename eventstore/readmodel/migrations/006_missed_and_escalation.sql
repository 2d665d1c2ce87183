-- Issue 15 (leaders): two columns of cases the projector writes from the
-- folded case (project.go, caseRows.add), and the indexes of their reads.
--
-- missed_at is incident.Case.MissedAt: when the earliest deadline that was
-- missed and whose step has not happened yet was missed (NULL when none).
-- It drives stats.missed, the filter missedDeadline and the watch list
-- (Reader.Watchlist, newest miss last). escalation_status is the status of
-- the case's escalation (NULL when none), for the filter escalationStatus
-- (the leaders' approval inbox).
--
-- This file may run again on a migrated database (the read-model tests do,
-- to check the backfill against the Go rule): every statement is
-- idempotent.
ALTER TABLE cases ADD COLUMN IF NOT EXISTS missed_at timestamptz;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS escalation_status text;

-- Backfill the cases projected before this migration, from their stored
-- documents, by the rule of incident.Case.MissedDeadlines (the projector
-- keeps the columns from then on).
UPDATE cases SET escalation_status = doc->'escalation'->>'status'
WHERE escalation_status IS DISTINCT FROM doc->'escalation'->>'status';

UPDATE cases c SET missed_at = m.at
FROM (
	SELECT o.id, min(coalesce((d.v->>'settledAt')::timestamptz, (d.v->>'dueAt')::timestamptz)) AS at
	FROM cases o
	CROSS JOIN LATERAL json_array_elements(o.doc->'deadlines') WITH ORDINALITY AS d(v, i)
	WHERE o.status IN ('REPORTED', 'TRIAGED', 'ANALYSIS', 'ACTION', 'ESCALATED')
		AND o.id IN (SELECT case_id FROM deadlines WHERE state = 'MISSED')
		AND d.v->>'state' = 'MISSED'
		-- no later deadline of the same kind and ref restarted the wait
		AND NOT EXISTS (
			SELECT 1 FROM json_array_elements(o.doc->'deadlines') WITH ORDINALITY AS l(v, j)
			WHERE l.j > d.i AND l.v->>'kind' = d.v->>'kind' AND coalesce(l.v->>'ref', '') = coalesce(d.v->>'ref', ''))
		-- the step it waited for has not happened
		AND CASE d.v->>'kind'
			WHEN 'TRIAGE' THEN o.status = 'REPORTED'
			WHEN 'ANALYSIS' THEN coalesce(json_typeof(o.doc->'analysis'), 'null') <> 'object'
				OR (o.doc->'analysis'->>'recordedAt')::timestamptz < (d.v->>'startedAt')::timestamptz
			WHEN 'TAKEDOWN_RESPONSE' THEN EXISTS (
				SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(o.doc->'takedowns') = 'array'
					THEN o.doc->'takedowns' ELSE '[]'::json END) AS t(v)
				WHERE t.v->>'id' = d.v->>'ref' AND t.v->>'respondedAt' IS NULL AND t.v->>'status' <> 'WITHDRAWN')
			WHEN 'ESCALATION_APPROVAL' THEN o.doc->'escalation'->>'status' = 'PENDING_APPROVAL'
			WHEN 'ESCALATION_RESPONSE' THEN coalesce(json_typeof(o.doc->'escalation'), 'null') = 'object'
				AND o.doc->'escalation'->>'respondedAt' IS NULL
			ELSE TRUE
		END
	GROUP BY o.id
) m
WHERE m.id = c.id AND c.missed_at IS DISTINCT FROM m.at;

-- Counts and statistics restricted to units and statuses stay index-only
-- with the new figure (stats.missed).
DROP INDEX IF EXISTS cases_unit_status;
CREATE INDEX cases_unit_status ON cases (unit, status) INCLUDE (kind, next_due_at, missed_at);
-- The watch list: longest missed first.
CREATE INDEX IF NOT EXISTS cases_missed_order ON cases (missed_at, id) WHERE missed_at IS NOT NULL;
-- The approval inbox: the few cases with an escalation in a given status.
CREATE INDEX IF NOT EXISTS cases_escalation ON cases (escalation_status, unit) WHERE escalation_status IS NOT NULL;
-- stats.takedownsByPlatform: takedowns requested in a window.
CREATE INDEX IF NOT EXISTS takedowns_requested ON takedowns (requested_at) INCLUDE (case_id, platform, status);
