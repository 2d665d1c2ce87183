-- Status, kind, unit and severity are no longer lexemes of the search
-- vector ('status:CLOSED' and the like): a text search filters them on the
-- columns (see filters in query.go). Take them out of the stored vectors.
UPDATE cases
SET search = ts_delete(search, array_remove(ARRAY['status:' || status, 'kind:' || kind, 'unit:' || unit, 'severity:' || severity], NULL))
WHERE search IS NOT NULL AND search @@ '''status'':*'::tsquery;
