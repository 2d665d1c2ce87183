-- The worklist (Reader.Worklist, the case desk's "Việc cần làm") lists the
-- open cases by their nearest pending deadline, cases without one last.
-- This index holds the open cases only (the statuses incident.Status.Open
-- calls open; TestWorklistIndex checks the two agree) in that order, so a
-- page of a district's worklist reads its first rows instead of sorting
-- every case in scope, and costs nothing for the many closed cases. A
-- worklist filtered on closed statuses sorts those cases instead.
CREATE INDEX cases_worklist_open ON cases (next_due_at, id)
	WHERE status IN ('REPORTED', 'TRIAGED', 'ANALYSIS', 'ACTION', 'ESCALATED');
