package schema

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
	"casetrail/intake"
)

const (
	unitProvince = "lai-chau"
	unitDistrict = "lai-chau/tan-uyen"
	unitCommune  = "lai-chau/tan-uyen/xa-phuc-khoa"
	unitOther    = "lai-chau/than-uyen"
)

// env is a schema over the fakes, with its log.
type env struct {
	s    graphql.Schema
	w    *world
	auth *fakeAuth
	log  *bytes.Buffer
}

func newTestSchema(t testing.TB) (graphql.Schema, *env) {
	t.Helper()
	w := newWorld()
	parent := map[string]string{}
	for _, u := range w.units {
		parent[u.ID] = u.Parent
	}
	auth := &fakeAuth{parent: parent, grants: map[string][]RoleGrant{
		"reporter1": {{Role: "REPORTER", Unit: unitCommune}},
		"handler1":  {{Role: "HANDLER", Unit: unitDistrict}},
		"leader1":   {{Role: "LEADER", Unit: unitDistrict}},
		"auditor1":  {{Role: "AUDITOR", Unit: unitProvince}},
		"admin1":    {{Role: "ADMIN", Unit: unitProvince}},
		// outsider holds every case role, on another district.
		"outsider": {{Role: "REPORTER", Unit: unitOther}, {Role: "HANDLER", Unit: unitOther},
			{Role: "LEADER", Unit: unitOther}, {Role: "AUDITOR", Unit: unitOther}},
	}}
	var logs bytes.Buffer
	s, err := New(Deps{Auth: auth, Commands: w, Reads: w, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s, &env{s: s, w: w, auth: auth, log: &logs}
}

// result is a decoded response.
type result struct {
	Data   map[string]any
	Errors []struct {
		Message    string
		Path       []any
		Extensions map[string]any
	}
}

func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r result) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// run executes query as sub ("" for no subject) and checks that every error
// carries a code.
func (e *env) run(t testing.TB, sub, query string, vars map[string]any) result {
	t.Helper()
	ctx := context.Background()
	if sub != "" {
		ctx = WithSubject(ctx, sub)
	}
	res := Execute(ctx, e.s, query, "", vars)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var out result
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for _, er := range out.Errors {
		if c, _ := er.Extensions["code"].(string); c == "" {
			t.Errorf("error without extensions.code: %s", toJSON(er))
		}
	}
	return out
}

// ok runs query and fails on any error.
func (e *env) ok(t testing.TB, sub, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := e.run(t, sub, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: unexpected errors: %s", query, toJSON(r.Errors))
	}
	return r.Data
}

// seed reports a case in unit as reporter and returns it.
func (e *env) seed(t testing.TB, reporter, unit, crid, url string) incident.Case {
	t.Helper()
	return e.seedWithID(t, intake.CaseIDFor(caseIDKey, reporter, crid), reporter, unit, crid, url)
}

// seedWithID reports case id in unit as reporter and returns it.
func (e *env) seedWithID(t testing.TB, id, reporter, unit, crid, url string) incident.Case {
	t.Helper()
	rep := incident.Report{ClientRequestID: crid, Kind: incident.Impersonation, Unit: unit, Title: "Trang giả mạo UBND",
		Description: "Trang mạo danh", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: url}}}
	rep, _, err := incident.ValidateReport(rep)
	if err != nil {
		t.Fatal(err)
	}
	rep.EscalatesTo = "lai-chau/so-vhttdl"
	c, err := e.w.Report(context.Background(), id, reporter, "seed", rep)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// do runs commands on case id directly in the world.
