package workflows_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"casetrail/workflows"
)

// startedWithAttributes makes h's workflow start with the attributes
// workflows.Report starts a case with, and records them as h's starting
// point.
func startedWithAttributes(t *testing.T, h *harness) {
	t.Helper()
	sa := workflows.ReportedAttributes(reportCmd())
	if err := h.env.SetTypedSearchAttributesOnStart(sa); err != nil {
		t.Fatal(err)
	}
	for _, k := range workflows.SearchAttributeKeys {
		if v, ok := sa.GetKeyword(k); ok {
			h.attrs[k.GetName()] = v
		}
	}
}

// TestReportedAttributesOnStart: a case started with ReportedAttributes
// (workflows.Report does) upserts nothing for its report, whose attributes
// the start already gave Temporal's visibility, and then only what its
// commands change; a workflow so started that ends with no case unsets
// them. (A workflow started without them upserts every attribute once, as
// before: TestLifecycle and the replay tests.)
func TestReportedAttributesOnStart(t *testing.T) {
	t.Run("reported", func(t *testing.T) {
		h := newHarness(t, newMemActivities(), t0)
		startedWithAttributes(t, h)
		afterReport := -1
		end := h.walk(0, toTriaged...)
		h.env.RegisterDelayedCallback(func() { afterReport = h.ours }, 30*time.Second)
		if err := h.run(input(), end+time.Minute); err != nil {
			t.Fatal(err)
		}
		h.ok("report")
		h.ok("triage")
		if afterReport != 0 {
			t.Errorf("the report upserted the case's attributes %d times, want none: they came with the start", afterReport)
		}
		want := map[string]string{"CaseStatus": "TRIAGED", "CaseKind": "FALSE_INFORMATION", "CaseUnit": "lai-chau/tan-uyen",
			"CaseSeverity": "MEDIUM", "CaseAssignee": handler}
		if h.ours != 1 || !maps.Equal(h.attrs, want) {
			t.Errorf("%d upserts of the case's attributes, attributes %v; want 1 (the triage), %v", h.ours, h.attrs, want)
		}
	})
	t.Run("no case", func(t *testing.T) {
		h := newHarness(t, newMemActivities(), t0)
		startedWithAttributes(t, h)
		bad := reportCmd()
		bad.Title = "  "
		h.at(0, "report", "reporter1", bad)
		if err := h.run(input(), time.Hour); err != nil {
			t.Fatal(err)
		}
		h.refused("report")
		unset := temporal.NewSearchAttributes(workflows.SearchCaseStatus.ValueUnset(),
			workflows.SearchCaseKind.ValueUnset(), workflows.SearchCaseUnit.ValueUnset())
		if len(h.upserted) != 1 || !reflect.DeepEqual(h.upserted[0], unset) {
			t.Errorf("upserts %v, want one that unsets the attributes of the start", h.upserted)
		}
	})
}
