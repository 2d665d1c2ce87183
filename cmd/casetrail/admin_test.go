package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/incident"
)

// adminEventView is one event of adminHistory as the API shows it.
type adminEventView struct {
	Version int    `json:"version"`
	Type    string `json:"type"`
	Actor   string `json:"actor"`
	Reason  string `json:"reason"`
	Data    string `json:"data"`
}

const adminHistoryQuery = `query($after: String) { adminHistory(limit: 1000, after: $after) { version type actor reason data } }`

func (s *server) adminHistory(t *testing.T, sub string) []adminEventView {
	t.Helper()
	var out struct {
		AdminHistory []adminEventView `json:"adminHistory"`
	}
	s.must(t, sub, adminHistoryQuery, nil, &out)
	return out.AdminHistory
}

func countTypes(evs []adminEventView) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		m[e.Type]++
	}
	return m
}

// TestAdminStreamEndToEnd walks finding 10 of issue 12 through the real
// binary: the seed's units, grants and accounts are events with actor
// "seed" and the seed file as reason; re-applying the unchanged seed records
// nothing; registerOfficialAccount records the caller and the reason; an
// auditor reads it all, a reporter is FORBIDDEN; a changed seed records
// only what changed; `casetrail rebuild` restores the registry from the
// stream; `casetrail verify` catches an edited admin event.
func TestAdminStreamEndToEnd(t *testing.T) {
	s := newServer(t, serverOptions{})
	demo := seedFile(t)

	data, err := os.ReadFile(demo)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := ParseSeed(demo, data)
	if err != nil {
		t.Fatal(err)
	}
	// One event per unit, grant, account and user of the seed.
	want := map[string]int{"UnitDefined": len(seed.Units), "RoleGranted": len(seed.Grants),
		"OfficialAccountRegistered": len(seed.OfficialAccounts), "UserCreated": len(seed.Users)}
	seeded := len(seed.Units) + len(seed.Grants) + len(seed.OfficialAccounts) + len(seed.Users)
	evs := s.adminHistory(t, "auditor1")
	if got := countTypes(evs); !maps.Equal(got, want) {
		t.Fatalf("admin stream after the first start: %v, want %v", got, want)
	}
	for _, e := range evs {
		if e.Actor != "seed" || e.Reason != "seed file "+demo {
			t.Fatalf("seed event %d: actor %q reason %q", e.Version, e.Actor, e.Reason)
		}
	}
	if e := evs[len(seed.Units)]; e.Type != "RoleGranted" || !strings.Contains(e.Data, `"subject":"handler1"`) {
		t.Errorf("first grant: %+v", e)
	}

	s.refused(t, "reporter1", adminHistoryQuery, nil, incident.CodeForbidden)
	s.refused(t, "leader1", adminHistoryQuery, nil, incident.CodeForbidden)

	var reg struct {
		RegisterOfficialAccount struct{ ID string } `json:"registerOfficialAccount"`
	}
	s.must(t, "admin1", `mutation { registerOfficialAccount(unit: "lai-chau/cong-an", platform: TIKTOK,
		url: "https://www.tiktok.com/@congantinhlaichau", displayName: "Công an tỉnh Lai Châu", reason: "Công văn 123/CAT ngày 1/12") { id } }`, nil, &reg)
	// The same account again: idempotent, nothing recorded.
	s.must(t, "admin1", `mutation { registerOfficialAccount(unit: "lai-chau/cong-an", platform: TIKTOK,
		url: "https://tiktok.com/@congantinhlaichau", displayName: "Công an tỉnh Lai Châu") { id } }`, nil, nil)
	evs = s.adminHistory(t, "admin1")
	if len(evs) != seeded+1 {
		t.Fatalf("%d admin events after registering, want %d", len(evs), seeded+1)
	}
	last := evs[seeded]
	if last.Type != "OfficialAccountRegistered" || last.Actor != "admin1" || last.Reason != "Công văn 123/CAT ngày 1/12" ||
		!strings.Contains(last.Data, reg.RegisterOfficialAccount.ID) {
		t.Fatalf("registered account event: %+v", last)
	}
	var page struct {
		AdminHistory []adminEventView `json:"adminHistory"`
	}
	s.must(t, "auditor1", adminHistoryQuery, map[string]any{"after": strconv.Itoa(seeded)}, &page)
	if len(page.AdminHistory) != 1 || page.AdminHistory[0].Version != seeded+1 {
		t.Fatalf("after %d: %+v", seeded, page.AdminHistory)
	}

	// Restart on the same seed: nothing recorded.
	if err := s.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	s.start()
	if n := len(s.adminHistory(t, "auditor1")); n != seeded+1 {
		t.Fatalf("%d admin events after restarting on the same seed, want %d", n, seeded+1)
	}

	// A changed seed: one grant more, one unit renamed.
	changed := strings.Replace(string(data), `name: "Tân Uyên"`, `name: "Khu vực Tân Uyên"`, 1)
	changed = strings.Replace(changed, "grants:\n", "grants:\n  - {subject: auditor2, role: AUDITOR, unit: lai-chau}\n", 1)
	if changed == string(data) {
		t.Fatal("the demo seed changed shape: the test's edits do not apply")
	}
	s.seed = filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(s.seed, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	s.start()
	evs = s.adminHistory(t, "auditor2") // the new grant works
	if len(evs) != seeded+3 {
		t.Fatalf("%d admin events after the changed seed, want %d: %+v", len(evs), seeded+3, evs[seeded+1:])
	}
	for i, typ := range []string{"UnitChanged", "RoleGranted"} {
		e := evs[seeded+1+i]
		if e.Type != typ || e.Actor != "seed" || e.Reason != "seed file "+s.seed {
			t.Errorf("change %d: %+v, want %s by seed from %s", i, e, typ, s.seed)
		}
	}

	// The registry is a projection of the stream: rows deleted behind its
	// back come back with `casetrail rebuild` (the server is stopped, so
	// nothing else writes them).
	if err := s.stop(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	count := func() (n int) {
		t.Helper()
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM official_accounts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := conn.Exec(ctx, `DELETE FROM official_accounts`); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run("rebuild"); err != nil {
		t.Fatalf("casetrail rebuild: %v\n%s", err, out)
	}
	if n := count(); n != len(seed.OfficialAccounts)+1 {
		t.Fatalf("%d official accounts after rebuild, want %d", n, len(seed.OfficialAccounts)+1)
	}

	// verify walks the admin stream like any other: an edited event (the
	// actor of the registration rewritten) breaks its chain.
	if out, err := s.run("verify"); err != nil || strings.Contains(out, "BROKEN") {
		t.Fatalf("casetrail verify before the edit: %v\n%s", err, out)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET LOCAL session_replication_role = replica`,
		fmt.Sprintf(`UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"seed"') WHERE stream = 'admin-registry' AND version = %d`, seeded+1)} {
		if _, err := tx.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run("verify"); err == nil || !strings.Contains(out, fmt.Sprintf("BROKEN admin-registry: first bad version %d", seeded+1)) {
		t.Fatalf("casetrail verify after editing the admin stream: %v\n%s", err, out)
	}
}
