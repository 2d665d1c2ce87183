package schema_test

// The administration's mutations on the real stack: PostgreSQL (a fresh
// database), the registry and its admin stream, Casbin (api.Authorizer,
// NOTIFY), the web interface's users. The fake-backed tests of this
// package check the mapping; these check what each mutation does.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
	"casetrail/web"
)

var pgUnits = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "UBND xã Trung Đồng", Parent: "lai-chau/tan-uyen"},
	{ID: "lai-chau/than-uyen", Name: "Than Uyên", Parent: "lai-chau"},
}

// Who holds what: admin0 administers the province, admin1 the district
// Tân Uyên, admin2 the district Than Uyên.
var pgGrants = []api.Grant{
	{Subject: "admin0", Role: api.RoleAdmin, Unit: "lai-chau"},
	{Subject: "admin1", Role: api.RoleAdmin, Unit: "lai-chau/tan-uyen"},
	{Subject: "admin2", Role: api.RoleAdmin, Unit: "lai-chau/than-uyen"},
	{Subject: "auditor1", Role: api.RoleAuditor, Unit: "lai-chau"},
	{Subject: "handler1", Role: api.RoleHandler, Unit: "lai-chau/tan-uyen"},
	{Subject: "handler2", Role: api.RoleHandler, Unit: "lai-chau/than-uyen"},
	{Subject: "reporter1", Role: api.RoleReporter, Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
	{Subject: "bot-import", Role: api.RoleReporter, Unit: "lai-chau/tan-uyen"}, // a machine client: no user
}

type pgEnv struct {
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	reg   *readmodel.Registry
	authz *api.Authorizer
	s     schemaRunner
}

type schemaRunner func(sub, query string, vars map[string]any) pgResult

type pgResult struct {
	Data   map[string]any
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func (r pgResult) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r pgResult) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// noCommands: these tests send no case command.
type noCommands struct{}

func (noCommands) Report(context.Context, string, string, string, incident.Report) (incident.Case, error) {
	return incident.Case{}, errors.New("no workflow engine in this test")
}

func (noCommands) Execute(context.Context, string, string, string, *int64, incident.Command) (incident.Case, error) {
	return incident.Case{}, errors.New("no workflow engine in this test")
}

func newPGEnv(t *testing.T) *pgEnv {
	t.Helper()
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()
	for _, ensure := range []func(context.Context, *pgxpool.Pool) error{readmodel.EnsureSchema, api.EnsureSchema, web.EnsureSchema} {
		if err := ensure(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	reg := readmodel.NewRegistry(pool)
	if _, err := reg.DefineUnits(ctx, readmodel.Change{Actor: "seed", Reason: "test seed"}, pgUnits); err != nil {
		t.Fatal(err)
	}
	authz, err := api.NewAuthorizer(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(authz.Close)
	if err := authz.FollowUnits(ctx, reg.Units); err != nil {
		t.Fatal(err)
	}
	for _, g := range pgGrants {
		if err := authz.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	users := web.NewUsers(pool)
	for _, name := range []string{"admin0", "admin1", "admin2", "auditor1", "handler1", "handler2", "reporter1"} {
		if err := users.Create(ctx, web.User{Username: name, DisplayName: strings.ToUpper(name[:1]) + name[1:]}); err != nil {
			t.Fatal(err)
		}
	}
	reader := readmodel.NewReader(pool)
	s, err := schema.New(schema.Deps{Auth: authz, Commands: noCommands{}, Cases: reader, Streams: reader, Registry: reg,
		Progress: readmodel.NewProjector(store), Blobs: store, Registrar: reg,
		Admin: readmodel.NewAdmin(reg, authz, web.NewUserAdmin(pool))})
	if err != nil {
		t.Fatal(err)
	}
	e := &pgEnv{t: t, ctx: ctx, pool: pool, reg: reg, authz: authz}
	e.s = func(sub, query string, vars map[string]any) pgResult {
		res := schema.Execute(schema.WithSubject(ctx, sub), s, query, "", vars)
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var out pgResult
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return e
}

// ok runs query as sub and fails the test on any error.
func (e *pgEnv) ok(sub, query string, vars map[string]any) map[string]any {
	e.t.Helper()
	r := e.s(sub, query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("%s as %s: %+v", firstLine(query), sub, r.Errors)
	}
	return r.Data
}

// refused runs query as sub and fails the test unless it is refused with
// code (and, when given, on field).
func (e *pgEnv) refused(sub, query string, vars map[string]any, code, field string) pgResult {
	e.t.Helper()
	r := e.s(sub, query, vars)
	if r.code() != code || (field != "" && r.field() != field) {
		e.t.Fatalf("%s as %s: %+v %v; want %s on %q", firstLine(query), sub, r.Errors, r.Data, code, field)
	}
	return r
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}

// adminEvents returns the admin stream's events after version after.
func (e *pgEnv) adminEvents(after int64) []eventstore.RecordedEvent {
	e.t.Helper()
	recs, err := e.reg.AdminHistory(e.ctx, after, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return recs
}

func (e *pgEnv) head() int64 {
	e.t.Helper()
	recs := e.adminEvents(0)
	if len(recs) == 0 {
		return 0
	}
	return recs[len(recs)-1].Version
}

// wantEvent checks that the admin stream gained exactly the events of
// types after version after, each by actor with reason, and returns them.
func (e *pgEnv) wantEvents(after int64, actor, reason string, types ...string) []eventstore.RecordedEvent {
	e.t.Helper()
	recs := e.adminEvents(after)
	var got []string
	for _, r := range recs {
		got = append(got, r.Type)
		if r.Metadata.Actor != actor || r.Metadata.Reason != reason {
			e.t.Errorf("%s by %q for %q; want %q for %q", r.Type, r.Metadata.Actor, r.Metadata.Reason, actor, reason)
		}
	}
	if strings.Join(got, ",") != strings.Join(types, ",") {
		e.t.Fatalf("admin stream gained %v; want %v", got, types)
	}
	return recs
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

const unitFields = `{ id name parent { id } escalatesTo { id } symbol closedAt successor { id } }`

// TestAdminUnitsOnPostgres: createUnit, updateUnit and closeUnit: allowed
// within the caller's ADMIN subtree, FORBIDDEN outside, BAD_USER_INPUT for
// a bad id, a duplicate, a cycle, an unknown or closed successor, an empty
// or over-long reason; each change one event with the caller and the
// reason; the authorizer's tree follows at once.
func TestAdminUnitsOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	const reason = "Nghị quyết 1671/NQ-UBTVQH15 sắp xếp đơn vị hành chính"
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"reason": reason}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	create := `mutation($input: NewUnitInput!, $reason: String!) { createUnit(input: $input, reason: $reason) ` + unitFields + ` }`
	commune := map[string]any{"id": "lai-chau/tan-uyen/xa-ta-mit", "name": "UBND xã Tà Mít", "parent": "lai-chau/tan-uyen", "symbol": "UBND"}

	// Refused: outside the subtree, a root by a district's admin, by a
	// handler; nothing recorded.
	head := e.head()
	e.refused("admin2", create, vars("input", commune), incident.CodeForbidden, "")
	e.refused("handler1", create, vars("input", commune), incident.CodeForbidden, "")
	e.refused("admin1", create, vars("input", map[string]any{"id": "dien-bien", "name": "Điện Biên"}), incident.CodeForbidden, "")
	e.refused("admin1", create, map[string]any{"input": commune, "reason": "  "}, incident.CodeBadUserInput, "reason")
	e.refused("admin1", create, map[string]any{"input": commune, "reason": strings.Repeat("x", 501)}, incident.CodeBadUserInput, "reason")
	e.refused("admin1", create, vars("input", map[string]any{"id": "lai-chau/tan-uyen/Xã Mới", "name": "X", "parent": "lai-chau/tan-uyen"}),
		incident.CodeBadUserInput, "input.id")
	e.refused("admin1", create, vars("input", map[string]any{"id": "lai-chau/tan-uyen/xa-phuc-khoa", "name": "X", "parent": "lai-chau/tan-uyen"}),
		incident.CodeBadUserInput, "input.id")
	e.refused("admin1", create, vars("input", map[string]any{"id": "lai-chau/x", "name": "X", "parent": "lai-chau/nowhere"}),
		incident.CodeBadUserInput, "input.parent")
	e.refused("admin1", create, vars("input", map[string]any{"id": "lai-chau/tan-uyen/x", "name": "X", "parent": "lai-chau/tan-uyen", "escalatesTo": "nowhere"}),
		incident.CodeBadUserInput, "input.escalatesTo")
	e.refused("admin1", create, vars("input", map[string]any{"id": "lai-chau/tan-uyen/x", "name": "X", "parent": "lai-chau/tan-uyen", "symbol": "UBND VHTT"}),
		incident.CodeBadUserInput, "input.symbol")
	e.wantEvents(head, "", "")

	// Allowed: the district's admin creates a commune in the district; the
	// district's handler may act there at once.
	if ok, _ := e.authz.Allowed("handler1", incident.CmdTriageCase, "lai-chau/tan-uyen/xa-ta-mit"); ok {
		t.Fatal("allowed on a unit that does not exist yet")
	}
	d := e.ok("admin1", create, vars("input", commune))
	if dig(d, "createUnit", "id") != "lai-chau/tan-uyen/xa-ta-mit" || dig(d, "createUnit", "parent", "id") != "lai-chau/tan-uyen" ||
		dig(d, "createUnit", "escalatesTo", "id") != "lai-chau/so-vhttdl" || dig(d, "createUnit", "closedAt") != nil {
		t.Fatalf("created: %v", d)
	}
	recs := e.wantEvents(head, "admin1", reason, readmodel.TypeUnitDefined)
	if !strings.Contains(string(recs[0].Data), `"id":"lai-chau/tan-uyen/xa-ta-mit"`) {
		t.Errorf("payload %s", recs[0].Data)
	}
	if ok, _ := e.authz.Allowed("handler1", incident.CmdTriageCase, "lai-chau/tan-uyen/xa-ta-mit"); !ok {
		t.Error("the district's handler is not allowed on the new commune right after createUnit")
	}
	// A new root needs ADMIN on every root.
	head = e.head()
	d = e.ok("admin0", create, vars("input", map[string]any{"id": "dien-bien", "name": "Tỉnh Điện Biên"}))
	if dig(d, "createUnit", "parent") != nil {
		t.Fatalf("root: %v", d)
	}
	e.wantEvents(head, "admin0", reason, readmodel.TypeUnitDefined)

	// updateUnit: a rename; a move within the subtree; a move outside it
	// is FORBIDDEN; a cycle is BAD_USER_INPUT; nothing changed records
	// nothing.
	update := `mutation($id: ID!, $input: UnitChangeInput!, $reason: String!) { updateUnit(id: $id, input: $input, reason: $reason) ` + unitFields + ` }`
	head = e.head()
	d = e.ok("admin1", update, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "input", map[string]any{"name": "UBND xã Tà Mít (mới)"}))
	if dig(d, "updateUnit", "name") != "UBND xã Tà Mít (mới)" || dig(d, "updateUnit", "symbol") != "UBND" {
		t.Fatalf("renamed: %v", d)
	}
	e.ok("admin1", update, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "input", map[string]any{"parent": "lai-chau/tan-uyen/xa-trung-dong"}))
	e.ok("admin1", update, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "input", map[string]any{"name": "UBND xã Tà Mít (mới)"}))
	e.wantEvents(head, "admin1", reason, readmodel.TypeUnitChanged, readmodel.TypeUnitChanged)
	e.refused("admin1", update, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "input", map[string]any{"parent": "lai-chau/than-uyen"}), incident.CodeForbidden, "")
	e.refused("admin2", update, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "input", map[string]any{"name": "X"}), incident.CodeForbidden, "")
	e.refused("admin1", update, vars("id", "lai-chau/tan-uyen/xa-trung-dong", "input", map[string]any{"parent": "lai-chau/tan-uyen/xa-ta-mit"}),
		incident.CodeBadUserInput, "input.parent")
	e.refused("admin1", update, vars("id", "lai-chau/tan-uyen/nowhere", "input", map[string]any{"name": "X"}), incident.CodeNotFound, "")
	e.refused("admin1", update, vars("id", "lai-chau/tan-uyen", "input", map[string]any{"escalatesTo": "nowhere"}), incident.CodeBadUserInput, "input.escalatesTo")

	// closeUnit: a unit with open sub-units says which; the successor must
	// exist, be open and lie outside; closed, the unit says when and where
	// its reports go, and stays in units.
	closeQ := `mutation($id: ID!, $successor: ID!, $reason: String!) { closeUnit(id: $id, successor: $successor, reason: $reason) ` + unitFields + ` }`
	head = e.head()
	r := e.refused("admin1", closeQ, vars("id", "lai-chau/tan-uyen/xa-trung-dong", "successor", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeBadUserInput, "id")
	if !strings.Contains(r.Errors[0].Message, "lai-chau/tan-uyen/xa-ta-mit") {
		t.Errorf("the open sub-unit is not named: %s", r.Errors[0].Message)
	}
	e.refused("admin1", closeQ, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "successor", "lai-chau/nowhere"), incident.CodeBadUserInput, "successor")
	e.refused("admin1", closeQ, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "successor", "lai-chau/tan-uyen/xa-ta-mit"), incident.CodeBadUserInput, "successor")
	e.refused("admin2", closeQ, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "successor", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeForbidden, "")
	e.refused("admin1", closeQ, map[string]any{"id": "lai-chau/tan-uyen/xa-ta-mit", "successor": "lai-chau/tan-uyen/xa-phuc-khoa", "reason": ""},
		incident.CodeBadUserInput, "reason")
	e.wantEvents(head, "", "")
	d = e.ok("admin1", closeQ, vars("id", "lai-chau/tan-uyen/xa-ta-mit", "successor", "lai-chau/tan-uyen/xa-phuc-khoa"))
	closedAt, _ := dig(d, "closeUnit", "closedAt").(string)
	if at, err := time.Parse(time.RFC3339Nano, closedAt); err != nil || time.Since(at) > time.Minute ||
		dig(d, "closeUnit", "successor", "id") != "lai-chau/tan-uyen/xa-phuc-khoa" {
		t.Fatalf("closed: %v (%v)", d, err)
	}
	e.wantEvents(head, "admin1", reason, readmodel.TypeUnitClosed)
	e.refused("admin1", closeQ, vars("id", "lai-chau/tan-uyen/xa-trung-dong", "successor", "lai-chau/tan-uyen/xa-ta-mit"), incident.CodeBadUserInput, "successor")
	d = e.ok("handler1", `{ units { id closedAt successor { id } } }`, nil)
	found := false
	for _, u := range d["units"].([]any) {
		if dig(u, "id") == "lai-chau/tan-uyen/xa-ta-mit" {
			found = dig(u, "closedAt") != nil && dig(u, "successor", "id") == "lai-chau/tan-uyen/xa-phuc-khoa"
		}
	}
	if !found {
		t.Errorf("units does not show the closed unit with its successor: %v", d)
	}

	// The auditor (of every root: the new one too) sees it all in
	// adminHistory, with actor and reason.
	if err := e.authz.Grant(e.ctx, api.Grant{Subject: "auditor1", Role: api.RoleAuditor, Unit: "dien-bien"}); err != nil {
		t.Fatal(err)
	}
	d = e.ok("auditor1", `{ adminHistory(limit: 1000) { type actor reason } }`, nil)
	var byAdmin []string
	for _, ev := range d["adminHistory"].([]any) {
		if dig(ev, "actor") != "seed" {
			byAdmin = append(byAdmin, fmt.Sprintf("%s/%s/%v", dig(ev, "type"), dig(ev, "actor"), dig(ev, "reason") == reason))
		}
	}
	if want := "UnitDefined/admin1/true,UnitDefined/admin0/true,UnitChanged/admin1/true,UnitChanged/admin1/true,UnitClosed/admin1/true"; strings.Join(byAdmin, ",") != want {
		t.Errorf("adminHistory: %v\nwant %s", byAdmin, want)
	}
}

