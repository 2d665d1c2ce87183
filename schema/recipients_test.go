package schema

import (
	"slices"
	"testing"

	"casetrail/incident"
)

// TestEscalationRecipientsGraph: a report of a kind its unit routes to
// several units escalates to all of them; Escalation.recipients lists them
// (the addressee first, with their roles, sent times and answers),
// recordEscalationResponse takes the answer of one recipient (left out,
// the addressee's), and Unit.escalationRoutes shows a unit's own routes.
func TestEscalationRecipientsGraph(t *testing.T) {
	_, e := newTestSchema(t)
	const (
		dept   = "lai-chau/so-vhttdl"
		police = "lai-chau/cong-an"
	)
	e.w.units = append(e.w.units, incident.Unit{ID: police, Name: "Công an tỉnh Lai Châu", Parent: unitProvince})
	for i := range e.w.units {
		if e.w.units[i].ID == unitDistrict {
			e.w.units[i].EscalationRoutes = incident.RoutesOf(map[incident.Kind][]incident.Recipient{
				incident.Impersonation: {{Unit: dept}, {Unit: police}},
			})
		}
	}
	d := e.ok(t, "reporter1", `mutation { reportIncident(input: {clientRequestId: "rt-1", kind: IMPERSONATION, unit: "`+unitCommune+
		`", title: "Trang giả mạo", description: "d", subjects: [{platform: FACEBOOK, url: "https://facebook.com/gia-mao"}]}) { case { id } } }`, nil)
	id := dig(d, "reportIncident", "case", "id").(string)
	e.do(t, id, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "mạo danh"}, incident.RequestEscalation{Reason: "cần công an"})
	e.do(t, id, "leader1", incident.ApproveEscalation{Note: "ok"})
	e.do(t, id, incident.SystemActor, incident.SendEscalation{DispatchNumber: "7/UBND-VHTT"})

	const read = `query($id: ID!) { case(id: $id) { status escalation { status to { id } response
		recipients { unit { id name } role sentAt response respondedAt resolved } } } }`
	const respond = `mutation($id: ID!, $to: ID) { recordEscalationResponse(id: $id, response: "Công an đã tiếp nhận", resolved: false, recipient: $to) {
		status escalation { status recipients { unit { id } response resolved } } } }`

	c := dig(e.ok(t, "handler1", read, map[string]any{"id": id}), "case")
	rs := dig(c, "escalation", "recipients").([]any)
	if len(rs) != 2 || dig(rs[0], "unit", "id") != dept || dig(rs[0], "role") != "ADDRESSEE" ||
		dig(rs[1], "unit", "id") != police || dig(rs[1], "unit", "name") != "Công an tỉnh Lai Châu" || dig(rs[1], "role") != "COORDINATION" ||
		dig(rs[1], "sentAt") == nil || dig(rs[1], "response") != nil || dig(rs[1], "resolved") != false {
		t.Fatalf("recipients: %s", toJSON(rs))
	}

	after := dig(e.ok(t, "handler1", respond, map[string]any{"id": id, "to": police}), "recordEscalationResponse")
	rs = dig(after, "escalation", "recipients").([]any)
	if dig(after, "status") != "ESCALATED" || dig(after, "escalation", "status") != "SENT" ||
		dig(rs[1], "response") != "Công an đã tiếp nhận" || dig(rs[0], "response") != nil {
		t.Fatalf("after the police's answer: %s", toJSON(after))
	}
	if r := e.run(t, "handler1", respond, map[string]any{"id": id, "to": "lai-chau/than-uyen"}); r.code() != incident.CodeBadUserInput || r.field() != "recipient" {
		t.Errorf("answer of a unit that is no recipient: %s", toJSON(r.Errors))
	}
	after = dig(e.ok(t, "handler1", respond, map[string]any{"id": id}), "recordEscalationResponse")
	if dig(after, "escalation", "status") != "ACKNOWLEDGED" || dig(after, "escalation", "recipients").([]any)[0].(map[string]any)["response"] != "Công an đã tiếp nhận" {
		t.Fatalf("after the addressee's answer: %s", toJSON(after))
	}

	u := e.ok(t, "admin1", `{ units { id escalationRoutes { kind units { id } recipients { unit { id } role } } } }`, nil)
	for _, x := range dig(u, "units").([]any) {
		routes := dig(x, "escalationRoutes").([]any)
		switch dig(x, "id") {
		case unitDistrict:
			if len(routes) != 1 || dig(routes[0], "kind") != "IMPERSONATION" || !routeIs(dig(routes[0], "units"), dept, police) ||
				!routeIs(dig(routes[0], "recipients"), dept, "ADDRESSEE", police, "COORDINATION") {
				t.Errorf("routes of the district: %s", toJSON(routes))
			}
		default:
			if len(routes) != 0 {
				t.Errorf("routes of %v: %s", dig(x, "id"), toJSON(routes))
			}
		}
	}
}

// routeIs reports whether v is the list of units ids given, or of
// recipients (id, role) given.
func routeIs(v any, want ...string) bool {
	list, _ := v.([]any)
	var got []string
	for _, x := range list {
		if id := dig(x, "id"); id != nil {
			got = append(got, id.(string))
			continue
		}
		id, _ := dig(x, "unit", "id").(string)
		role, _ := dig(x, "role").(string)
		got = append(got, id, role)
	}
	return slices.Equal(got, want)
}
