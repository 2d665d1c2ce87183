package main

import (
	"strings"
	"testing"
)

// A phase left out by --phases prints no figure line (no zeros, no NaN);
// every phase prints the lines in the order the README quotes.
func TestBenchFiguresOfPhases(t *testing.T) {
	var f benchFigures
	f.rebuildEventsPerSecond = 50000
	var b strings.Builder
	f.write(&b, map[string]bool{"intake": true})
	if got := strings.TrimSpace(b.String()); got != "rebuild_events_per_s=50000" {
		t.Fatalf("only intake ran (with no intake figure), printed:\n%s", got)
	}

	b.Reset()
	f.appendCasetrail, f.appendBaseline = 30, 50
	f.write(&b, map[string]bool{"list": true, "intake": true, "case": true, "storm": true, "append": true})
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		name, _, _ := strings.Cut(line, "=")
		names = append(names, name)
	}
	want := "append_ratio case_commands_per_s list_p95_ms list_capped_p95_ms replay_1000_ms rebuild_events_per_s ui_worklist_p95_ms ui_case_p95_ms ui_overview_p95_ms"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("lines %s\nwant %s", got, want)
	}
	if strings.Contains(b.String(), "NaN") {
		t.Fatalf("NaN printed:\n%s", b.String())
	}
}