const userFields = `{ username name disabled mustChangePassword grants { role unit { id } } }`

// TestAdminUsersOnPostgres: createUser, grantRole, revokeRole,
// resetPassword, setUserDisabled and the users lists, with their
// authorization; the revocation holds from the subject's next request in
// this process and reaches a second authorizer through NOTIFY.
func TestAdminUsersOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	const reason = "Quyết định phân công số 12/QĐ-UBND"
	create := `mutation($u: String!, $n: String!, $reason: String!) { createUser(username: $u, name: $n, reason: $reason) { user ` + userFields + ` oneTimePassword } }`
	grant := `mutation($s: String!, $r: Role!, $unit: ID!, $reason: String!) { grantRole(subject: $s, role: $r, unit: $unit, reason: $reason) ` + userFields + ` }`
	revoke := `mutation($s: String!, $r: Role!, $unit: ID!, $reason: String!) { revokeRole(subject: $s, role: $r, unit: $unit, reason: $reason) ` + userFields + ` }`
	g := func(s, r, unit string) map[string]any {
		return map[string]any{"s": s, "r": r, "unit": unit, "reason": reason}
	}

	// createUser: any ADMIN; not a handler; a bad or taken username.
	head := e.head()
	e.refused("handler1", create, map[string]any{"u": "handler3", "n": "Lò Văn Sáu", "reason": reason}, incident.CodeForbidden, "")
	e.refused("admin1", create, map[string]any{"u": "Bad Name", "n": "X", "reason": reason}, incident.CodeBadUserInput, "username")
	e.refused("admin1", create, map[string]any{"u": "handler1", "n": "X", "reason": reason}, incident.CodeBadUserInput, "username")
	e.refused("admin1", create, map[string]any{"u": "handler3", "n": "X", "reason": ""}, incident.CodeBadUserInput, "reason")
	e.wantEvents(head, "", "")
	d := e.ok("admin1", create, map[string]any{"u": "handler3", "n": "Lò Văn Sáu", "reason": reason})
	otp, _ := dig(d, "createUser", "oneTimePassword").(string)
	if len(otp) < 15 || dig(d, "createUser", "user", "mustChangePassword") != true || len(dig(d, "createUser", "user", "grants").([]any)) != 0 {
		t.Fatalf("created: %v", d)
	}
	recs := e.wantEvents(head, "admin1", reason, readmodel.TypeUserCreated)
	if strings.Contains(string(recs[0].Data), otp) || strings.Contains(string(recs[0].Data), "argon2") {
		t.Fatalf("the event holds the password: %s", recs[0].Data)
	}
	stored, err := web.NewUsers(e.pool).Get(e.ctx, "handler3")
	if err != nil {
		t.Fatal(err)
	}
	if match, err := argon2id.ComparePasswordAndHash(otp, stored.PasswordHash); err != nil || !match {
		t.Fatalf("the one-time password does not open the account: %v %v", match, err)
	}

	// grantRole: ADMIN on the unit; the subject a user or a machine client
	// holding a grant; a grant already held records nothing.
	head = e.head()
	e.refused("admin2", grant, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeForbidden, "")
	e.refused("admin1", grant, g("ghost", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeBadUserInput, "subject")
	e.refused("admin1", grant, g("handler3", "HANDLER", "lai-chau/tan-uyen/nowhere"), incident.CodeNotFound, "unit")
	e.refused("handler3", `{ officialAccounts { id } }`, nil, incident.CodeForbidden, "")
	d = e.ok("admin1", grant, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"))
	if dig(d, "grantRole", "grants") == nil || len(dig(d, "grantRole", "grants").([]any)) != 1 {
		t.Fatalf("granted: %v", d)
	}
	e.ok("admin1", grant, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"))
	d = e.ok("admin1", grant, g("bot-import", "REPORTER", "lai-chau/tan-uyen/xa-phuc-khoa"))
	if dig(d, "grantRole", "username") != "bot-import" || len(dig(d, "grantRole", "grants").([]any)) != 2 {
		t.Fatalf("machine client: %v", d)
	}
	recs = e.wantEvents(head, "admin1", reason, readmodel.TypeRoleGranted, readmodel.TypeRoleGranted)
	var rg readmodel.RoleGrant
	if err := json.Unmarshal(recs[0].Data, &rg); err != nil || rg != (readmodel.RoleGrant{Subject: "handler3", Role: "HANDLER", Unit: "lai-chau/tan-uyen/xa-phuc-khoa"}) {
		t.Errorf("grant payload %s (%v)", recs[0].Data, err)
	}
	e.ok("handler3", `{ officialAccounts { id } }`, nil)

	// The users lists: admin1 sees the district's people and those without
	// grants; admin2 does not see handler3; a handler sees none.
	names := func(sub, q string, vars map[string]any) string {
		t.Helper()
		var out []string
		for _, u := range e.ok(sub, q, vars)["users"].([]any) {
			out = append(out, dig(u, "username").(string))
		}
		return strings.Join(out, ",")
	}
	if got := names("admin1", `{ users { username } }`, nil); got != "admin1,handler1,handler3,reporter1" {
		t.Errorf("admin1's users: %s", got)
	}
	if got := names("admin1", `query($u: ID) { users(unit: $u) { username } }`, map[string]any{"u": "lai-chau/tan-uyen/xa-phuc-khoa"}); got != "handler3,reporter1" {
		t.Errorf("admin1's users of the commune: %s", got)
	}
	if got := names("admin2", `{ users { username } }`, nil); got != "admin2,handler2" {
		t.Errorf("admin2's users: %s", got)
	}
	e.refused("admin2", `query($u: ID) { users(unit: $u) { username } }`, map[string]any{"u": "lai-chau/tan-uyen"}, incident.CodeForbidden, "")
	e.refused("handler1", `{ users { username } }`, nil, incident.CodeForbidden, "")
	e.refused("admin2", `{ user(username: "handler3") { username } }`, nil, incident.CodeForbidden, "")
	if d := e.ok("admin1", `{ user(username: "handler3") `+userFields+` }`, nil); dig(d, "user", "name") != "Lò Văn Sáu" {
		t.Errorf("user: %v", d)
	}
	if d := e.ok("admin1", `{ user(username: "nobody") { username } }`, nil); d["user"] != nil {
		t.Errorf("an unknown user: %v", d)
	}

	// revokeRole: the next request of the subject is refused here, and a
	// second authorizer on the database refuses it after its reload.
	other, err := api.NewAuthorizer(e.ctx, e.pool)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.FollowUnits(e.ctx, e.reg.Units); err != nil {
		t.Fatal(err)
	}
	if ok, _ := other.Allowed("handler3", incident.ActionReadOfficialAccounts, "lai-chau/tan-uyen/xa-phuc-khoa"); !ok {
		t.Fatal("the second authorizer does not see the grant")
	}
	head = e.head()
	e.refused("admin2", revoke, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeForbidden, "")
	e.refused("admin1", revoke, g("handler3", "LEADER", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeBadUserInput, "role")
	e.refused("admin1", revoke, g("handler3", "HANDLER", "lai-chau/tan-uyen"), incident.CodeBadUserInput, "role")
	d = e.ok("admin1", revoke, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"))
	if len(dig(d, "revokeRole", "grants").([]any)) != 0 {
		t.Fatalf("revoked: %v", d)
	}
	e.refused("handler3", `{ officialAccounts { id } }`, nil, incident.CodeForbidden, "")
	e.refused("admin1", revoke, g("handler3", "HANDLER", "lai-chau/tan-uyen/xa-phuc-khoa"), incident.CodeBadUserInput, "role")
	e.wantEvents(head, "admin1", reason, readmodel.TypeRoleRevoked)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := other.Allowed("handler3", incident.ActionReadOfficialAccounts, "lai-chau/tan-uyen/xa-phuc-khoa")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second authorizer still allows the revoked grant")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// resetPassword and setUserDisabled: ADMIN over every unit of the
	// user's grants (handler1 holds HANDLER on the district: admin2 may
	// not, admin1 and admin0 may); nobody disables themself.
	reset := `mutation($u: String!, $reason: String!) { resetPassword(username: $u, reason: $reason) { user ` + userFields + ` oneTimePassword } }`
	disable := `mutation($u: String!, $d: Boolean!, $reason: String!) { setUserDisabled(username: $u, disabled: $d, reason: $reason) ` + userFields + ` }`
	head = e.head()
	e.refused("admin2", reset, map[string]any{"u": "handler1", "reason": reason}, incident.CodeForbidden, "")
	e.refused("admin1", reset, map[string]any{"u": "nobody", "reason": reason}, incident.CodeNotFound, "username")
	e.refused("admin2", disable, map[string]any{"u": "handler1", "d": true, "reason": reason}, incident.CodeForbidden, "")
	e.refused("admin1", disable, map[string]any{"u": "admin1", "d": true, "reason": reason}, incident.CodeBadUserInput, "username")
	e.wantEvents(head, "", "")
	d = e.ok("admin1", reset, map[string]any{"u": "handler1", "reason": reason})
	otp2, _ := dig(d, "resetPassword", "oneTimePassword").(string)
	stored, _ = web.NewUsers(e.pool).Get(e.ctx, "handler1")
	if match, err := argon2id.ComparePasswordAndHash(otp2, stored.PasswordHash); err != nil || !match || !stored.MustChangePassword {
		t.Fatalf("reset: %v %v %+v", match, err, stored)
	}
	d = e.ok("admin1", disable, map[string]any{"u": "handler1", "d": true, "reason": reason})
	if dig(d, "setUserDisabled", "disabled") != true {
		t.Fatalf("disabled: %v", d)
	}
	e.ok("admin1", disable, map[string]any{"u": "handler1", "d": true, "reason": reason}) // already so: nothing recorded
	e.ok("admin0", disable, map[string]any{"u": "handler1", "d": false, "reason": reason})
	e.ok("admin2", disable, map[string]any{"u": "handler3", "d": true, "reason": reason}) // no grants left: any ADMIN
	recs = e.adminEvents(head)
	var got []string
	for _, r := range recs {
		got = append(got, r.Type+"/"+r.Metadata.Actor)
		if strings.Contains(string(r.Data), otp2) || strings.Contains(string(r.Data), "argon2") {
			t.Errorf("%s holds a password: %s", r.Type, r.Data)
		}
	}
	if want := "PasswordReset/admin1,UserDisabled/admin1,UserEnabled/admin0,UserDisabled/admin2"; strings.Join(got, ",") != want {
		t.Errorf("admin stream: %v; want %s", got, want)
	}
}

// TestAdminAccountsOnPostgres: registering makes checkAccount answer
// OFFICIAL; disabling makes it UNKNOWN and hides the account unless asked;
// updates re-normalize the URL and keep it unique; the search ignores case
// and diacritics; ADMIN of the account's unit only.
func TestAdminAccountsOnPostgres(t *testing.T) {
	e := newPGEnv(t)
	const reason = "Công văn 88/STTTT xác minh trang"
	d := e.ok("admin1", `mutation($reason: String) { registerOfficialAccount(unit: "lai-chau/tan-uyen/xa-phuc-khoa", platform: FACEBOOK,
		url: "https://www.facebook.com/ubndxaphuckhoa", displayName: "UBND xã Phúc Khoa", reason: $reason) { id disabled verified } }`,
		map[string]any{"reason": reason})
	id, _ := dig(d, "registerOfficialAccount", "id").(string)
	if id == "" || dig(d, "registerOfficialAccount", "disabled") != false {
		t.Fatalf("registered: %v", d)
	}
	e.ok("admin2", `mutation { registerOfficialAccount(unit: "lai-chau/than-uyen", platform: ZALO,
		url: "https://zalo.me/thanuyen", displayName: "Huyện Than Uyên") { id } }`, nil)
	check := func(url, want string) {
		t.Helper()
		d := e.ok("reporter1", `query($u: String!) { checkAccount(url: $u) { result } }`, map[string]any{"u": url})
		if got := dig(d, "checkAccount", "result"); got != want {
			t.Fatalf("checkAccount(%s): %v; want %s", url, got, want)
		}
	}
	check("https://m.facebook.com/ubndxaphuckhoa?fbclid=1", incident.AccountOfficial)

	ids := func(sub, q string, vars map[string]any) string {
		t.Helper()
		var out []string
		for _, a := range e.ok(sub, q, vars)["officialAccounts"].([]any) {
			out = append(out, dig(a, "displayName").(string))
		}
		return strings.Join(out, ",")
	}
	list := `query($s: String, $all: Boolean) { officialAccounts(search: $s, includeDisabled: $all) { displayName } }`
	if got := ids("reporter1", list, map[string]any{"s": "PHUC khoa"}); got != "UBND xã Phúc Khoa" {
		t.Errorf("search without diacritics: %q", got)
	}
	if got := ids("reporter1", list, map[string]any{"s": "zalo.me"}); got != "Huyện Than Uyên" {
		t.Errorf("search in the URL: %q", got)
	}

	set := `mutation($id: ID!, $v: Boolean!, $reason: String!) { setOfficialAccountDisabled(id: $id, disabled: $v, reason: $reason) { id disabled } }`
	head := e.head()
	e.refused("admin2", set, map[string]any{"id": id, "v": true, "reason": reason}, incident.CodeForbidden, "")
	e.refused("reporter1", set, map[string]any{"id": id, "v": true, "reason": reason}, incident.CodeForbidden, "")
	e.refused("admin1", set, map[string]any{"id": "nowhere", "v": true, "reason": reason}, incident.CodeNotFound, "id")
	e.refused("admin1", set, map[string]any{"id": id, "v": true, "reason": ""}, incident.CodeBadUserInput, "reason")
	e.wantEvents(head, "", "")
	if d := e.ok("admin1", set, map[string]any{"id": id, "v": true, "reason": reason}); dig(d, "setOfficialAccountDisabled", "disabled") != true {
		t.Fatalf("disabled: %v", d)
	}
	check("https://facebook.com/ubndxaphuckhoa", incident.AccountUnknown)
	if got := ids("reporter1", list, nil); got != "Huyện Than Uyên" {
		t.Errorf("the disabled account is listed: %q", got)
	}
	if got := ids("reporter1", list, map[string]any{"all": true}); got != "UBND xã Phúc Khoa,Huyện Than Uyên" {
		t.Errorf("with includeDisabled: %q", got)
	}
	e.ok("admin1", set, map[string]any{"id": id, "v": false, "reason": reason})
	check("https://facebook.com/ubndxaphuckhoa", incident.AccountOfficial)

	verify := `mutation($id: ID!, $v: Boolean!, $reason: String!) { setOfficialAccountVerified(id: $id, verified: $v, reason: $reason) { verified } }`
	if d := e.ok("admin0", verify, map[string]any{"id": id, "v": false, "reason": reason}); dig(d, "setOfficialAccountVerified", "verified") != false {
		t.Fatalf("verified: %v", d)
	}

	update := `mutation($id: ID!, $in: OfficialAccountChangeInput!, $reason: String!) { updateOfficialAccount(id: $id, input: $in, reason: $reason) { url displayName platform } }`
	e.refused("admin1", update, map[string]any{"id": id, "in": map[string]any{"url": "https://zalo.me/thanuyen/"}, "reason": reason}, incident.CodeBadUserInput, "input.url")
	e.refused("admin1", update, map[string]any{"id": id, "in": map[string]any{"url": "ftp://x"}, "reason": reason}, incident.CodeBadUserInput, "input.url")
	e.refused("admin1", update, map[string]any{"id": id, "in": map[string]any{"displayName": " "}, "reason": reason}, incident.CodeBadUserInput, "input.displayName")
	d = e.ok("admin1", update, map[string]any{"id": id, "in": map[string]any{"url": "https://www.facebook.com/phuckhoa.gov", "displayName": "Trang UBND xã Phúc Khoa"}, "reason": reason})
	if dig(d, "updateOfficialAccount", "displayName") != "Trang UBND xã Phúc Khoa" {
		t.Fatalf("updated: %v", d)
	}
	check("https://facebook.com/phuckhoa.gov", incident.AccountOfficial)
	check("https://facebook.com/ubndxaphuckhoa", incident.AccountUnknown)
	var got []string
	for _, r := range e.adminEvents(head) {
		var p readmodel.AccountChanged
		if err := json.Unmarshal(r.Data, &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%s/%s/%v", r.Type, r.Metadata.Actor, strings.Join(p.Changed, "+"), r.Metadata.Reason == reason))
	}
	if want := "OfficialAccountChanged/admin1/disabled/true,OfficialAccountChanged/admin1/disabled/true," +
		"OfficialAccountChanged/admin0/verified/true,OfficialAccountChanged/admin1/url+displayName/true"; strings.Join(got, ",") != want {
		t.Errorf("admin stream: %v\nwant %s", got, want)
	}
}
