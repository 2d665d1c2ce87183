-- The worklist (Reader.Worklist, the case desk's "Việc cần làm") lists cases
-- by their nearest pending deadline: this index gives that order, so a
-- page reads the first matching rows instead of sorting every case in
-- scope.
CREATE INDEX cases_next_due_order ON cases (next_due_at ASC NULLS LAST, id);
