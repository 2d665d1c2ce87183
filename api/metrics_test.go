package api

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// Issue 12, finding 6: client-chosen operation names add no series.
func TestMetricsOperationLabels(t *testing.T) {
	m := NewMetrics(nil)
	m.SetOperations([]string{"cases", "reportIncident"})
	series := func() []string {
		t.Helper()
		mfs, err := m.Registry.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, mf := range mfs {
			if mf.GetName() != "casetrail_graphql_requests_total" {
				continue
			}
			for _, mt := range mf.GetMetric() {
				s := ""
				for _, l := range mt.GetLabel() {
					s += l.GetName() + "=" + l.GetValue() + ","
				}
				out = append(out, s)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, op := range []string{"cases", "reportIncident", "query", "mutation", "", "Unknown"} {
		m.Observe(op, "", time.Millisecond)
	}
	before := series()
	want := []string{
		"code=OK,operation=anonymous,", "code=OK,operation=cases,", "code=OK,operation=mutation,",
		"code=OK,operation=other,", "code=OK,operation=query,", "code=OK,operation=reportIncident,",
	}
	if !slices.Equal(before, want) {
		t.Fatalf("series %q, want %q", before, want)
	}
	for i := range 50 {
		m.Observe(fmt.Sprintf("Op%d_%d", i, time.Now().UnixNano()), "", time.Millisecond)
	}
	if after := series(); !slices.Equal(after, before) {
		t.Errorf("50 random operation names changed the series:\n%q\nwas\n%q", after, before)
	}
	// Before SetOperations (a worker process) every name is "other".
	w := NewMetrics(nil)
	if got := w.operationLabel("cases"); got != OtherOperation {
		t.Errorf("label without known operations: %q", got)
	}
}
