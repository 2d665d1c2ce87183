package schema_test

import (
	"fmt"
	"strings"
	"testing"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// TestAdminRoutesOnPostgres: updateUnit and createUnit set a unit's
// escalation routes by kind (roles defaulted as in the seed file); the same
// routes again record nothing, a change of another field keeps them, []
// removes them; a kind listed twice, a kind without units, an unknown unit,
// the unit itself and an addressee of another role are BAD_USER_INPUT on
// input.escalationRoutes and record nothing; outside the caller's subtree
// it is FORBIDDEN.
func TestAdminRoutesOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	const reason = "Công văn 12/UBND-VP về phối hợp xử lý"
	const unit = "lai-chau/tan-uyen/xa-trung-dong"
	update := `mutation($id: ID!, $input: UnitChangeInput!, $reason: String!) {
	  updateUnit(id: $id, input: $input, reason: $reason) { id name escalationRoutes { kind recipients { unit { id } role } } } }`
	routes := func(d map[string]any, mutation string) string {
		var out []string
		list, _ := dig(d, mutation, "escalationRoutes").([]any)
		for _, r := range list {
			var units []string
			for _, x := range dig(r, "recipients").([]any) {
				units = append(units, fmt.Sprintf("%s/%s", dig(x, "unit", "id"), dig(x, "role")))
			}
			out = append(out, fmt.Sprintf("%s:%s", dig(r, "kind"), strings.Join(units, ",")))
		}
		return strings.Join(out, " ")
	}
	set := func(sub string, rs any) pgResult {
		return e.s(sub, update, map[string]any{"id": unit, "reason": reason, "input": map[string]any{"escalationRoutes": rs}})
	}
	takeover := []any{map[string]any{"kind": "ACCOUNT_COMPROMISED", "recipients": []any{
		map[string]any{"unit": "lai-chau/so-vhttdl"},
		map[string]any{"unit": "lai-chau/than-uyen", "role": "INFORMATION"},
		map[string]any{"unit": "lai-chau/tan-uyen"},
	}}}

	head := e.head()
	for _, bad := range []struct {
		name   string
		routes any
	}{
		{"a kind twice", append(append([]any{}, takeover...), takeover...)},
		{"no units", []any{map[string]any{"kind": "IMPERSONATION", "recipients": []any{}}}},
		{"an unknown unit", []any{map[string]any{"kind": "IMPERSONATION", "recipients": []any{map[string]any{"unit": "lai-chau/nowhere"}}}}},
		{"itself", []any{map[string]any{"kind": "IMPERSONATION", "recipients": []any{map[string]any{"unit": unit}}}}},
		{"an addressee for information", []any{map[string]any{"kind": "IMPERSONATION", "recipients": []any{map[string]any{"unit": "lai-chau/so-vhttdl", "role": "INFORMATION"}}}}},
	} {
		if r := set("admin1", bad.routes); r.code() != incident.CodeBadUserInput || r.field() != "input.escalationRoutes" {
			t.Errorf("%s: %+v; want BAD_USER_INPUT on input.escalationRoutes", bad.name, r.Errors)
		}
	}
	if r := set("admin2", takeover); r.code() != incident.CodeForbidden {
		t.Errorf("outside the subtree: %+v", r.Errors)
	}
	e.wantEvents(head, "", "")

	d := e.ok("admin1", update, map[string]any{"id": unit, "reason": reason, "input": map[string]any{"escalationRoutes": takeover}})
	want := "ACCOUNT_COMPROMISED:lai-chau/so-vhttdl/ADDRESSEE,lai-chau/than-uyen/INFORMATION,lai-chau/tan-uyen/COORDINATION"
	if got := routes(d, "updateUnit"); got != want {
		t.Errorf("routes set: %s\nwant %s", got, want)
	}
	recs := e.wantEvents(head, "admin1", reason, readmodel.TypeUnitChanged)
	if !strings.Contains(string(recs[0].Data), `"escalationRoutes":{"ACCOUNT_COMPROMISED":[{"role":"ADDRESSEE","unit":"lai-chau/so-vhttdl"}`) {
		t.Errorf("the event does not carry the routes: %s", recs[0].Data)
	}
	// The same again changes nothing; a rename keeps them.
	head = e.head()
	e.ok("admin1", update, map[string]any{"id": unit, "reason": reason, "input": map[string]any{"escalationRoutes": takeover}})
	e.wantEvents(head, "", "")
	d = e.ok("admin1", update, map[string]any{"id": unit, "reason": reason, "input": map[string]any{"name": "UBND xã Trung Đồng (mới)"}})
	if got := routes(d, "updateUnit"); got != want {
		t.Errorf("routes after a rename: %s", got)
	}
	// The units query reads them as stored.
	for _, u := range e.ok("handler1", `{ units { id escalationRoutes { kind recipients { unit { id } role } } } }`, nil)["units"].([]any) {
		if dig(u, "id") == unit {
			if got := routes(map[string]any{"u": u}, "u"); got != want {
				t.Errorf("units: %s", got)
			}
		}
	}
	// [] removes them.
	head = e.head()
	if d = e.ok("admin1", update, map[string]any{"id": unit, "reason": reason, "input": map[string]any{"escalationRoutes": []any{}}}); routes(d, "updateUnit") != "" {
		t.Errorf("routes after []: %v", d)
	}
	e.wantEvents(head, "admin1", reason, readmodel.TypeUnitChanged)

	// createUnit takes them too.
	create := `mutation($input: NewUnitInput!, $reason: String!) {
	  createUnit(input: $input, reason: $reason) { id escalationRoutes { kind recipients { unit { id } role } } } }`
	d = e.ok("admin1", create, map[string]any{"reason": reason, "input": map[string]any{"id": "lai-chau/tan-uyen/xa-ta-mit", "name": "UBND xã Tà Mít",
		"parent": "lai-chau/tan-uyen", "escalationRoutes": []any{map[string]any{"kind": "IMPERSONATION", "recipients": []any{
			map[string]any{"unit": "lai-chau/so-vhttdl"}, map[string]any{"unit": "lai-chau/tan-uyen"}}}}}})
	if got := routes(d, "createUnit"); got != "IMPERSONATION:lai-chau/so-vhttdl/ADDRESSEE,lai-chau/tan-uyen/COORDINATION" {
		t.Errorf("created with routes: %s", got)
	}
}
