// Package readmodel is CaseTrail's read side: projections of the global
// event log into query tables, the queries the API answers from them,
// replay of a case's own stream for auditors, and the registry of units
// and official accounts.
//
// # Projection
//
// A Projector subscribes to the event store as consumer "readmodel". Each
// batch loads the cases it touches in one query, folds the events with
// incident.Apply (the domain's one fold, after ToDomain), and writes the
// changed rows in one round trip, in the transaction that advances the
// checkpoint: the tables always show a prefix of the log. Events at or
// below a case's projected version are skipped, and a case found missing
// or behind is folded from its own stream first, so a live projector and a
// Rebuild running side by side converge on the same tables. WaitFor lets a
// caller read its own command (bounded wait on the checkpoint).
//
// Tables (migrations/, versioned in readmodel_schema_version): cases (the
// folded incident.Case as JSON plus the filtered columns), case_units,
// case_subjects (normalized URL, open flag), deadlines, takedowns, evidence,
// intake (reporter + clientRequestId -> case); and the registry, which a
// rebuild never touches: units, official_accounts.
//
// # Visibility
//
// Unit ids are path-like: the subtree of "a/b" is "a/b" and every unit
// whose id starts with "a/b/". Queries take the caller's visible units (nil:
// no restriction; empty: nothing), turn them into the list of units that
// have cases in those subtrees (case_units), and filter unit = ANY(list).
//
// # Search
//
// See search.go: folded words (FoldText) in a tsvector under GIN; every
// query word must be a word of the case and the last may be the beginning
// of one; number and URL-path words are searchable from the middle; a
// query shaped like a case number is a number prefix.
//
// # Benchmarks
//
// bench_test.go runs on a data set made by Generate; see its comment for
// the command and environment. Figures measured on the shared two-core
// development machine are in the package's commit history and the
// project's README benchmark section.
package readmodel
