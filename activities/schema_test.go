package activities_test

import (
	"context"
	"strings"
	"testing"

	"casetrail/activities"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
)

// legacyNumbersDDL is what the activities ran at start before the numbering
// tables became a migration (activities/migrations/001_numbers.sql).
const legacyNumbersDDL = `
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
);`

// TestEnsureSchemaUpgradesLegacyTables: a database whose numbering tables
// were made by the old start-up code migrates cleanly, keeps its numbers and
// goes on numbering after them.
func TestEnsureSchemaUpgradesLegacyTables(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	s, err := eventstore.Open(ctx, dbURL+sep+"pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	pool := s.Pool()
	if _, err := pool.Exec(ctx, legacyNumbersDDL); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO casetrail_counters VALUES ('case', 2030, 1);
		INSERT INTO casetrail_allocations (key, scope, year, n, value) VALUES ('case:old', 'case', 2030, 1, 'VV-2030-000001')`); err != nil {
		t.Fatal(err)
	}
	for range 2 { // idempotent
		if err := activities.EnsureSchema(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	var version int32
	if err := pool.QueryRow(ctx, "SELECT version FROM "+activities.VersionTable).Scan(&version); err != nil || version < 1 {
		t.Fatalf("schema version %d (%v), want the numbering tables' migration applied", version, err)
	}
	a := &activities.Activities{Store: s}
	for _, tc := range []struct{ id, want string }{{"old", "VV-2030-000001"}, {"new", "VV-2030-000002"}} {
		n, err := a.AllocateCaseNumber(ctx, activities.AllocateInput{CaseID: tc.id, Year: 2030})
		if err != nil || n != tc.want {
			t.Fatalf("case %s: %q (%v), want %q", tc.id, n, err, tc.want)
		}
	}
}
