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
// intake (reporter + clientRequestId -> case); and the registry: units,
// official_accounts, which a rebuild does not truncate (see below).
//
// # Admin stream
//
// Every change of the registry (units, official accounts), of role grants
// and of the users of the web interface is an event of one stream,
// AdminStream ("admin-registry"): UnitDefined, UnitChanged, UnitClosed,
// OfficialAccountRegistered, OfficialAccountChanged, RoleGranted,
// RoleRevoked, UserCreated, PasswordReset, UserDisabled, UserEnabled,
// UserEmailChanged, with
// the actor and the reason in the metadata, hash-chained
// and verified like every other stream (casetrail verify walks all streams).
// One stream for the deployment rather than one per unit: admin changes are
// rare, one stream gives them one order that auditors read and page through
// (Registry.AdminHistory, GraphQL adminHistory), and a change spanning units
// needs no choice of stream. Only actual changes are recorded: DefineUnits
// compares with the stored units, RegisterOfficialAccount of a registered
// URL appends nothing, so the seed applied at every start records nothing
// when it is unchanged.
//
// Consistency: the event store appends through its own committer, so an
// event and a registry row cannot share a transaction. The event is
// appended first and the row written after it by an idempotent write (the
// row is the projection of its event), so nothing changes without its
// event; a refused change (unknown parent, cycle) is checked in a rolled
// back transaction before anything is appended. A crash between the append
// and the write leaves an event without its row: ReplayAdmin writes the
// registry again from the stream, at every start of casetrail (before the
// seed) and in Projector.Rebuild. It restores what the events say and
// leaves rows no event describes (written before the stream existed). The
// live projector ignores the stream (it folds only case streams,
// incident.CaseIDOf). Admin
// changes hold a PostgreSQL advisory lock, so processes starting together
// with the same seed record each change once. Grants live in the
// authorizer's table and users in the web interface's (packages api and
// web, which this package does not import): Record (ChangeGrant) checks,
// appends the event and runs the caller's change under the admin lock; a
// change cut short after its event is reported to its caller, who makes it
// again (recorded again). Admin (administration.go) is the one path of the
// administration's changes, for the API and the command line.
// UnitHistory (unit_history.go) folds the stream's unit events into the
// units as they were at a moment (incident.UnitHistory): caseAsOf and the
// periodic report name units as they were then.
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
// bench_test.go runs on a data set made by casetrail/internal/benchdata (see
// its comment for the environment and the targets). Autovacuum may be off on
// a test server, so it vacuums once after loading, as autovacuum would:
//
//	CASETRAIL_BENCH_CASES=100000 go test -run '^$' -bench 'List|Search|CaseAsOf|Verify|Stats' -benchtime 200x ./eventstore/readmodel/
//	CASETRAIL_BENCH_CASES=100000 go test -run '^$' -bench Rebuild -benchtime 2x ./eventstore/readmodel/
//
// The figures depend on the machine and its load and are not kept here: they
// are measured by casetrail bench (and by these benchmarks) when wanted.
package readmodel
