package main

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestBenchPlanIssue19: --phases and --stores choose the parts and stores,
// unknown names are refused, and the storm's size has its defaults.
func TestBenchPlanIssue19(t *testing.T) {
	p, err := benchPlanFor(benchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.storm != 10_000 || len(p.phases) != len(benchPhases) || !p.stores[benchStoreSQLite] || !p.stores[benchStorePostgres] {
		t.Errorf("default plan: storm %d, phases %v, stores %v", p.storm, p.phases, p.stores)
	}
	p, err = benchPlanFor(benchOptions{quick: true, phases: "intake, storm", stores: "postgres", stormCases: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(p.phases)); !slices.Equal(got, []string{"intake", "storm"}) || p.stores[benchStoreSQLite] || p.storm != 2000 {
		t.Errorf("plan: phases %v, stores %v, storm %d", got, p.stores, p.storm)
	}
	if p, _ := benchPlanFor(benchOptions{quick: true}); p.storm != 100 {
		t.Errorf("quick storm %d, want 100", p.storm)
	}
	for _, o := range []benchOptions{{phases: "intake,lsit"}, {stores: "mysql"}, {phases: ","}, {stormCases: -1}} {
		if _, err := benchPlanFor(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestWorkflowCacheSize: CASETRAIL_WORKFLOW_CACHE_SIZE is a positive count,
// 1000 when unset.
func TestWorkflowCacheSize(t *testing.T) {
	t.Setenv("CASETRAIL_WORKFLOW_CACHE_SIZE", "")
	if n, err := configFromEnv().workflowCacheSize(); err != nil || n != DefaultWorkflowCacheSize {
		t.Errorf("default: %d, %v", n, err)
	}
	t.Setenv("CASETRAIL_WORKFLOW_CACHE_SIZE", "250")
	if n, err := configFromEnv().workflowCacheSize(); err != nil || n != 250 {
		t.Errorf("250: %d, %v", n, err)
	}
	for _, bad := range []string{"0", "-5", "many", "1e3"} {
		t.Setenv("CASETRAIL_WORKFLOW_CACHE_SIZE", bad)
		if _, err := configFromEnv().workflowCacheSize(); err == nil || !strings.Contains(err.Error(), "CASETRAIL_WORKFLOW_CACHE_SIZE") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
