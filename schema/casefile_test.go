package schema

import (
	"testing"

	"casetrail/incident"
)

// TestCaseFileURL: Case.caseFileUrl links the case file for LEADER,
// AUDITOR and CLERK of the case's units and is null for the other roles
// (who still read the case) and for a past state; each takedown links the
// draft of its letter for whoever reads the case. A clerk sends no
// command.
func TestCaseFileURL(t *testing.T) {
	_, e := newTestSchema(t)
	e.auth.grants["clerk1"] = []RoleGrant{{Role: "CLERK", Unit: unitDistrict}}
	c := e.seed(t, "reporter1", unitCommune, "cf-1", "https://facebook.com/fake-file")
	e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "Trang mạo danh", Verdict: incident.VerdictFalse},
		incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/fake-file", Reason: "Mạo danh"})
	const q = `query($id: ID!) { case(id: $id) { caseFileUrl takedowns { id letterPreviewUrl } } }`
	vars := map[string]any{"id": c.ID}
	for _, tc := range []struct {
		sub  string
		want any
	}{
		{"leader1", "/cases/" + c.ID + "/file.zip"},
		{"auditor1", "/cases/" + c.ID + "/file.zip"},
		{"clerk1", "/cases/" + c.ID + "/file.zip"},
		{"handler1", nil},
		{"reporter1", nil},
	} {
		d := e.ok(t, tc.sub, q, vars)
		if got := dig(d, "case", "caseFileUrl"); got != tc.want {
			t.Errorf("%s: caseFileUrl %v; want %v", tc.sub, got, tc.want)
		}
		tds, _ := dig(d, "case", "takedowns").([]any)
		if len(tds) != 1 || dig(tds[0], "letterPreviewUrl") != "/cases/"+c.ID+"/letters/takedown-"+dig(tds[0], "id").(string)+".pdf" {
			t.Errorf("%s: takedowns %v; want the draft letter's link", tc.sub, tds)
		}
	}
	// The clerk reads the case and its letters, and sends no command.
	if r := e.run(t, "clerk1", `mutation($id: ID!) { addComment(id: $id, text: "đã vào sổ") { id } }`, vars); r.code() != incident.CodeForbidden {
		t.Errorf("a clerk's command: %s; want FORBIDDEN", toJSON(r.Errors))
	}
	if r := e.run(t, "outsider", q, vars); r.code() != incident.CodeForbidden {
		t.Errorf("outsider: %s; want FORBIDDEN", toJSON(r.Errors))
	}
	d := e.ok(t, "auditor1", `query($id: ID!) { caseAsOf(id: $id, version: 1) { caseFileUrl } }`, vars)
	if got := dig(d, "caseAsOf", "caseFileUrl"); got != nil {
		t.Errorf("a past state links the case file: %v", got)
	}
}
