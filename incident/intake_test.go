package incident_test

import (
	"testing"

	"casetrail/incident"
)

func TestRouteReport(t *testing.T) {
	for _, tc := range []struct {
		name  string
		facts incident.IntakeFacts
		route incident.Route
		id    string
	}{
		{"nothing found", incident.IntakeFacts{}, incident.RouteOpen, ""},
		{"repeat", incident.IntakeFacts{Earlier: "c-1"}, incident.RouteRepeat, "c-1"},
		// A repeat goes where its first attempt went, whatever is open now:
		// the service skips the other lookups once it found one.
		{"repeat wins over an open case", incident.IntakeFacts{Earlier: "c-1", Open: "c-2", ReporterMayReadOpen: true}, incident.RouteRepeat, "c-1"},
		{"merge into a readable open case", incident.IntakeFacts{Open: "c-2", ReporterMayReadOpen: true}, incident.RouteMerge, "c-2"},
		{"an unreadable open case is not merged into", incident.IntakeFacts{Open: "c-2"}, incident.RouteOpen, ""},
		{"may read, but no open case", incident.IntakeFacts{ReporterMayReadOpen: true}, incident.RouteOpen, ""},
	} {
		route, id := incident.RouteReport(tc.facts)
		if route != tc.route || id != tc.id {
			t.Errorf("%s: RouteReport(%+v) = %s %q, want %s %q", tc.name, tc.facts, route, id, tc.route, tc.id)
		}
	}
}

func TestCaseOpenedBy(t *testing.T) {
	c := &incident.Case{ID: "c-1", ReportedBy: "reporter1", ClientRequestID: "r-1"}
	for _, tc := range []struct {
		reporter, crid string
		want           bool
	}{
		{"reporter1", "r-1", true},
		{"reporter1", "r-2", false}, // the same reporter's other report, merged
		{"handler1", "r-1", false},  // another reporter's report with the same key
	} {
		if got := c.OpenedBy(tc.reporter, tc.crid); got != tc.want {
			t.Errorf("OpenedBy(%q, %q) = %v, want %v", tc.reporter, tc.crid, got, tc.want)
		}
	}
}

func TestRouteString(t *testing.T) {
	for r, want := range map[incident.Route]string{incident.RouteOpen: "open", incident.RouteRepeat: "repeat", incident.RouteMerge: "merge", 9: "Route(9)"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(r), r.String(), want)
		}
	}
}
