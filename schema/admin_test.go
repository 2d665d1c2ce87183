package schema

import (
	"testing"

	"casetrail/incident"
)

// TestAdminHistory: registerOfficialAccount passes the caller and the
// reason to the registry, an auditor of the root reads them back in
// adminHistory, and nobody else may (a reporter, an auditor of a sub-unit).
func TestAdminHistory(t *testing.T) {
	_, e := newTestSchema(t)
	e.ok(t, "admin1", `mutation { registerOfficialAccount(unit: "lai-chau/tan-uyen", platform: TIKTOK,
		url: "https://www.tiktok.com/@ubndtanuyen", displayName: "UBND huyện Tân Uyên", reason: "công văn 12/UBND") { id } }`, nil)
	d := e.ok(t, "auditor1", `{ adminHistory { version type actor reason data } }`, nil)
	evs, _ := d["adminHistory"].([]any)
	if len(evs) != 1 || dig(evs[0], "actor") != "admin1" || dig(evs[0], "reason") != "công văn 12/UBND" ||
		dig(evs[0], "type") != "OfficialAccountRegistered" {
		t.Fatalf("admin history: %s", toJSON(d))
	}
	d = e.ok(t, "admin1", `{ adminHistory(after: "1") { version } }`, nil)
	if evs, _ := d["adminHistory"].([]any); len(evs) != 0 {
		t.Errorf("after the last: %s", toJSON(d))
	}
	e.auth.grants["auditor2"] = []RoleGrant{{Role: "AUDITOR", Unit: unitDistrict}}
	for _, sub := range []string{"reporter1", "handler1", "auditor2", "nobody"} {
		if r := e.run(t, sub, `{ adminHistory { version } }`, nil); r.code() != incident.CodeForbidden {
			t.Errorf("%s: %s", sub, toJSON(r))
		}
	}
	if r := e.run(t, "auditor1", `{ adminHistory(limit: 0) { version } }`, nil); r.code() != incident.CodeBadUserInput {
		t.Errorf("limit 0: %s", toJSON(r))
	}
}
