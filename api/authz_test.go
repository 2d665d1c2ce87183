package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/incident"
)

// Units of the demo seed, plus traps: a child whose id does not share
// its parent's prefix, and a sibling whose id does.
var testUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "phong-vhtt-tan-uyen", Name: "Phòng VHTT Tân Uyên", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen-moi", Name: "Prefix trap", Parent: "lai-chau"},
	{ID: "lai-chau/than-uyen", Name: "Than Uyên", Parent: "lai-chau"},
}

func newTestAuthorizer(t testing.TB, pool *pgxpool.Pool) *Authorizer {
	t.Helper()
	if err := EnsureSchema(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	a, err := NewAuthorizer(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if err := a.SetUnits(testUnits); err != nil {
		t.Fatal(err)
	}
	return a
}

func mustAllowed(t testing.TB, a *Authorizer, sub, action, unit string) bool {
	t.Helper()
	ok, err := a.Allowed(sub, action, unit)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// wantRoles restates the role × action table (docs/ARCHITECTURE.md, "Lifecycle") (and the brief's read
// and admin actions) independently of the code's table.
var wantRoles = map[string]string{
	"reportIncident":           "REPORTER HANDLER LEADER",
	"triageCase":               "HANDLER LEADER",
	"assignCase":               "HANDLER LEADER",
	"startAnalysis":            "HANDLER",
	"recordAnalysis":           "HANDLER",
	"addEvidence":              "REPORTER HANDLER",
	"requestTakedown":          "HANDLER",
	"recordTakedownResponse":   "HANDLER",
	"requestEscalation":        "HANDLER",
	"approveEscalation":        "LEADER",
	"declineEscalation":        "LEADER",
	"recordEscalationResponse": "HANDLER",
	"resolveCase":              "HANDLER",
	"closeCase":                "LEADER",
	"rejectCase":               "HANDLER LEADER",
	"reopenCase":               "HANDLER LEADER",
	"addComment":               "REPORTER HANDLER LEADER",
	"readCase":                 "REPORTER HANDLER LEADER AUDITOR CLERK",
	"readHistory":              "HANDLER LEADER AUDITOR",
	"readStats":                "HANDLER LEADER AUDITOR",
	"readOfficialAccounts":     "REPORTER HANDLER LEADER AUDITOR ADMIN",
	"registerOfficialAccount":  "ADMIN",
	"readAdminHistory":         "AUDITOR ADMIN",
	"manageUnits":              "ADMIN",
	"manageUsers":              "ADMIN",
	"readCaseFile":             "LEADER AUDITOR CLERK",
	"joinCase":                 "REPORTER HANDLER LEADER AUDITOR CLERK",
	"readPublicReporters":      "HANDLER LEADER",
	"completeTask":             "HANDLER LEADER",
	"waiveTask":                "LEADER",
	"readPeriodicReport":       "LEADER AUDITOR",
}

// TestAuthorizationMatrix checks every role × every action × units inside
// and outside the grant: each role is granted on lai-chau/tan-uyen only.
func TestAuthorizationMatrix(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()

	if got, want := slices.Sorted(slices.Values(Actions())), slices.Sorted(maps.Keys(wantRoles)); !slices.Equal(got, want) {
		t.Fatalf("actions %v\nthe test knows %v", got, want)
	}

	const granted = "lai-chau/tan-uyen"
	for _, role := range AllRoles() {
		if err := a.Grant(ctx, Grant{Subject: "u-" + role, Role: role, Unit: granted}); err != nil {
			t.Fatal(err)
		}
	}
	units := []struct {
		unit   string
		inside bool
	}{
		{"lai-chau/tan-uyen", true},              // the granted unit
		{"lai-chau/tan-uyen/xa-phuc-khoa", true}, // sub-unit
		{"phong-vhtt-tan-uyen", true},            // sub-unit by parent, not by id
		{"lai-chau", false},                      // parent
		{"lai-chau/than-uyen", false},            // sibling
		{"lai-chau/tan-uyen-moi", false},         // sibling sharing the id prefix
		{"lai-chau/so-vhttdl", false},            // where tan-uyen escalates to
		{"lai-chau/tan-uyen/unregistered", false},
	}
	checked, allowed := 0, 0
	for action, roles := range wantRoles {
		for _, role := range AllRoles() {
			for _, u := range units {
				want := u.inside && slices.Contains(strings.Fields(roles), role)
				if got := mustAllowed(t, a, "u-"+role, action, u.unit); got != want {
					t.Errorf("%s %s on %s: allowed=%v, want %v", role, action, u.unit, got, want)
				}
				checked++
				if want {
					allowed++
				}
			}
		}
	}
	t.Logf("%d decisions checked, %d allow", checked, allowed)

	// Subjects without grants, and subjects named like roles, get nothing.
	for _, sub := range []string{"stranger", "", "HANDLER", "ADMIN"} {
		if mustAllowed(t, a, sub, "triageCase", granted) {
			t.Errorf("%q allowed", sub)
		}
	}
	if mustAllowed(t, a, "u-HANDLER", "triageCase", "") {
		t.Error("allowed on no unit")
	}
	if _, err := a.Allowed("u-HANDLER", "triagecase", granted); err == nil {
		t.Error("unknown action did not fail")
	}
}

func TestGrantCoversSubtreeOfWiderUnit(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	if err := a.Grant(ctx, Grant{Subject: "auditor1", Role: RoleAuditor, Unit: "lai-chau"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range testUnits {
		if !mustAllowed(t, a, "auditor1", incident.ActionReadHistory, u.ID) {
			t.Errorf("province auditor cannot read history in %s", u.ID)
		}
	}
	if mustAllowed(t, a, "auditor1", incident.ActionReadHistory, "ha-giang") {
		t.Error("auditor allowed outside the province")
	}
	if mustAllowed(t, a, "auditor1", "closeCase", "lai-chau") {
		t.Error("auditor may close cases")
	}
}

// TestGrantAllowsImmediately: a decision made after Grant returns sees the
// grant, on the unit and its sub-units; granting again changes nothing.
func TestGrantAllowsImmediately(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	g := Grant{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"}
	sub := "lai-chau/tan-uyen/xa-phuc-khoa"
	// Decide once before the grant so that any memoized decision exists.
	if mustAllowed(t, a, "handler1", "triageCase", sub) {
		t.Fatal("allowed before the grant")
	}
	for range 2 { // the second grant is a no-op
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{g.Unit, sub} {
		if !mustAllowed(t, a, "handler1", "triageCase", u) {
			t.Errorf("not allowed on %s right after the grant", u)
		}
	}
	if r, err := a.Roles("handler1"); err != nil || !slices.Equal(r, []Grant{g}) {
		t.Errorf("roles after the grant: %v %v", r, err)
	}
}

// TestPolicyChangePropagates: two API instances on one database; a change
// made through one reaches the other through NOTIFY.
func TestPolicyChangePropagates(t *testing.T) {
	pool := newTestPool(t)
	a1 := newTestAuthorizer(t, pool)
	a2 := newTestAuthorizer(t, pool)
	ctx := context.Background()
	g := Grant{Subject: "leader1", Role: RoleLeader, Unit: "lai-chau/tan-uyen"}

	eventually := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for mustAllowed(t, a2, "leader1", "closeCase", "lai-chau/tan-uyen/xa-phuc-khoa") != want {
			if time.Now().After(deadline) {
				t.Fatalf("second instance never saw allowed=%v", want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := a1.Grant(ctx, g); err != nil {
		t.Fatal(err)
	}
	eventually(true)
	// A grant removed in the table (by an operator: there is no revoke
	// path in the program) is seen too.
	if _, err := pool.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3`, g.Subject, g.Role, g.Unit); err != nil {
		t.Fatal(err)
	}
	eventually(false)

	// A change made directly in the table (another tool, psql) is seen too.
	if _, err := pool.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'leader1', 'LEADER', 'lai-chau')`); err != nil {
		t.Fatal(err)
	}
	eventually(true)
}

func TestAuthorizerPersistsAndRepairsPolicy(t *testing.T) {
	pool := newTestPool(t)
	ctx := context.Background()
	a := newTestAuthorizer(t, pool)
	grants := []Grant{
		{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"},
		{Subject: "leader1", Role: RoleLeader, Unit: "lai-chau/tan-uyen"},
		{Subject: "auditor1", Role: RoleAuditor, Unit: "lai-chau"},
		{Subject: "reporter1", Role: RoleReporter, Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
		{Subject: "handler1", Role: RoleLeader, Unit: "lai-chau/than-uyen"},
	}
	for _, g := range grants {
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	// Someone widened the table by hand; the next start restores it.
	if _, err := pool.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1) VALUES ('p', 'REPORTER', 'closeCase')`); err != nil {
		t.Fatal(err)
	}
	b := newTestAuthorizer(t, pool)
	got, err := b.Roles("handler1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Grant{grants[0], grants[4]}
	if !slices.Equal(got, want) {
		t.Fatalf("Roles after restart = %v, want %v", got, want)
	}
	if mustAllowed(t, b, "reporter1", "closeCase", "lai-chau/tan-uyen/xa-phuc-khoa") {
		t.Fatal("hand-made p rule survived the restart")
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM casbin_rule WHERE ptype = 'p'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, a := range Actions() {
		total += len(RolesAllowed(a))
	}
	if n != total {
		t.Fatalf("%d p rules stored, the table has %d", n, total)
	}
}

func TestVisibleUnits(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	for _, g := range []Grant{
		{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"},
		{Subject: "handler1", Role: RoleAuditor, Unit: "lai-chau/than-uyen"},
		{Subject: "reporter1", Role: RoleReporter, Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
	} {
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		sub, action string
		want        []string
	}{
		{"handler1", incident.ActionReadCase, []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/than-uyen", "phong-vhtt-tan-uyen"}},
		{"handler1", "triageCase", []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "phong-vhtt-tan-uyen"}},
		{"handler1", "closeCase", nil},
		{"reporter1", incident.ActionReadCase, []string{"lai-chau/tan-uyen/xa-phuc-khoa"}},
		{"reporter1", incident.ActionReadStats, nil},
		{"stranger", incident.ActionReadCase, nil},
	}
	for _, tc := range cases {
		got := a.VisibleUnits(tc.sub, tc.action)
		if !slices.Equal(got, tc.want) {
			t.Errorf("VisibleUnits(%s, %s) = %v, want %v", tc.sub, tc.action, got, tc.want)
		}
		// Consistent with Allowed on every unit.
		for _, u := range testUnits {
			if mustAllowed(t, a, tc.sub, tc.action, u.ID) != slices.Contains(got, u.ID) {
				t.Errorf("VisibleUnits(%s, %s) disagrees with Allowed on %s", tc.sub, tc.action, u.ID)
			}
		}
	}
}

func TestSetUnitsChangesCoverage(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	if err := a.Grant(ctx, Grant{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	moved := "lai-chau/tan-uyen/xa-phuc-khoa"
	if !mustAllowed(t, a, "handler1", "triageCase", moved) {
		t.Fatal("not allowed before the move")
	}
	// The commune moves to Than Uyên (administrative units change).
	units := slices.Clone(testUnits)
	for i := range units {
		if units[i].ID == moved {
			units[i].Parent = "lai-chau/than-uyen"
		}
	}
	if err := a.SetUnits(units); err != nil {
		t.Fatal(err)
	}
	if mustAllowed(t, a, "handler1", "triageCase", moved) {
		t.Fatal("still allowed after the unit moved away")
	}
	if !mustAllowed(t, a, "handler1", "triageCase", "phong-vhtt-tan-uyen") {
		t.Fatal("lost the unit that stayed")
	}
}

func TestSetUnitsRejectsBadTrees(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	for name, units := range map[string][]incident.Unit{
		"empty id":       {{ID: ""}},
		"duplicate":      {{ID: "a"}, {ID: "a"}},
		"unknown parent": {{ID: "a", Parent: "b"}},
		"cycle":          {{ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}},
		"self parent":    {{ID: "a", Parent: "a"}},
	} {
		if err := a.SetUnits(units); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The previous tree is still in force.
	if got := a.Subtree("lai-chau/tan-uyen"); len(got) != 3 {
		t.Errorf("Subtree after rejected SetUnits = %v", got)
	}
}

func TestGrantValidates(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	for _, g := range []Grant{
		{Subject: "", Role: RoleHandler, Unit: "lai-chau"},
		{Subject: "HANDLER", Role: RoleHandler, Unit: "lai-chau"},
		{Subject: "x", Role: "SUPERUSER", Unit: "lai-chau"},
		{Subject: "x", Role: RoleHandler, Unit: "ha-giang"},
	} {
		if err := a.Grant(ctx, g); err == nil {
			t.Errorf("Grant(%+v) accepted", g)
		}
	}
	if err := a.Grant(ctx, Grant{Subject: "x", Role: RoleHandler, Unit: "nowhere"}); !errors.Is(err, ErrUnknownUnit) {
		t.Errorf("unknown unit: %v", err)
	}
}

// TestConcurrentDecisionsAndChanges runs decisions while grants change
// (meaningful under -race).
func TestConcurrentDecisionsAndChanges(t *testing.T) {
	a := newTestAuthorizer(t, newTestPool(t))
	ctx := context.Background()
	stable := Grant{Subject: "leader1", Role: RoleLeader, Unit: "lai-chau/tan-uyen"}
	if err := a.Grant(ctx, stable); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failures sync.Map
	for i := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ok, err := a.Allowed("leader1", "closeCase", "lai-chau/tan-uyen/xa-phuc-khoa")
				if err != nil || !ok {
					failures.Store(i, fmt.Sprint(ok, err))
				}
				_ = a.VisibleUnits("handler1", incident.ActionReadCase)
			}
		})
	}
	for i := range 20 {
		g := Grant{Subject: "handler1", Role: RoleHandler, Unit: testUnits[i%len(testUnits)].ID}
		if err := a.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
		// A new tree rebuilds every role link under the enforcer's lock.
		if err := a.SetUnits(testUnits); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	failures.Range(func(k, v any) bool {
		t.Errorf("decision for a stable grant failed during changes: %v", v)
		return true
	})
}

func BenchmarkAllowed(b *testing.B) {
	pool := newTestPool(b)
	a := newTestAuthorizer(b, pool)
	ctx := context.Background()
	for i := range 200 {
		u := testUnits[i%len(testUnits)].ID
		if err := a.Grant(ctx, Grant{Subject: fmt.Sprintf("user%d", i), Role: AllRoles()[i%5], Unit: u}); err != nil {
			b.Fatal(err)
		}
	}
	if err := a.Grant(ctx, Grant{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"}); err != nil {
		b.Fatal(err)
	}
	b.Run("allow-subunit", func(b *testing.B) {
		for b.Loop() {
			if ok, _ := a.Allowed("handler1", "requestTakedown", "lai-chau/tan-uyen/xa-phuc-khoa"); !ok {
				b.Fatal("denied")
			}
		}
	})
	b.Run("deny-outside", func(b *testing.B) {
		for b.Loop() {
			if ok, _ := a.Allowed("handler1", "requestTakedown", "lai-chau/than-uyen"); ok {
				b.Fatal("allowed")
			}
		}
	})
	b.Run("visible-units", func(b *testing.B) {
		for b.Loop() {
			if len(a.VisibleUnits("handler1", incident.ActionReadCase)) != 3 {
				b.Fatal("wrong units")
			}
		}
	})
}
