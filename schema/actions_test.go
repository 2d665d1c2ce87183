package schema

import (
	"slices"
	"testing"

	"casetrail/incident"
)

// TestResolversCheckEveryAction: the actions the resolvers (and the intake
// they call) ask the Authorizer about are exactly incident.Actions, each
// checked by some operation and none outside the list. api's permissions
// table has a row for each of incident.Actions and no other
// (api.TestPermissionsCoverActions), so every action checked here has its
// row, and every row is checked here.
func TestResolversCheckEveryAction(t *testing.T) {
	asked := map[string]bool{}
	all := append(ops(),
		op{"cases", `{ cases { totalCount } }`, "reporter1"},
		op{"stats", `{ stats { total } }`, "auditor1"},
		op{"history", `query($id: ID!) { case(id: $id) { history { version } } }`, "auditor1"},
		op{"adminHistory", `{ adminHistory { version } }`, "auditor1"},
		op{"officialAccounts", `{ officialAccounts { id } }`, "reporter1"},
		op{"checkAccount", `{ checkAccount(url: "https://facebook.com/x") { result } }`, "reporter1"},
		op{"createUnit", `mutation { createUnit(input: {id: "` + unitDistrict + `/xa-moi", name: "Xã mới", parent: "` + unitDistrict +
			`"}, reason: "sắp xếp") { id } }`, "admin1"},
		op{"users", `{ users { username } }`, "admin1"},
		op{"caseFileUrl", `query($id: ID!) { case(id: $id) { caseFileUrl } }`, "auditor1"},
		op{"publicReporters", `query($id: ID!) { case(id: $id) { publicReporters { name } } }`, "handler1"},
		op{"periodicReport", `{ periodicReport(unit: "` + unitDistrict + `", period: "2026-03") { totals { received } } }`, "leader1"},
		op{"merge", `mutation { reportIncident(input: {clientRequestId: "m-2", kind: IMPERSONATION, unit: "` + unitCommune +
			`", title: "Giả mạo", description: "", subjects: [{platform: FACEBOOK, url: "https://facebook.com/fake"}]}) { merged } }`, "reporter1"},
	)
	for _, o := range all {
		_, e := newTestSchema(t)
		c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
		r := e.run(t, o.inside, o.query, map[string]any{"id": c.ID, "number": c.Number})
		if r.code() == incident.CodeForbidden || r.code() == incident.CodeUnauthenticated {
			t.Errorf("%s as %s: %s", o.name, o.inside, toJSON(r.Errors))
		}
		for a := range e.auth.asked {
			asked[a] = true
		}
	}
	for a := range asked {
		if !slices.Contains(incident.Actions(), a) {
			t.Errorf("the resolvers check %q, which is not in incident.Actions", a)
		}
	}
	for _, a := range incident.Actions() {
		if !asked[a] {
			t.Errorf("incident.Actions has %q, which no resolver checks", a)
		}
	}
}