func (e *env) do(t testing.TB, id, actor string, cmds ...incident.Command) incident.Case {
	t.Helper()
	var c incident.Case
	for _, cmd := range cmds {
		var err error
		if c, err = e.w.Execute(context.Background(), id, actor, "seed", nil, cmd); err != nil {
			t.Fatalf("%s: %v", cmd.Name(), err)
		}
	}
	return c
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// op is one root field exercised by the authorization tests.
type op struct {
	name   string
	query  string
	inside string // a subject allowed to do it on a case of unitCommune
}

func ops() []op {
	return []op{
		{"case", `query($id: ID!) { case(id: $id) { id } }`, "reporter1"},
		{"caseByNumber", `query($number: String!) { caseByNumber(number: $number) { id } }`, "reporter1"},
		{"caseAsOf", `query($id: ID!) { caseAsOf(id: $id, version: 1) { id } }`, "auditor1"},
		{"verifyCase", `query($id: ID!) { verifyCase(id: $id) { ok } }`, "auditor1"},
		{"triageCase", `mutation($id: ID!) { triageCase(id: $id, severity: HIGH, assignee: "handler1") { id } }`, "handler1"},
		{"assignCase", `mutation($id: ID!) { assignCase(id: $id, assignee: "handler1") { id } }`, "leader1"},
		{"startAnalysis", `mutation($id: ID!) { startAnalysis(id: $id) { id } }`, "handler1"},
		{"recordAnalysis", `mutation($id: ID!) { recordAnalysis(id: $id, input: {findings: "giả mạo", verdict: FALSE}) { id } }`, "handler1"},
		{"addEvidence", `mutation($id: ID!) { addEvidence(id: $id, input: {description: "ảnh chụp", mediaType: "image/png", contentBase64: "aGVsbG8="}) { id } }`, "reporter1"},
		{"requestTakedown", `mutation($id: ID!) { requestTakedown(id: $id, input: {platform: FACEBOOK, targetUrl: "https://facebook.com/fake", reason: "mạo danh"}) { id } }`, "handler1"},
		{"recordTakedownResponse", `mutation($id: ID!) { recordTakedownResponse(id: $id, input: {takedownId: "TD-1", outcome: REMOVED}) { id } }`, "handler1"},
		{"requestEscalation", `mutation($id: ID!) { requestEscalation(id: $id, reason: "cần tỉnh xử lý") { id } }`, "handler1"},
		{"approveEscalation", `mutation($id: ID!) { approveEscalation(id: $id) { id } }`, "leader1"},
		{"declineEscalation", `mutation($id: ID!) { declineEscalation(id: $id, reason: "không cần") { id } }`, "leader1"},
		{"recordEscalationResponse", `mutation($id: ID!) { recordEscalationResponse(id: $id, response: "đã xử lý", resolved: true) { id } }`, "handler1"},
		{"resolveCase", `mutation($id: ID!) { resolveCase(id: $id, resolution: "đã gỡ") { id } }`, "handler1"},
		{"closeCase", `mutation($id: ID!) { closeCase(id: $id) { id } }`, "leader1"},
		{"rejectCase", `mutation($id: ID!) { rejectCase(id: $id, reason: "không phải sự cố") { id } }`, "leader1"},
		{"reopenCase", `mutation($id: ID!) { reopenCase(id: $id, reason: "tái diễn") { id } }`, "leader1"},
		{"addComment", `mutation($id: ID!) { addComment(id: $id, text: "đã liên hệ") { id } }`, "reporter1"},
		{"completeTask", `mutation($id: ID!) { completeTask(id: $id, taskId: "registry-check") { id } }`, "handler1"},
		{"waiveTask", `mutation($id: ID!) { waiveTask(id: $id, taskId: "registry-check", reason: "không cần") { id } }`, "leader1"},
		{"reportIncident", `mutation { reportIncident(input: {clientRequestId: "m-1", kind: IMPERSONATION, unit: "` + unitCommune +
			`", title: "Giả mạo", description: "", subjects: [{platform: FACEBOOK, url: "https://facebook.com/other-fake"}]}) { case { id } merged } }`, "reporter1"},
		{"registerOfficialAccount", `mutation { registerOfficialAccount(unit: "` + unitCommune +
			`", platform: ZALO, url: "https://zalo.me/phuckhoa", displayName: "UBND xã Phúc Khoa") { id } }`, "admin1"},
	}
}

func TestUnauthenticatedWithoutSubject(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	vars := map[string]any{"id": c.ID, "number": c.Number}
	all := append(ops(),
		op{name: "me", query: `{ me { subject } }`},
		op{name: "cases", query: `{ cases { totalCount } }`},
		op{name: "stats", query: `{ stats { total } }`},
		op{name: "units", query: `{ units { id } }`},
		op{name: "officialAccounts", query: `{ officialAccounts { id } }`},
		op{name: "checkAccount", query: `{ checkAccount(url: "https://facebook.com/x") { result } }`},
		op{name: "history", query: `query($id: ID!) { caseAsOf(id: $id) { history { version } } }`},
	)
	for _, o := range all {
		t.Run(o.name, func(t *testing.T) {
			r := e.run(t, "", o.query, vars)
			if r.code() != incident.CodeUnauthenticated {
				t.Errorf("code %q, want UNAUTHENTICATED: %s", r.code(), toJSON(r.Errors))
			}
		})
	}
	if len(e.w.executes) != 0 || len(e.w.reports) != 1 {
		t.Errorf("commands ran without a subject: %v %v", e.w.executes, e.w.reports)
	}
}

// nullableReads answer an unknown case with null (and one outside the
// caller's units with FORBIDDEN, as every other operation).
var nullableReads = map[string]bool{"case": true, "caseByNumber": true, "caseAsOf": true}

// TestForbiddenOutsideUnits runs every case query and mutation as a subject
// holding every case role on another district (FORBIDDEN, nothing executed)
// and as an allowed subject of the case's unit (not FORBIDDEN).
func TestForbiddenOutsideUnits(t *testing.T) {
	for _, o := range ops() {
		t.Run(o.name, func(t *testing.T) {
			_, e := newTestSchema(t)
			c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
			vars := map[string]any{"id": c.ID, "number": c.Number}

			want := incident.CodeForbidden
			r := e.run(t, "outsider", o.query, vars)
			if r.code() != want {
				t.Errorf("outsider: code %q, want %q: %s", r.code(), want, toJSON(r))
			}
			if r.Data[o.name] != nil {
				t.Errorf("outsider reads the case: %s", toJSON(r))
			}
			if len(e.w.executes) != 0 || len(e.w.reports) != 1 || len(e.w.blobs) != 0 {
				t.Errorf("outsider changed something: executes %v, reports %v, blobs %d", e.w.executes, e.w.reports, len(e.w.blobs))
			}
			if r := e.run(t, "nobody", o.query, vars); r.code() != want {
				t.Errorf("nobody: code %q, want %q", r.code(), want)
			}
			r = e.run(t, o.inside, o.query, vars)
			if r.code() == incident.CodeForbidden || r.code() == incident.CodeUnauthenticated {
				t.Errorf("%s inside the unit: %s", o.inside, toJSON(r.Errors))
			}
		})
	}
}

// TestRoleOutsideAction: inside the case's unit, a role without the action
// is FORBIDDEN too.
func TestRoleOutsideAction(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	vars := map[string]any{"id": c.ID}
	for _, tc := range []struct{ sub, query string }{
		{"reporter1", `query($id: ID!) { case(id: $id) { id history { version } } }`},
		{"reporter1", `query($id: ID!) { verifyCase(id: $id) { ok } }`},
		{"reporter1", `query($id: ID!) { caseAsOf(id: $id) { id } }`},
		{"reporter1", `mutation($id: ID!) { triageCase(id: $id, severity: LOW, assignee: "x") { id } }`},
		{"handler1", `mutation($id: ID!) { closeCase(id: $id) { id } }`},
		{"leader1", `mutation($id: ID!) { startAnalysis(id: $id) { id } }`},
		{"auditor1", `mutation($id: ID!) { addComment(id: $id, text: "x") { id } }`},
		{"handler1", `mutation { registerOfficialAccount(unit: "lai-chau/tan-uyen", platform: ZALO, url: "https://zalo.me/x", displayName: "x") { id } }`},
		{"auditor1", `mutation { reportIncident(input: {clientRequestId: "a", kind: IMPERSONATION, unit: "lai-chau/tan-uyen", title: "t", description: "", subjects: [{platform: OTHER, url: "https://x.vn/a"}]}) { merged } }`},
	} {
		if r := e.run(t, tc.sub, tc.query, vars); r.code() != incident.CodeForbidden {
			t.Errorf("%s %s: code %q, want FORBIDDEN", tc.sub, tc.query, r.code())
		}
	}
	// The reporter reads the case itself; only history is refused.
	r := e.run(t, "reporter1", `query($id: ID!) { case(id: $id) { id } }`, vars)
	if r.code() != "" || dig(r.Data, "case", "id") != c.ID {
		t.Errorf("reporter cannot read the case of its unit: %s", toJSON(r))
	}
	d := e.ok(t, "auditor1", `query($id: ID!) { case(id: $id) { history { version type prevHash } } }`, vars)
	if h, _ := dig(d, "case", "history").([]any); len(h) != 2 || dig(h[0], "type") != incident.TypeCaseReported ||
		dig(h[0], "prevHash") != strings.Repeat("0", 64) {
		t.Errorf("auditor history: %s", toJSON(d))
	}
}

// TestListsFilteredByVisibleUnits: cases and stats show only what the caller
// may see, without an error.
func TestListsFilteredByVisibleUnits(t *testing.T) {
	_, e := newTestSchema(t)
	e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/a")
	e.seed(t, "handler1", unitDistrict, "h-1", "https://facebook.com/b")
	e.seed(t, "outsider", unitOther, "o-1", "https://facebook.com/c")

	count := func(sub string) (float64, float64) {
		d := e.ok(t, sub, `{ cases { totalCount edges { node { unit { id } } } } stats { total byKind { kind count } } }`, nil)
		n, _ := dig(d, "cases", "totalCount").(float64)
		s, _ := dig(d, "stats", "total").(float64)
		return n, s
	}
	for sub, want := range map[string]float64{"reporter1": 1, "handler1": 2, "outsider": 1, "auditor1": 3, "admin1": 0, "nobody": 0} {
		n, _ := count(sub)
		if n != want {
			t.Errorf("%s sees %v cases, want %v", sub, n, want)
		}
	}
	if _, s := count("handler1"); s != 2 {
		t.Errorf("handler1 stats total %v, want 2", s)
	}
	if _, s := count("reporter1"); s != 0 {
		t.Errorf("reporter1 (no readStats) stats total %v, want 0", s)
	}
	for _, v := range append(e.w.listVisible, e.w.statsVisible...) {
		if len(v) == 0 {
			t.Errorf("Reads called with an empty visible set (which reads as unrestricted)")
		}
	}
	// Paging: first 1 of handler1's two cases, then the rest.
	d := e.ok(t, "handler1", `{ cases(first: 1) { edges { cursor } pageInfo { hasNextPage endCursor } } }`, nil)
	if dig(d, "cases", "pageInfo", "hasNextPage") != true {
		t.Fatalf("page 1: %s", toJSON(d))
	}
	d = e.ok(t, "handler1", `query($after: String) { cases(first: 1, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
		map[string]any{"after": dig(d, "cases", "pageInfo", "endCursor")})
	if dig(d, "cases", "pageInfo", "hasNextPage") != false || len(dig(d, "cases", "edges").([]any)) != 1 {
		t.Errorf("page 2: %s", toJSON(d))
	}
}

func TestUnknownCase(t *testing.T) {
	_, e := newTestSchema(t)
	vars := map[string]any{"id": "00000000-0000-0000-0000-000000000000"}
	d := e.ok(t, "handler1", `query($id: ID!) { case(id: $id) { id } caseByNumber(number: "VV-2026-999999") { id } caseAsOf(id: $id) { id } }`, vars)
	if d["case"] != nil || d["caseByNumber"] != nil || d["caseAsOf"] != nil {
		t.Errorf("unknown case: %s", toJSON(d))
	}
	e.w.failRead = incident.Errorf(incident.CodeNotFound, "case not found")
	d = e.ok(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, vars)
	if d["case"] != nil {
		t.Errorf("NOT_FOUND lookup: %s", toJSON(d))
	}
	e.w.failRead = nil
	// verifyCase and the commands answer an unknown id exactly as a case
	// outside the caller's units: FORBIDDEN, same message.
	other := e.seed(t, "outsider", unitOther, "o-1", "https://facebook.com/other")
	for _, o := range ops() {
		if nullableReads[o.name] || o.name == "reportIncident" || o.name == "registerOfficialAccount" {
			continue
		}
		unknown := e.run(t, "handler1", o.query, vars)
		outside := e.run(t, "handler1", o.query, map[string]any{"id": other.ID})
		if unknown.code() != incident.CodeForbidden || outside.code() != incident.CodeForbidden ||
			unknown.Errors[0].Message != outside.Errors[0].Message {
			t.Errorf("%s: unknown case %s, case outside the units %s; want the same FORBIDDEN", o.name, toJSON(unknown.Errors), toJSON(outside.Errors))
		}
	}
	r := e.run(t, "handler1", `mutation { reportIncident(input: {clientRequestId: "x", kind: IMPERSONATION, unit: "lai-chau/nowhere", title: "t", description: "", subjects: [{platform: OTHER, url: "https://x.vn"}]}) { merged } }`, nil)
	if r.code() != incident.CodeNotFound || r.field() != "unit" {
		t.Errorf("unknown unit: %s", toJSON(r))
	}
}

func TestBadUserInput(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	report := `mutation($in: ReportIncidentInput!) { reportIncident(input: $in) { case { id title } } }`
	n := 0
	input := func(title string, subjects int) map[string]any {
		n++
		var subs []any
		for i := range subjects {
			subs = append(subs, map[string]any{"platform": "FACEBOOK", "url": "https://facebook.com/p" + string(rune('a'+i))})
		}
		return map[string]any{"in": map[string]any{"clientRequestId": "bad-" + strconv.Itoa(n), "kind": "IMPERSONATION",
			"unit": unitCommune, "title": title, "description": "", "subjects": subs}}
	}
	evidence := `mutation($id: ID!, $content: String!) { addEvidence(id: $id, input: {description: "ảnh", mediaType: "image/png", contentBase64: $content}) { id } }`
	bigOK := base64.StdEncoding.EncodeToString(make([]byte, incident.MaxEvidence))
	bigBad := base64.StdEncoding.EncodeToString(make([]byte, incident.MaxEvidence+1))
	history := `query($id: ID!, $from: Int, $limit: Int) { case(id: $id) { history(fromVersion: $from, limit: $limit) { version } } }`

	for _, tc := range []struct {
		name  string
		sub   string
		query string
		vars  map[string]any
		field string // "" = must succeed
	}{
		{"title 300 characters", "reporter1", report, input(strings.Repeat("ệ", 300), 1), ""},
		{"title 301 characters", "reporter1", report, input(strings.Repeat("ệ", 301), 1), "title"},
		{"empty title", "reporter1", report, input(" ", 1), "title"},
		{"20 subjects", "reporter1", report, input("x20", 20), ""},
		{"21 subjects", "reporter1", report, input("x21", 21), "subjects"},
		{"no subject", "reporter1", report, input("x0", 0), "subjects"},
		{"relative subject URL", "reporter1", `mutation { reportIncident(input: {clientRequestId: "u", kind: IMPERSONATION, unit: "lai-chau/tan-uyen/xa-phuc-khoa", title: "t", description: "", subjects: [{platform: OTHER, url: "/a"}]}) { merged } }`, nil, "subjects[0].url"},
		{"bad base64", "reporter1", evidence, map[string]any{"id": c.ID, "content": "@@not base64@@"}, "input.contentBase64"},
		{"evidence 10 MiB", "reporter1", evidence, map[string]any{"id": c.ID, "content": bigOK}, ""},
		{"evidence 10 MiB + 1", "reporter1", evidence, map[string]any{"id": c.ID, "content": bigBad}, "input.contentBase64"},
		{"evidence far too large", "reporter1", evidence, map[string]any{"id": c.ID, "content": bigOK + bigOK}, "input.contentBase64"},
		{"first=0", "handler1", `{ cases(first: 0) { totalCount } }`, nil, "first"},
		{"first=201", "handler1", `{ cases(first: 201) { totalCount } }`, nil, "first"},
		{"first=200", "handler1", `{ cases(first: 200) { totalCount } }`, nil, ""},
		{"history limit=0", "handler1", history, map[string]any{"id": c.ID, "limit": 0}, "limit"},
		{"history limit=1001", "handler1", history, map[string]any{"id": c.ID, "limit": 1001}, "limit"},
		{"history limit=1000", "handler1", history, map[string]any{"id": c.ID, "limit": 1000}, ""},
		{"history fromVersion=0", "handler1", history, map[string]any{"id": c.ID, "from": 0}, "fromVersion"},
		{"caseAsOf version=0", "auditor1", `query($id: ID!) { caseAsOf(id: $id, version: 0) { id } }`, map[string]any{"id": c.ID}, "version"},
		{"filter text too long", "handler1", `query($t: String) { cases(filter: {text: $t}) { totalCount } }`, map[string]any{"t": strings.Repeat("a", 501)}, "filter.text"},
		{"stats from after to", "handler1", `{ stats(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { total } }`, nil, "from"},
		{"checkAccount not a URL", "handler1", `{ checkAccount(url: "ftp://x") { result } }`, nil, "url"},
		{"negative expectedVersion", "handler1", `mutation($id: ID!) { assignCase(id: $id, assignee: "a", expectedVersion: -1) { id } }`, map[string]any{"id": c.ID}, "expectedVersion"},
		{"triage assignee too long", "handler1", `mutation($id: ID!, $a: String!) { triageCase(id: $id, severity: LOW, assignee: $a) { id } }`, map[string]any{"id": c.ID, "a": strings.Repeat("a", 501)}, "assignee"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.run(t, tc.sub, tc.query, tc.vars)
			if tc.field == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("unexpected errors: %s", toJSON(r.Errors))
				}
				return
			}
			if r.code() != incident.CodeBadUserInput || r.field() != tc.field {
				t.Errorf("got code %q field %q, want BAD_USER_INPUT on %q: %s", r.code(), r.field(), tc.field, toJSON(r.Errors))
			}
			if !strings.Contains(r.Errors[0].Message, tc.field) {
				t.Errorf("message %q does not name %s", r.Errors[0].Message, tc.field)
			}
		})
	}
	// Document and variable errors of graphql-go itself are BAD_USER_INPUT too.
	for _, q := range []struct {
		query string
		vars  map[string]any
	}{
		{`{ cases(first: "x") { totalCount } }`, nil},
		{`{ nope }`, nil},
		{`{ cases { `, nil},
		{`query($f: CaseFilter) { cases(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"status": []any{"OPEN"}}}},
		{`query($t: DateTime) { stats(from: $t) { total } }`, map[string]any{"t": "yesterday"}},
		{`{ stats(from: "2026-13-01T00:00:00Z") { total } }`, nil},
		{`query A { me { subject } } query B { me { subject } }`, nil},
	} {
		if r := e.run(t, "handler1", q.query, q.vars); r.code() != incident.CodeBadUserInput {
			t.Errorf("%s: code %q, want BAD_USER_INPUT: %s", q.query, r.code(), toJSON(r.Errors))
		}
	}
}

func TestConflictAndTransitionPassThrough(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	triage := `mutation($id: ID!, $v: Int) { triageCase(id: $id, severity: HIGH, assignee: "handler1", expectedVersion: $v) { version status } }`
	r := e.run(t, "handler1", triage, map[string]any{"id": c.ID, "v": c.Version + 5})
	if r.code() != incident.CodeConflict {
		t.Fatalf("stale expectedVersion: %s", toJSON(r))
	}
	if len(e.w.executes) != 0 {
		t.Errorf("a conflicting command ran: %v", e.w.executes)
	}
	d := e.ok(t, "handler1", triage, map[string]any{"id": c.ID, "v": c.Version})
	if dig(d, "triageCase", "status") != "TRIAGED" {
		t.Errorf("triage: %s", toJSON(d))
	}
	r = e.run(t, "handler1", `mutation($id: ID!) { resolveCase(id: $id, resolution: "x") { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeInvalidTransition {
		t.Fatalf("resolve from TRIAGED: %s", toJSON(r))
	}
	if msg := r.Errors[0].Message; strings.Contains(msg, "workflow") || strings.Contains(msg, c.ID) {
		t.Errorf("message leaks the wrapping context: %q", msg)
	}
	r = e.run(t, "handler1", `mutation($id: ID!) { startAnalysis(id: $id) { id } recordTakedownResponse(id: $id, input: {takedownId: "TD-9", outcome: REMOVED}) { id } }`, map[string]any{"id": c.ID})
	if r.code() != "" && r.code() != incident.CodeInvalidTransition {
		t.Errorf("takedown response in ANALYSIS: %s", toJSON(r))
	}
}

func TestInternalErrorsHidden(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	secret := `ERROR: relation "cases" does not exist (SQLSTATE 42P01) host=10.0.0.5`
	e.w.failRead = errors.New(secret)
	r := e.run(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeInternal || r.Errors[0].Message != "internal error" {
		t.Errorf("read failure: %s", toJSON(r))
	}
	if !strings.Contains(e.log.String(), "SQLSTATE 42P01") {
		t.Errorf("the original error was not logged: %s", e.log.String())
	}
	// A failing unit registry under a non-null field.
	d := e.run(t, "handler1", `{ me { roles { unit { id } } } }`, nil)
	if d.code() != incident.CodeInternal || strings.Contains(toJSON(d), "SQLSTATE") {
		t.Errorf("units failure: %s", toJSON(d))
	}
	e.w.failRead = &incident.Error{Code: incident.CodeInternal, Message: "pgx pool closed"}
	if r := e.run(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID}); r.code() != incident.CodeInternal ||
		strings.Contains(r.Errors[0].Message, "pgx") {
		t.Errorf("domain INTERNAL error: %s", toJSON(r))
	}
	// INTERNAL errors that say what happened and what to do keep their message.
	for _, public := range []error{
		fmt.Errorf("readmodel: get case: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}),
		fmt.Errorf("wrapped: %w", incident.ErrUnavailable),
		incident.ErrOutcomeUnknown,
	} {
		e.w.failRead = public
		r := e.run(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID})
		want := incident.ErrUnavailable.Message
		if public == incident.ErrOutcomeUnknown {
			want = incident.ErrOutcomeUnknown.Message
		}
		if r.code() != incident.CodeInternal || r.Errors[0].Message != want {
			t.Errorf("%v: %s", public, toJSON(r))
		}
	}
	e.w.failRead = nil
	e.w.panicRead = true
	r = e.run(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeInternal || strings.Contains(toJSON(r), "deadbeef") {
		t.Errorf("panic: %s", toJSON(r))
	}
	e.w.panicRead = false
	e.auth.err = errors.New("casbin: model not loaded")
	r = e.run(t, "handler1", `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeInternal || strings.Contains(toJSON(r), "casbin") {
		t.Errorf("authorizer failure: %s", toJSON(r))
	}
}

func TestDateTime(t *testing.T) {
	at := time.Date(2026, 11, 27, 2, 0, 0, 123456000, time.UTC)
	if got := DateTime.Serialize(at); got != "2026-11-27T09:00:00.123456+07:00" {
		t.Errorf("Serialize = %v", got)
	}
	if got := DateTime.Serialize(&at); got != "2026-11-27T09:00:00.123456+07:00" {
		t.Errorf("Serialize(ptr) = %v", got)
	}
	if got := DateTime.Serialize((*time.Time)(nil)); got != nil {
		t.Errorf("Serialize(nil) = %v", got)
	}
	for _, s := range []string{"2026-11-27T09:00:00.123456+07:00", "2026-11-27T02:00:00.123456Z", "2026-11-26T21:00:00.123456-05:00"} {
		v, ok := DateTime.ParseValue(s).(time.Time)
		if !ok || !v.Equal(at) {
			t.Errorf("ParseValue(%s) = %v", s, v)
		}
	}
	for _, s := range []string{"2026-11-27", "2026-11-27T09:00:00", "27/11/2026 09:00", ""} {
		if v := DateTime.ParseValue(s); v != nil {
			t.Errorf("ParseValue(%q) = %v, want nil", s, v)
		}
	}

	// Round trip through the graph: reportedAt read back as caseAsOf(at:)
	// names exactly the same instant.
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	d := e.ok(t, "auditor1", `query($id: ID!) { case(id: $id) { reportedAt } }`, map[string]any{"id": c.ID})
	reported := dig(d, "case", "reportedAt").(string)
	if reported != "2026-11-27T09:00:00.123456+07:00" {
		t.Errorf("reportedAt = %s", reported)
	}
	d = e.ok(t, "auditor1", `query($id: ID!, $at: DateTime) { caseAsOf(id: $id, at: $at) { id status } }`, map[string]any{"id": c.ID, "at": reported})
	if dig(d, "caseAsOf", "status") != "REPORTED" || len(e.w.asOf) != 1 || !e.w.asOf[0].Equal(c.ReportedAt) {
		t.Errorf("caseAsOf(at: reportedAt) = %s, at %v", toJSON(d), e.w.asOf)
	}
	d = e.ok(t, "auditor1", `query($id: ID!) { caseAsOf(id: $id, at: "2026-11-27T01:59:59Z") { id } }`, map[string]any{"id": c.ID})
	if d["caseAsOf"] != nil {
		t.Errorf("caseAsOf before the report: %s", toJSON(d))
	}
}

func TestReportIncidentIdempotencyAndMerge(t *testing.T) {
	_, e := newTestSchema(t)
	report := `mutation($in: ReportIncidentInput!) { reportIncident(input: $in) { merged case { id version mergedReports unit { id } subjects { normalizedUrl } } } }`
	in := func(crid, unit, url string) map[string]any {
		return map[string]any{"in": map[string]any{"clientRequestId": crid, "kind": "IMPERSONATION", "unit": unit,
			"title": "Trang giả mạo UBND xã", "description": "Mạo danh", "subjects": []any{map[string]any{"platform": "FACEBOOK", "url": url}}}}
	}
	payload := func(d map[string]any) (id string, merged bool, version float64) {
		id, _ = dig(d, "reportIncident", "case", "id").(string)
		merged, _ = dig(d, "reportIncident", "merged").(bool)
		version, _ = dig(d, "reportIncident", "case", "version").(float64)
		return
	}

	// A new report opens a case whose id derives from the caller and key.
	id1, merged, v1 := payload(e.ok(t, "reporter1", report, in("r-1", unitCommune, "https://www.facebook.com/fake-ubnd/?fbclid=abc")))
	if merged || id1 != intake.CaseIDFor(caseIDKey, "reporter1", "r-1") || len(e.w.reports) != 1 {
		t.Fatalf("first report: id %s merged %v reports %v", id1, merged, e.w.reports)
	}
	if e.w.requestIDs[0] != intake.ReportRequestID("reporter1", "r-1") {
		t.Errorf("report request id %s", e.w.requestIDs[0])
	}
	if len(e.w.waited) != 1 || e.w.waited[0] != e.w.cases[id1].Position {
		t.Errorf("no wait for the report's position: %v", e.w.waited)
	}

	// The same key again: the same case, unchanged, nothing run.
	id, merged, v := payload(e.ok(t, "reporter1", report, in("r-1", unitCommune, "https://www.facebook.com/fake-ubnd/?fbclid=abc")))
	if id != id1 || merged || v != v1 || len(e.w.reports) != 1 || len(e.w.executes) != 0 {
		t.Errorf("repeated report: id %s merged %v version %v reports %v executes %v", id, merged, v, e.w.reports, e.w.executes)
	}

	// Another caller who may read the case: the report is merged into it.
	id, merged, _ = payload(e.ok(t, "handler1", report, in("r-1", unitCommune, "https://m.facebook.com/fake-ubnd")))
	if id != id1 || !merged || len(e.w.reports) != 1 || len(e.w.executes) != 1 || e.w.executes[0] != incident.CmdMergeReport {
		t.Fatalf("merge: id %s merged %v reports %v executes %v", id, merged, e.w.reports, e.w.executes)
	}
	if e.w.cases[id1].MergedReports != 1 {
		t.Errorf("mergedReports = %d", e.w.cases[id1].MergedReports)
	}
	if e.w.requestIDs[len(e.w.requestIDs)-1] != intake.ReportRequestID("handler1", "r-1") {
		t.Errorf("merge request id not derived from the caller and key")
	}

	// The merged report again: still the same case, still merged, nothing run.
	id, merged, _ = payload(e.ok(t, "handler1", report, in("r-1", unitCommune, "https://m.facebook.com/fake-ubnd")))
	if id != id1 || !merged || len(e.w.executes) != 1 {
		t.Errorf("repeated merge: id %s merged %v executes %v", id, merged, e.w.executes)
	}

	// A caller who may not read that case is not merged into it (the answer
	// would leak a case of another unit): the report opens a case of its own.
	idOut, merged, _ := payload(e.ok(t, "outsider", report, in("r-1", unitOther, "https://m.facebook.com/fake-ubnd")))
	if idOut == id1 || merged || idOut != intake.CaseIDFor(caseIDKey, "outsider", "r-1") || len(e.w.reports) != 2 || len(e.w.executes) != 1 {
		t.Fatalf("outsider report: id %s merged %v reports %v executes %v", idOut, merged, e.w.reports, e.w.executes)
	}
	if e.w.cases[id1].MergedReports != 1 {
		t.Errorf("outsider's report changed the other unit's case: mergedReports = %d", e.w.cases[id1].MergedReports)
	}

	// Once the case is settled, the same subject opens a new case.
	e.do(t, id1, "leader1", incident.Reject{Reason: "trùng"})
	id2, merged, _ := payload(e.ok(t, "handler1", report, in("h-1", unitDistrict, "https://facebook.com/fake-ubnd")))
	if id2 == id1 || merged || len(e.w.reports) != 3 {
		t.Errorf("report after rejection: id %s merged %v reports %v", id2, merged, e.w.reports)
	}
	if got := e.w.cases[id2].EscalatesTo; got != "lai-chau/so-vhttdl" {
		t.Errorf("EscalatesTo = %q", got)
	}
}

func TestMutationsWaitForTheirPosition(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	content := base64.StdEncoding.EncodeToString([]byte("<html>giả mạo</html>"))
	d := e.ok(t, "handler1", `mutation($id: ID!, $c: String!) {
		a: triageCase(id: $id, severity: HIGH, assignee: "handler1") { version }
		b: addEvidence(id: $id, input: {description: "bản lưu", mediaType: "text/html", contentBase64: $c}) { version evidence { sha256 sizeBytes } }
	}`, map[string]any{"id": c.ID, "c": content})
	pos := e.w.cases[c.ID].Position
	if n := len(e.w.waited); n != 2 || e.w.waited[1] != pos {
		t.Errorf("waited %v, want the last at %d", e.w.waited, pos)
	}
	ev := dig(d, "b", "evidence").([]any)[0]
	if dig(ev, "sizeBytes") != float64(len("<html>giả mạo</html>")) || len(e.w.blobs[dig(ev, "sha256").(string)]) == 0 {
		t.Errorf("evidence: %s", toJSON(ev))
	}
	if e.w.requestIDs[1] == e.w.requestIDs[2] {
		t.Errorf("two mutations share a request id")
	}
}

func TestRequestIDDerivedFromClientKey(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	ctx := WithRequestID(WithSubject(context.Background(), "handler1"), "key-1")
	q := `mutation($id: ID!) { a: addComment(id: $id, text: "một") { id } b: addComment(id: $id, text: "hai") { id } }`
	Execute(ctx, e.s, q, "", map[string]any{"id": c.ID})
	Execute(ctx, e.s, q, "", map[string]any{"id": c.ID})
	ids := e.w.requestIDs[1:]
	if len(ids) != 4 || ids[0] == ids[1] || ids[0] != ids[2] || ids[1] != ids[3] {
		t.Errorf("request ids %v: want distinct per mutation, equal across the retry", ids)
	}
}

func TestUnitCacheOneLoadPerRequest(t *testing.T) {
	_, e := newTestSchema(t)
	for i := range 5 {
		c := e.seed(t, "reporter1", unitCommune, "r-"+string(rune('a'+i)), "https://facebook.com/p"+string(rune('a'+i)))
		e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
			incident.RequestEscalation{Reason: "x"})
	}
	d := e.ok(t, "auditor1", `{
		cases { edges { node { unit { id parent { id escalatesTo { id } } escalatesTo { name } } escalation { to { id } } } } }
		me { roles { unit { name } } }
		units { id parent { id } }
		officialAccounts { unit { id } }
	}`, nil)
	if e.w.unitsCalls != 1 {
		t.Errorf("Units called %d times in one request, want 1", e.w.unitsCalls)
	}
	node := dig(d, "cases", "edges").([]any)[0]
	if dig(node, "node", "unit", "parent", "escalatesTo", "id") != "lai-chau/so-vhttdl" ||
		dig(node, "node", "unit", "escalatesTo", "name") != "Sở Văn hóa, Thể thao và Du lịch" ||
		dig(node, "node", "escalation", "to", "id") != "lai-chau/so-vhttdl" {
		t.Errorf("unit fields: %s", toJSON(node))
	}
	e.ok(t, "auditor1", `{ units { id } }`, nil)
	if e.w.unitsCalls != 2 {
		t.Errorf("the unit cache outlived its request: %d calls", e.w.unitsCalls)
	}
}

func TestCheckAccountHidesCaseNumberOutsideUnits(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	e.w.check = incident.AccountCheck{Result: incident.AccountKnownImpersonator, CaseNumber: c.Number}
	q := `{ checkAccount(url: "https://facebook.com/fake") { result caseNumber officialAccount { id } } }`
	if d := e.ok(t, "handler1", q, nil); dig(d, "checkAccount", "caseNumber") != c.Number || dig(d, "checkAccount", "result") != "KNOWN_IMPERSONATOR" {
		t.Errorf("handler1: %s", toJSON(d))
	}
	if d := e.ok(t, "outsider", q, nil); dig(d, "checkAccount", "caseNumber") != nil || dig(d, "checkAccount", "result") != "KNOWN_IMPERSONATOR" {
		t.Errorf("outsider: %s", toJSON(d))
	}
	if r := e.run(t, "nobody", q, nil); r.code() != incident.CodeForbidden {
		t.Errorf("nobody: %s", toJSON(r))
	}
	acct := e.w.accounts[0]
	e.w.check = incident.AccountCheck{Result: incident.AccountOfficial, Account: &acct}
	if d := e.ok(t, "outsider", q, nil); dig(d, "checkAccount", "officialAccount", "id") != acct.ID {
		t.Errorf("official: %s", toJSON(d))
	}
}

func TestCaseFieldsMapping(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://www.facebook.com/fake?utm_source=x")
	sim := 0.93
	ref := &incident.OfficialAccountRef{ID: "OA-1", Unit: unitDistrict, Platform: incident.Facebook, URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"}
	e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.Critical, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RecordAnalysis{Findings: "mạo danh", Verdict: incident.VerdictFalse, Match: ref, Similarity: &sim},
		incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/fake", Reason: "mạo danh"})
	d := e.ok(t, "auditor1", `query($id: ID!) { case(id: $id) {
		number kind status severity assignee version mergedReports resolution
		subjects { platform url normalizedUrl displayName }
		analysis { verdict similarity legalBasis impersonatedAccount { id verified unit { name } } }
		takedowns { id status dueAt respondedAt }
		deadlines { kind state ref settledAt }
		history(fromVersion: 2, limit: 2) { version globalPosition data }
	} verifyCase(id: $id) { caseId ok eventsChecked firstBadVersion headHash } }`, map[string]any{"id": c.ID})
	cs := d["case"].(map[string]any)
	want := map[string]any{"kind": "IMPERSONATION", "status": "ACTION", "severity": "CRITICAL", "assignee": "handler1", "resolution": nil, "mergedReports": float64(0)}
	for k, v := range want {
		if cs[k] != v {
			t.Errorf("%s = %v, want %v", k, cs[k], v)
		}
	}
	if dig(cs["subjects"].([]any)[0], "normalizedUrl") != "https://facebook.com/fake" || dig(cs["subjects"].([]any)[0], "displayName") != nil {
		t.Errorf("subjects: %s", toJSON(cs["subjects"]))
	}
	if dig(cs, "analysis", "similarity") != 0.93 || dig(cs, "analysis", "impersonatedAccount", "verified") != true ||
		dig(cs, "analysis", "impersonatedAccount", "unit", "name") != "Tân Uyên" || dig(cs, "analysis", "legalBasis") != nil {
		t.Errorf("analysis: %s", toJSON(cs["analysis"]))
	}
	td := cs["takedowns"].([]any)[0]
	if dig(td, "status") != "SENT" || dig(td, "respondedAt") != nil || !strings.HasSuffix(dig(td, "dueAt").(string), "+07:00") {
		t.Errorf("takedown: %s", toJSON(td))
	}
	h := cs["history"].([]any)
	if len(h) != 2 || dig(h[0], "version") != float64(2) || dig(h[0], "globalPosition") != "2" || !json.Valid([]byte(dig(h[0], "data").(string))) {
		t.Errorf("history: %s", toJSON(h))
	}
	if dig(d, "verifyCase", "caseId") != c.ID || dig(d, "verifyCase", "ok") != true || dig(d, "verifyCase", "firstBadVersion") != nil {
		t.Errorf("verifyCase: %s", toJSON(d["verifyCase"]))
	}
	var refs int
	for _, dl := range cs["deadlines"].([]any) {
		if dig(dl, "kind") == "TAKEDOWN_RESPONSE" && dig(dl, "ref") == "TD-1" {
			refs++
		}
	}
	if refs != 1 {
		t.Errorf("deadlines: %s", toJSON(cs["deadlines"]))
	}
}

func TestMeAndRegistry(t *testing.T) {
	_, e := newTestSchema(t)
	d := e.ok(t, "outsider", `{ me { subject roles { role unit { id name } } } units { id } officialAccounts(unit: "lai-chau/tan-uyen") { url verified } }`, nil)
	if dig(d, "me", "subject") != "outsider" || len(dig(d, "me", "roles").([]any)) != 4 || len(d["units"].([]any)) != 5 ||
		len(d["officialAccounts"].([]any)) != 1 {
		t.Errorf("me/units/accounts: %s", toJSON(d))
	}
	d = e.ok(t, "nobody", `{ me { subject roles { role } } }`, nil)
	if len(dig(d, "me", "roles").([]any)) != 0 {
		t.Errorf("nobody: %s", toJSON(d))
	}
	for _, q := range []string{`{ units { id } }`, `{ officialAccounts { id } }`} {
		if r := e.run(t, "nobody", q, nil); r.code() != incident.CodeForbidden {
			t.Errorf("nobody %s: %s", q, toJSON(r))
		}
	}
	if r := e.run(t, "handler1", `{ officialAccounts(unit: "lai-chau/nowhere") { id } }`, nil); r.code() != incident.CodeNotFound {
		t.Errorf("unknown unit: %s", toJSON(r))
	}
	d = e.ok(t, "admin1", `mutation { registerOfficialAccount(unit: "lai-chau/tan-uyen", platform: TIKTOK, url: "https://www.tiktok.com/@ubndtanuyen", displayName: "UBND huyện Tân Uyên") { id platform unit { id } verified } }`, nil)
	if dig(d, "registerOfficialAccount", "platform") != "TIKTOK" || dig(d, "registerOfficialAccount", "unit", "id") != unitDistrict {
		t.Errorf("register: %s", toJSON(d))
	}
}

// TestFragmentCycleRejected: a self-referencing fragment cycle is answered
// with an error instead of overflowing graphql-go's stack.
func TestFragmentCycleRejected(t *testing.T) {
	_, e := newTestSchema(t)
	r := e.run(t, "handler1", `fragment A on Query { ...B } fragment B on Query { ...A } { ...A }`, nil)
	if r.code() != incident.CodeBadUserInput || r.Data != nil {
		t.Errorf("fragment cycle: %s", toJSON(r))
	}
}

// TestConcurrentRequests runs requests in parallel (meaningful under -race:
// graphql-go builds enum lookups lazily, New builds them up front).
func TestConcurrentRequests(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "r-1", "https://facebook.com/fake")
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := `query($id: ID!, $s: [CaseStatus!]) { case(id: $id) { kind status unit { id } } cases(filter: {status: $s}) { totalCount } }`
			if i%2 == 0 {
				q = `mutation($id: ID!) { addComment(id: $id, text: "song song") { status } }`
			}
			r := Execute(WithSubject(context.Background(), "handler1"), e.s, q, "", map[string]any{"id": c.ID, "s": []any{"REPORTED"}})
			if len(r.Errors) > 0 {
				errs <- r.Errors[0].Message
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func TestOtherRulesLeaveOutOnlyTheCycleRule(t *testing.T) {
	if len(otherRules) != len(graphql.SpecifiedRules)-1 {
		t.Errorf("otherRules has %d rules, want %d", len(otherRules), len(graphql.SpecifiedRules)-1)
	}
}
