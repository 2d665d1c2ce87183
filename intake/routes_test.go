package intake_test

import (
	"context"
	"reflect"
	"testing"

	"casetrail/incident"
)

// TestReportRoutesByKind: a report of a kind its unit routes opens a case
// escalating to the route's recipients, the first the escalation target;
// a kind the unit does not route escalates to the unit's target alone.
func TestReportRoutesByKind(t *testing.T) {
	const police = "lai-chau/cong-an"
	e := newEnv(t)
	e.units.routes = map[string]incident.EscalationRoutes{unit: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.Impersonation: {{Unit: police}, {Unit: target, Role: incident.RecipientInformation}},
	})}
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/gia-1")); err != nil {
		t.Fatal(err)
	}
	got := e.cmds.calls[0].report
	want := []incident.Recipient{{Unit: police, Role: incident.RecipientAddressee}, {Unit: target, Role: incident.RecipientInformation}}
	if got.EscalatesTo != police || !reflect.DeepEqual(got.EscalationRecipients, want) {
		t.Errorf("routed report escalates to %s %v, want %s %v", got.EscalatesTo, got.EscalationRecipients, police, want)
	}

	r := report("r-2", unit, "https://facebook.com/tin-sai")
	r.Kind = incident.FalseInformation
	if _, err := e.svc.Report(context.Background(), reporter, r); err != nil {
		t.Fatal(err)
	}
	got = e.cmds.calls[1].report
	if got.EscalatesTo != target || got.EscalationRecipients != nil {
		t.Errorf("report of a kind not routed escalates to %s %v, want %s alone", got.EscalatesTo, got.EscalationRecipients, target)
	}
}
