package api

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

// newTestPool returns a small pool on a fresh database dropped at cleanup.
func newTestPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 3
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newTestModel(t testing.TB) model.Model {
	t.Helper()
	m, err := model.NewModelFromString(rbacModel)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// storedRules returns the rules in casbin_rule as "ptype,v0,v1,..." sorted.
func storedRules(t testing.TB, a *Adapter) []string {
	t.Helper()
	rules, err := a.rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = strings.Join(r, ",")
	}
	slices.Sort(out)
	return out
}

func loadedRules(t testing.TB, a *Adapter) []string {
	t.Helper()
	m := newTestModel(t)
	if err := a.LoadPolicy(m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, r := range ast.Policy {
				out = append(out, ptype+","+strings.Join(r, ","))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestAdapterRoundTrip(t *testing.T) {
	ctx := context.Background()
	pool := newTestPool(t)
	for range 2 { // idempotent
		if err := EnsureSchema(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	a := NewAdapter(pool)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.AddPolicy("p", "p", []string{"HANDLER", "triageCase"}))
	must(a.AddPolicies("p", "p", [][]string{{"LEADER", "closeCase"}, {"HANDLER", "triageCase"}}))
	must(a.AddPolicy("g", "g", []string{"handler1", "HANDLER", "lai-chau/tan-uyen"}))
	must(a.AddPolicy("g", "g", []string{"handler1", "HANDLER", "lai-chau/tan-uyen"})) // again: no-op
	must(a.AddPolicy("g", "g", []string{"handler2", "HANDLER", "lai-chau"}))
	must(a.AddPolicy("g", "g", []string{"leader1", "LEADER", "lai-chau/tan-uyen"}))

	want := []string{
		"g,handler1,HANDLER,lai-chau/tan-uyen",
		"g,handler2,HANDLER,lai-chau",
		"g,leader1,LEADER,lai-chau/tan-uyen",
		"p,HANDLER,triageCase",
		"p,LEADER,closeCase",
	}
	if got := storedRules(t, a); !slices.Equal(got, want) {
		t.Fatalf("stored %q\nwant %q", got, want)
	}
	if got := loadedRules(t, a); !slices.Equal(got, want) {
		t.Fatalf("loaded %q\nwant %q", got, want)
	}

	must(a.RemovePolicy("g", "g", []string{"handler2", "HANDLER", "lai-chau"}))
	must(a.RemovePolicy("g", "g", []string{"nobody", "HANDLER", "lai-chau"})) // missing: no-op
	// Filter on the unit column only (empty values match anything).
	must(a.RemoveFilteredPolicy("g", "g", 1, "", "lai-chau/tan-uyen"))
	if got := storedRules(t, a); !slices.Equal(got, want[3:]) {
		t.Fatalf("after removals %q\nwant %q", got, want[3:])
	}
	must(a.RemovePolicies("p", "p", [][]string{{"LEADER", "closeCase"}}))
	if err := a.RemoveFilteredPolicy("p", "p", 5, "a", "b"); err == nil {
		t.Fatal("filter beyond v5 accepted")
	}
	if err := a.AddPolicy("p", "p", []string{"1", "2", "3", "4", "5", "6", "7"}); err == nil {
		t.Fatal("rule with 7 values accepted")
	}

	// SavePolicy replaces everything with the model's policy.
	m := newTestModel(t)
	must(m.AddPolicy("p", "p", []string{"AUDITOR", "readHistory"}))
	must(m.AddPolicy("g", "g", []string{"auditor1", "AUDITOR", "lai-chau"}))
	must(a.SavePolicy(m))
	want = []string{"g,auditor1,AUDITOR,lai-chau", "p,AUDITOR,readHistory"}
	if got := storedRules(t, a); !slices.Equal(got, want) {
		t.Fatalf("after save %q\nwant %q", got, want)
	}
}

// TestAdapterWithCasbinAutoSave drives the adapter through Casbin's own
// auto-save path (single and batch writes), as any Casbin user would.
func TestAdapterWithCasbinAutoSave(t *testing.T) {
	ctx := context.Background()
	pool := newTestPool(t)
	if err := EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	a := NewAdapter(pool)
	e, err := casbin.NewSyncedEnforcer(newTestModel(t), a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicies([][]string{{"HANDLER", "triageCase"}, {"LEADER", "closeCase"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddGroupingPolicy("handler1", "HANDLER", "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddGroupingPolicy("leader1", "LEADER", "u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.RemoveGroupingPolicy("leader1", "LEADER", "u1"); err != nil {
		t.Fatal(err)
	}

	fresh, err := casbin.NewSyncedEnforcer(newTestModel(t), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sub, dom, act string
		want          bool
	}{
		{"handler1", "u1", "triageCase", true},
		{"handler1", "u2", "triageCase", false},
		{"leader1", "u1", "closeCase", false},
	} {
		if got, err := fresh.Enforce(tc.sub, tc.dom, tc.act); err != nil || got != tc.want {
			t.Errorf("Enforce(%s, %s, %s) = %v, %v; want %v", tc.sub, tc.dom, tc.act, got, err, tc.want)
		}
	}
}
