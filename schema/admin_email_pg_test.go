package schema_test

import (
	"encoding/json"
	"testing"

	"casetrail/eventstore/readmodel"
	"casetrail/web"
)

// TestUserEmailOnPostgres: users' e-mail addresses through the graph on
// the real stack. createUser(email:) records UserCreated then
// UserEmailChanged; an ADMIN over the user sets and removes it (reason
// required), the user sets their own (reason optional) and reads it in
// Viewer.email; another user, or an ADMIN of another district, is
// FORBIDDEN; a bad address is BAD_USER_INPUT on email and records
// nothing; the same address again records nothing; the users table and
// the notifications' directory (web.Users.People) hold what the graph
// says.
func TestUserEmailOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	users := web.NewUsers(e.pool)
	const setEmail = `mutation($u: String!, $e: String!, $r: String) { setUserEmail(username: $u, email: $e, reason: $r) { username email } }`
	const reason = "Cán bộ mới nhận nhiệm vụ"

	// createUser with an address: two events, one change each.
	head := e.head()
	d := e.ok("admin1", `mutation { createUser(username: "handler3", name: "Lò Văn Sáu", email: " sau.lv@tanuyen.gov.vn ", reason: "Cán bộ mới nhận nhiệm vụ") { user { username email } } }`, nil)
	if got := dig(d, "createUser", "user", "email"); got != "sau.lv@tanuyen.gov.vn" {
		t.Errorf("createUser: email %v", got)
	}
	recs := e.wantEvents(head, "admin1", reason, readmodel.TypeUserCreated, readmodel.TypeUserEmailChanged)
	var ch readmodel.UserChange
	if err := json.Unmarshal(recs[1].Data, &ch); err != nil || ch.Username != "handler3" || ch.Email != "sau.lv@tanuyen.gov.vn" {
		t.Errorf("UserEmailChanged payload %s (%v)", recs[1].Data, err)
	}
	// A bad address creates nobody.
	head = e.head()
	e.refused("admin1", `mutation { createUser(username: "handler4", name: "Ai Đó", email: "khong-phai-email", reason: "x") { user { username } } }`, nil,
		"BAD_USER_INPUT", "email")
	e.wantEvents(head, "", "")
	if _, err := users.Get(e.ctx, "handler4"); err == nil {
		t.Error("a user was created with a bad address")
	}

	// An ADMIN over the user: handler1 holds HANDLER in Tân Uyên.
	head = e.head()
	d = e.ok("admin1", setEmail, map[string]any{"u": "handler1", "e": "hung.nv@tanuyen.gov.vn", "r": reason})
	if got := dig(d, "setUserEmail", "email"); got != "hung.nv@tanuyen.gov.vn" {
		t.Errorf("setUserEmail: %v", got)
	}
	e.wantEvents(head, "admin1", reason, readmodel.TypeUserEmailChanged)
	head = e.head()
	e.ok("admin1", setEmail, map[string]any{"u": "handler1", "e": "hung.nv@tanuyen.gov.vn", "r": reason}) // the same: nothing
	e.wantEvents(head, "", "")
	e.refused("admin1", setEmail, map[string]any{"u": "handler1", "e": "hung.nv@tanuyen.gov.vn"}, "BAD_USER_INPUT", "reason")
	for _, bad := range []string{"hung", "hung@", "@tanuyen.gov.vn", "Hùng <hung@tanuyen.gov.vn>", "a b@tanuyen.gov.vn", "hung@tanuyen..gov.vn"} {
		e.refused("admin1", setEmail, map[string]any{"u": "handler1", "e": bad, "r": reason}, "BAD_USER_INPUT", "email")
	}
	e.refused("admin2", setEmail, map[string]any{"u": "handler1", "e": "x@y.vn", "r": reason}, "FORBIDDEN", "")
	e.refused("handler2", setEmail, map[string]any{"u": "handler1", "e": "x@y.vn", "r": reason}, "FORBIDDEN", "")
	e.refused("admin1", setEmail, map[string]any{"u": "nobody", "e": "x@y.vn", "r": reason}, "NOT_FOUND", "username")
	e.wantEvents(head, "", "")
	if got := dig(e.ok("admin1", `{ user(username: "handler1") { email } }`, nil), "user", "email"); got != "hung.nv@tanuyen.gov.vn" {
		t.Errorf("user.email %v", got)
	}

	// The user themself: no reason needed; Viewer.email.
	head = e.head()
	e.ok("reporter1", setEmail, map[string]any{"u": "reporter1", "e": "mai.lt@phuckhoa.gov.vn"})
	e.wantEvents(head, "reporter1", "", readmodel.TypeUserEmailChanged)
	if got := dig(e.ok("reporter1", `{ me { subject email } }`, nil), "me", "email"); got != "mai.lt@phuckhoa.gov.vn" {
		t.Errorf("me.email %v", got)
	}
	if got := dig(e.ok("handler2", `{ me { email } }`, nil), "me", "email"); got != nil {
		t.Errorf("handler2 has no address, me.email %v", got)
	}
	// A machine client has no user to hold one.
	e.refused("bot-import", setEmail, map[string]any{"u": "bot-import", "e": "bot@tanuyen.gov.vn"}, "NOT_FOUND", "username")

	// Removal.
	head = e.head()
	d = e.ok("admin1", setEmail, map[string]any{"u": "handler1", "e": "", "r": "Chuyển công tác"})
	if got := dig(d, "setUserEmail", "email"); got != nil {
		t.Errorf("removed address reads %v", got)
	}
	recs = e.wantEvents(head, "admin1", "Chuyển công tác", readmodel.TypeUserEmailChanged)
	ch = readmodel.UserChange{}
	if err := json.Unmarshal(recs[0].Data, &ch); err != nil || ch.Username != "handler1" || ch.Email != "" {
		t.Errorf("removal payload %s", recs[0].Data)
	}

	// The directory of notifications: in the order asked, a machine
	// client by its subject only, a disabled user without an address.
	e.ok("admin1", `mutation { setUserDisabled(username: "handler3", disabled: true, reason: "Nghỉ phép dài hạn") { username } }`, nil)
	people, err := users.People(e.ctx, []string{"reporter1", "bot-import", "handler1", "reporter1", "handler3"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ user, name, email string }
	want := []row{{"reporter1", "Reporter1", "mai.lt@phuckhoa.gov.vn"}, {"bot-import", "", ""}, {"handler1", "Handler1", ""}, {"handler3", "Lò Văn Sáu", ""}}
	if len(people) != len(want) {
		t.Fatalf("People = %+v", people)
	}
	for i, w := range want {
		if p := people[i]; p.Username != w.user || p.Name != w.name || p.Email != w.email {
			t.Errorf("People[%d] = %+v, want %+v", i, p, w)
		}
	}
	// The table refuses what is plainly not an address, whatever writes it.
	if _, err := e.pool.Exec(e.ctx, `UPDATE users SET email = 'not an address' WHERE username = 'handler1'`); err == nil {
		t.Error("the users table took 'not an address'")
	}
}
