package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestAdministrationEndToEnd walks issue 15's administration through the
// real binary: an admin creates a commune and a user and grants the user
// HANDLER on it; the handler sees only that commune's cases; revoking the
// grant (through the command line, another process) refuses the handler's
// next request; closing the commune sends the next report to its successor;
// registering an official account makes checkAccount answer OFFICIAL, and
// disabling it UNKNOWN; a unit the command line adds reaches the running
// server's authorizer; the auditor reads every change with actor and
// reason.
func TestAdministrationEndToEnd(t *testing.T) {
	s := newServer(t, serverOptions{})
	const reason = "Nghị quyết 1671/NQ-UBTVQH15"
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"reason": reason}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	// A commune and a handler for it.
	s.must(t, "admin1", `mutation($reason: String!) { createUnit(input: {id: "lai-chau/tan-uyen/xa-ta-mit", name: "UBND xã Tà Mít",
		parent: "lai-chau/tan-uyen", symbol: "UBND"}, reason: $reason) { id } }`, vars(), nil)
	var created struct {
		CreateUser struct{ OneTimePassword string } `json:"createUser"`
	}
	s.must(t, "admin1", `mutation($reason: String!) { createUser(username: "handler9", name: "Lò Văn Chín", reason: $reason) { oneTimePassword } }`,
		vars(), &created)
	if created.CreateUser.OneTimePassword == "" {
		t.Fatal("no one-time password")
	}
	s.must(t, "admin1", `mutation($reason: String!) { grantRole(subject: "handler9", role: HANDLER, unit: "lai-chau/tan-uyen/xa-ta-mit", reason: $reason) { username } }`,
		vars(), nil)

	// A case in the new commune and one in its neighbour: handler9 sees only its own.
	subject := func(url string) []subjectInput { return []subjectInput{{Platform: "FACEBOOK", URL: url}} }
	mine, _ := s.report(t, "handler1", reportInput{ClientRequestID: "adm-1", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-ta-mit",
		Title: "Trang giả mạo UBND xã Tà Mít", Description: "", Subjects: subject("https://facebook.com/gia-mao-ta-mit")})
	s.report(t, "handler1", reportInput{ClientRequestID: "adm-2", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã Phúc Khoa", Description: "", Subjects: subject("https://facebook.com/gia-mao-phuc-khoa")})
	var list struct {
		Cases struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID   string
					Unit struct{ ID string }
				}
			}
		}
	}
	s.must(t, "handler9", `{ cases { totalCount edges { node { id unit { id } } } } }`, nil, &list)
	if list.Cases.TotalCount != 1 || list.Cases.Edges[0].Node.ID != mine.ID {
		t.Fatalf("handler9 sees %+v; want only case %s", list.Cases, mine.ID)
	}

	// Revoked by the operator's command (another process): the server's
	// authorizer reloads on the NOTIFY and refuses handler9's next request.
	if out, err := s.run("user", "revoke", "handler9", "--role", "HANDLER", "--unit", "lai-chau/tan-uyen/xa-ta-mit", "--reason", "điều chuyển công tác"); err != nil {
		t.Fatalf("casetrail user revoke: %v\n%s", err, out)
	}
	eventually(t, 15*time.Second, "the revocation in the server", func() error {
		if r := s.gql(t, "handler9", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": mine.ID}); r.code() != incident.CodeForbidden {
			return errors.New("still readable")
		}
		return nil
	})

	// A unit the command line adds is covered by the grants of the running
	// server at once (its tree follows the registry).
	if out, err := s.run("unit", "add", "--id", "lai-chau/tan-uyen/xa-pa-so", "--name", "UBND xã Pa Sỏ", "--parent", "lai-chau/tan-uyen",
		"--reason", "thành lập xã", "--actor", "operator1"); err != nil {
		t.Fatalf("casetrail unit add: %v\n%s", err, out)
	}
	paSo := reportInput{ClientRequestID: "adm-pa-so", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-pa-so",
		Title: "Trang giả mạo UBND xã Pa Sỏ", Description: "", Subjects: subject("https://facebook.com/gia-mao-pa-so")}
	eventually(t, 15*time.Second, "the new unit in the server's tree", func() error {
		// The district's handler may report there once the server's tree
		// has the commune under the district (the same request id: a retry
		// opens no second case).
		if r := s.gql(t, "handler1", reportMutation, map[string]any{"in": paSo}); len(r.Errors) > 0 {
			return errors.New(r.Errors[0].Message)
		}
		return nil
	})

	// The commune is merged into Phúc Khoa: its next report goes there.
	s.must(t, "admin1", `mutation($reason: String!) { closeUnit(id: "lai-chau/tan-uyen/xa-ta-mit", successor: "lai-chau/tan-uyen/xa-phuc-khoa", reason: $reason) { closedAt } }`,
		vars(), nil)
	routed, _ := s.report(t, "handler1", reportInput{ClientRequestID: "adm-3", Kind: "FALSE_INFORMATION", Unit: "lai-chau/tan-uyen/xa-ta-mit",
		Title: "Tin sai về xã Tà Mít", Description: "", Subjects: subject("https://facebook.com/tin-sai-ta-mit")})
	if routed.Unit.ID != "lai-chau/tan-uyen/xa-phuc-khoa" {
		t.Fatalf("a report to the closed commune landed in %s", routed.Unit.ID)
	}
	s.must(t, "handler1", `{ cases(filter: {unit: "lai-chau/tan-uyen/xa-phuc-khoa"}) { totalCount edges { node { id unit { id } } } } }`, nil, &list)
	found := false
	for _, e := range list.Cases.Edges {
		found = found || e.Node.ID == routed.ID
	}
	if !found {
		t.Fatalf("the successor's case list lacks the routed report: %+v", list.Cases)
	}
	if c := s.readCase(t, "handler1", mine.ID); c.Unit.ID != "lai-chau/tan-uyen/xa-ta-mit" {
		t.Errorf("the closed commune's case moved to %s", c.Unit.ID)
	}

	// The registry: registered is OFFICIAL, disabled is UNKNOWN.
	var reg struct {
		RegisterOfficialAccount struct{ ID string } `json:"registerOfficialAccount"`
	}
	s.must(t, "admin1", `mutation($reason: String) { registerOfficialAccount(unit: "lai-chau/tan-uyen/xa-phuc-khoa", platform: FACEBOOK,
		url: "https://www.facebook.com/ubndxaphuckhoa", displayName: "UBND xã Phúc Khoa", reason: $reason) { id } }`, vars(), &reg)
	checkAccount := func(want string) {
		t.Helper()
		var d struct{ CheckAccount struct{ Result string } }
		s.must(t, "reporter1", `{ checkAccount(url: "https://facebook.com/ubndxaphuckhoa") { result } }`, nil, &d)
		if d.CheckAccount.Result != want {
			t.Fatalf("checkAccount: %s, want %s", d.CheckAccount.Result, want)
		}
	}
	checkAccount(incident.AccountOfficial)
	s.must(t, "admin1", `mutation($id: ID!, $reason: String!) { setOfficialAccountDisabled(id: $id, disabled: true, reason: $reason) { disabled } }`,
		vars("id", reg.RegisterOfficialAccount.ID), nil)
	checkAccount(incident.AccountUnknown)

	// The auditor reads each change with its actor and reason.
	var trail []string
	for _, e := range s.adminHistory(t, "auditor1") {
		if e.Actor != "seed" {
			trail = append(trail, e.Type+"/"+e.Actor+"/"+e.Reason)
		}
	}
	want := []string{
		"UnitDefined/admin1/" + reason, "UserCreated/admin1/" + reason, "RoleGranted/admin1/" + reason,
		"RoleRevoked/cli:" + osUser() + "/điều chuyển công tác", "UnitDefined/operator1/thành lập xã",
		"UnitClosed/admin1/" + reason, "OfficialAccountRegistered/admin1/" + reason, "OfficialAccountChanged/admin1/" + reason,
	}
	if strings.Join(trail, "\n") != strings.Join(want, "\n") {
		t.Errorf("admin history:\n%s\nwant\n%s", strings.Join(trail, "\n"), strings.Join(want, "\n"))
	}
}
