package incident_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"casetrail/incident"
)

// Units of the routing tests: the province routes account takeovers of
// its communes to the department, the police and (for information) the
// science department; Tân Uyên escalates everything to the department
// but impersonation to the police; a closed police unit was merged into
// the police.
const (
	province = "lai-chau"
	dept     = "lai-chau/so-vhttdl"
	police   = "lai-chau/cong-an"
	science  = "lai-chau/so-khcn"
	oldPol   = "lai-chau/cong-an-cu"
	district = "lai-chau/tan-uyen"
	commune  = "lai-chau/tan-uyen/xa-phuc-khoa"
	ward     = "lai-chau/phuong-tan-phong"
)

func addr(u string) incident.Recipient {
	return incident.Recipient{Unit: u, Role: incident.RecipientAddressee}
}
func coord(u string) incident.Recipient {
	return incident.Recipient{Unit: u, Role: incident.RecipientCoordination}
}
func info(u string) incident.Recipient {
	return incident.Recipient{Unit: u, Role: incident.RecipientInformation}
}

var routedUnits = []incident.Unit{
	{ID: province, Name: "Tỉnh Lai Châu", EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.AccountCompromised: {addr(dept), coord(police), info(science)},
	})},
	{ID: dept, Name: "Sở VHTTDL", Parent: province},
	{ID: police, Name: "Công an tỉnh", Parent: province},
	{ID: science, Name: "Sở KHCN", Parent: province},
	{ID: oldPol, Name: "Công an cũ", Parent: province, ClosedAt: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Successor: police},
	{ID: district, Name: "Tân Uyên", Parent: province, EscalatesTo: dept, EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.Impersonation: {addr(police), coord(oldPol), coord(dept)},
	})},
	{ID: commune, Name: "Phúc Khoa", Parent: district},
	{ID: ward, Name: "Tân Phong", Parent: province, EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.FalseInformation: {addr(oldPol), info(police)},
	})},
}

func TestEscalationRecipients(t *testing.T) {
	tree := incident.NewUnitTree(routedUnits)
	cases := []struct {
		name string
		unit string
		kind incident.Kind
		want []incident.Recipient
	}{
		{"kind routed on the unit", district, incident.Impersonation,
			// oldPol is closed: its successor police is the addressee already.
			[]incident.Recipient{addr(police), coord(dept)}},
		{"kind not routed: the unit's escalatesTo", district, incident.FalseInformation, []incident.Recipient{addr(dept)}},
		{"nearer scalar wins over the ancestor's route", district, incident.AccountCompromised, []incident.Recipient{addr(dept)}},
		{"inherited route of the parent's", commune, incident.Impersonation, []incident.Recipient{addr(police), coord(dept)}},
		{"inherited scalar of the parent's", commune, incident.FalseInformation, []incident.Recipient{addr(dept)}},
		{"route of the grandparent's", ward, incident.AccountCompromised, []incident.Recipient{addr(dept), coord(police), info(science)}},
		{"closed addressee follows its successor, duplicates go", ward, incident.FalseInformation, []incident.Recipient{addr(police)}},
		{"nothing up the chain", ward, incident.Impersonation, nil},
		{"the province itself", province, incident.AccountCompromised, []incident.Recipient{addr(dept), coord(police), info(science)}},
		{"unknown unit", "ha-noi", incident.AccountCompromised, nil},
	}
	for _, c := range cases {
		if got := tree.EscalationRecipients(c.unit, c.kind); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: EscalationRecipients(%s, %s) = %v, want %v", c.name, c.unit, c.kind, got, c.want)
		}
	}
	// EscalationTarget keeps its meaning: the scalar setting only.
	if got := tree.EscalationTarget(ward); got != "" {
		t.Errorf("EscalationTarget(%s) = %q, want none (routes are not the scalar target)", ward, got)
	}
}

func TestCleanRoute(t *testing.T) {
	cases := []struct {
		name  string
		kind  incident.Kind
		route []incident.Recipient
		want  []incident.Recipient
		err   string
	}{
		{"roles set by position", incident.AccountCompromised,
			[]incident.Recipient{{Unit: dept}, {Unit: police}, {Unit: " " + science + " ", Role: incident.RecipientInformation}},
			[]incident.Recipient{addr(dept), coord(police), info(science)}, ""},
		{"one addressee", incident.Impersonation, []incident.Recipient{addr(police)}, []incident.Recipient{addr(police)}, ""},
		{"empty", incident.Impersonation, nil, nil, "between 1 and"},
		{"unknown kind", "SPAM", []incident.Recipient{addr(police)}, nil, "unknown incident kind"},
		{"itself", incident.Impersonation, []incident.Recipient{addr(district)}, nil, "cannot escalate to itself"},
		{"twice", incident.Impersonation, []incident.Recipient{addr(police), coord(dept), info(police)}, nil, "listed twice"},
		{"bad id", incident.Impersonation, []incident.Recipient{addr("a//b")}, nil, "not a path-like unit id"},
		{"first is not the addressee", incident.Impersonation, []incident.Recipient{coord(police)}, nil, "the first unit is the addressee"},
		{"second addressee", incident.Impersonation, []incident.Recipient{addr(police), addr(dept)}, nil, "only the first unit is the addressee"},
		{"unknown role", incident.Impersonation, []incident.Recipient{addr(police), {Unit: dept, Role: "CC"}}, nil, "unknown role"},
	}
	for _, c := range cases {
		got, err := incident.CleanRoute(district, c.kind, c.route)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err == "" && !reflect.DeepEqual(got, c.want):
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || fieldOf(err) != "escalationRoutes"):
			t.Errorf("%s: err = %v (field %q), want one on escalationRoutes containing %q", c.name, err, fieldOf(err), c.err)
		}
	}
	// CleanUnit cleans the routes.
	u, err := incident.CleanUnit(incident.Unit{ID: district, Name: "Tân Uyên", EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.Impersonation: {{Unit: police}, {Unit: dept}}})})
	if err != nil || !reflect.DeepEqual(u.EscalationRoutes.Route(incident.Impersonation), []incident.Recipient{addr(police), coord(dept)}) {
		t.Errorf("CleanUnit: %v, %v", u.EscalationRoutes, err)
	}
	if _, err := incident.CleanUnit(incident.Unit{ID: district, Name: "Tân Uyên", EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{
		incident.Impersonation: {addr(district)}})}); fieldOf(err) != "escalationRoutes" {
		t.Errorf("CleanUnit with a route to itself: err = %v, want BAD_USER_INPUT on escalationRoutes", err)
	}
}

func TestUnitTreeCheckRoutes(t *testing.T) {
	if err := incident.NewUnitTree(routedUnits).Check(); err != nil {
		t.Fatalf("routed units: %v", err)
	}
	dangling := append(append([]incident.Unit(nil), routedUnits...), incident.Unit{ID: "lai-chau/xa-x", Name: "X", Parent: province,
		EscalationRoutes: incident.RoutesOf(map[incident.Kind][]incident.Recipient{incident.Impersonation: {addr(dept), coord("ha-noi/cong-an")}})})
	err := incident.NewUnitTree(dangling).Check()
	if err == nil || !strings.Contains(err.Error(), `"ha-noi/cong-an" is not a unit`) {
		t.Errorf("route to a unit the list lacks: err = %v", err)
	}
}

func TestCheckUnitRoutes(t *testing.T) {
	tree := incident.NewUnitTree(routedUnits)
	route := func(rs ...incident.Recipient) incident.EscalationRoutes {
		return incident.RoutesOf(map[incident.Kind][]incident.Recipient{incident.Impersonation: rs})
	}
	cases := []struct {
		name  string
		check func() error
		field string
	}{
		{"new unit routed to open units", func() error {
			return tree.CheckNewUnit(incident.Unit{ID: "lai-chau/xa-moi", Name: "Mới", Parent: province, EscalationRoutes: route(addr(dept), coord(police))})
		}, ""},
		{"new unit routed to a closed unit", func() error {
			return tree.CheckNewUnit(incident.Unit{ID: "lai-chau/xa-moi", Name: "Mới", Parent: province, EscalationRoutes: route(addr(dept), coord(oldPol))})
		}, "escalationRoutes"},
		{"new unit routed to no unit", func() error {
			return tree.CheckNewUnit(incident.Unit{ID: "lai-chau/xa-moi", Name: "Mới", Parent: province, EscalationRoutes: route(addr("ha-noi"))})
		}, "escalationRoutes"},
		{"a change keeps the closed unit its route had", func() error {
			u, _ := tree.Unit(district)
			u.Name = "Tân Uyên (cũ)"
			return tree.CheckUnitChange(u)
		}, ""},
		{"a change adds a closed unit", func() error {
			u, _ := tree.Unit(commune)
			u.EscalationRoutes = route(addr(dept), coord(oldPol))
			return tree.CheckUnitChange(u)
		}, "escalationRoutes"},
	}
	for _, c := range cases {
		err := c.check()
		if c.field == "" && err != nil || c.field != "" && fieldOf(err) != c.field {
			t.Errorf("%s: err = %v, want field %q", c.name, err, c.field)
		}
	}
}

func TestUnitYAMLEscalatesTo(t *testing.T) {
	cases := []struct {
		name   string
		yaml   string
		to     string
		routes map[incident.Kind][]incident.Recipient
		err    string
	}{
		{"scalar", `{id: a, name: A, escalatesTo: lai-chau/so-vhttdl}`, dept, nil, ""},
		{"absent", `{id: a, name: A}`, "", nil, ""},
		{"null", `{id: a, name: A, escalatesTo: ~}`, "", nil, ""},
		{"mapping", `
id: a
name: A
symbol: UBND
escalatesTo:
  default: lai-chau/so-vhttdl
  ACCOUNT_COMPROMISED: [lai-chau/so-vhttdl, lai-chau/cong-an, {unit: lai-chau/so-khcn, role: INFORMATION}]
  IMPERSONATION: lai-chau/cong-an
`, dept, map[incident.Kind][]incident.Recipient{
			incident.AccountCompromised: {addr(dept), coord(police), info(science)},
			incident.Impersonation:      {addr(police)},
		}, ""},
		{"mapping without default", `{id: a, name: A, escalatesTo: {FALSE_INFORMATION: [lai-chau/so-vhttdl]}}`, "",
			map[incident.Kind][]incident.Recipient{incident.FalseInformation: {addr(dept)}}, ""},
		{"unknown kind", `{id: a, name: A, escalatesTo: {SPAM: [x]}}`, "", nil, `"SPAM" is neither default nor an incident kind`},
		{"unknown item field", `{id: a, name: A, escalatesTo: {IMPERSONATION: [{unit: x, cc: y}]}}`, "", nil, `unknown field "cc"`},
		{"item without unit", `{id: a, name: A, escalatesTo: {IMPERSONATION: [{role: INFORMATION}]}}`, "", nil, "unit is required"},
		{"empty list", `{id: a, name: A, escalatesTo: {IMPERSONATION: []}}`, "", nil, "at least one unit"},
		{"a list as escalatesTo", `{id: a, name: A, escalatesTo: [x, y]}`, "", nil, "one unit id, or a mapping"},
		{"null unit in a route", `{id: a, name: A, escalatesTo: {IMPERSONATION: [~]}}`, "", nil, "a unit id is expected"},
	}
	for _, c := range cases {
		var u incident.Unit
		err := yaml.Unmarshal([]byte(c.yaml), &u)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.err)
			}
			continue
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if u.ID != "a" || u.Name != "A" || u.EscalatesTo != c.to || !reflect.DeepEqual(u.EscalationRoutes.Map(), c.routes) {
			t.Errorf("%s: got %+v", c.name, u)
		}
	}
	// The other fields still decode (the signer's nested mapping too).
	var u incident.Unit
	if err := yaml.Unmarshal([]byte(`{id: a, name: A, symbol: UBND, signer: {prefix: "KT.", name: "Lan"}, escalatesTo: {default: b}}`), &u); err != nil ||
		u.Symbol != "UBND" || u.Signer.Prefix != "KT." || u.Signer.Name != "Lan" || u.EscalatesTo != "b" {
		t.Errorf("other fields: %+v, %v", u, err)
	}
	// The JSON form of the admin stream keeps the routes.
	b, err := json.Marshal(routedUnits[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"escalationRoutes":{"ACCOUNT_COMPROMISED":[{"unit":"lai-chau/so-vhttdl","role":"ADDRESSEE"}`) {
		t.Errorf("JSON = %s", b)
	}
	var back incident.Unit
	if err := json.Unmarshal(b, &back); err != nil || back != routedUnits[0] {
		t.Errorf("JSON round trip: %+v, %v", back.EscalationRoutes, err)
	}
}

// routedHistory is a case of Tân Uyên about an account takeover, escalated
// to the department (addressee), the police (coordination) and the
// science department (information), up to the letter sent.
func routedHistory(t *testing.T) *history {
	t.Helper()
	h := newHistory(t)
	r := validReport()
	r.Kind = incident.AccountCompromised
	r.EscalatesTo = "" // set by the recipients
	r.EscalationRecipients = []incident.Recipient{{Unit: dept}, {Unit: police}, {Unit: science, Role: incident.RecipientInformation}}
	h.do(reporter, r, t0)
	if h.c.EscalatesTo != dept || !reflect.DeepEqual(h.c.EscalationRecipients, []incident.Recipient{addr(dept), coord(police), info(science)}) {
		t.Fatalf("reported case routes to %s %v", h.c.EscalatesTo, h.c.EscalationRecipients)
	}
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(1))
	h.do(handler, incident.StartAnalysis{}, at(2))
	h.do(handler, incident.RecordAnalysis{Findings: "Tài khoản bị chiếm."}, at(3))
	ps := h.do(handler, incident.RequestEscalation{Reason: "Cần công an vào cuộc"}, at(4))
	req := ps[0].(incident.EscalationRequested)
	if req.To != dept || !reflect.DeepEqual(req.Recipients, []incident.Recipient{addr(dept), coord(police), info(science)}) {
		t.Fatalf("EscalationRequested = %+v", req)
	}
	h.do(leader, incident.ApproveEscalation{Note: "Đồng ý"}, at(5))
	h.do(incident.SystemActor, incident.SendEscalation{DispatchNumber: "12/UBND-VHTT"}, at(6))
	return h
}

func TestEscalationResponsesPerRecipient(t *testing.T) {
	h := routedHistory(t)
	for _, r := range h.c.Escalation.RecipientList() {
		if r.SentAt == nil || !r.SentAt.Equal(at(6)) {
			t.Errorf("recipient %s sent at %v, want %v", r.Unit, r.SentAt, at(6))
		}
	}
	type want struct {
		esc      incident.EscalationStatus
		status   incident.Status
		deadline string // pending deadline kinds
	}
	steps := []struct {
		name string
		cmd  incident.RecordEscalationResponse
		err  string // code, or field for BAD_USER_INPUT
		want want
	}{
		{"coordination answers, resolved on its side",
			incident.RecordEscalationResponse{Recipient: police, Response: "Công an đã tiếp nhận, đang xác minh", Resolved: true}, "",
			want{incident.EscSent, incident.StatusEscalated, "RESOLUTION,ESCALATION_RESPONSE"}},
		{"unknown recipient", incident.RecordEscalationResponse{Recipient: district, Response: "x"}, "recipient",
			want{incident.EscSent, incident.StatusEscalated, "RESOLUTION,ESCALATION_RESPONSE"}},
		{"addressee acknowledges (recipient left out)",
			incident.RecordEscalationResponse{Response: "Sở đã tiếp nhận"}, "",
			want{incident.EscAcknowledged, incident.StatusEscalated, "RESOLUTION"}},
		{"information recipient answers",
			incident.RecordEscalationResponse{Recipient: science, Response: "Đã biết"}, "",
			want{incident.EscAcknowledged, incident.StatusEscalated, "RESOLUTION"}},
		{"addressee resolves (named)",
			incident.RecordEscalationResponse{Recipient: dept, Response: "Sở đã xử lý xong", Resolved: true}, "",
			want{incident.EscResolved, incident.StatusEscalated, "RESOLUTION"}},
		{"no answer after the addressee resolved", incident.RecordEscalationResponse{Recipient: police, Response: "x"}, incident.CodeInvalidTransition,
			want{incident.EscResolved, incident.StatusEscalated, "RESOLUTION"}},
	}
	for i, s := range steps {
		now := at(7 + float64(i))
		if s.err != "" {
			_, err := incident.Decide(h.c, s.cmd, now, h.p)
			if got := incident.ErrorCode(err); got != s.err && fieldOf(err) != s.err {
				t.Errorf("%s: err = %v, want %s", s.name, err, s.err)
			}
		} else {
			h.do(handler, s.cmd, now)
		}
		if h.c.Escalation.Status != s.want.esc || h.c.Status != s.want.status || pendingKinds(h.c) != s.want.deadline {
			t.Errorf("%s: escalation %s, case %s, pending %s; want %s, %s, %s", s.name,
				h.c.Escalation.Status, h.c.Status, pendingKinds(h.c), s.want.esc, s.want.status, s.want.deadline)
		}
	}
	got := h.c.Escalation.RecipientList()
	wantR := []struct {
		unit     string
		response string
		resolved bool
		at       time.Time
	}{
		{dept, "Sở đã xử lý xong", true, at(11)},
		{police, "Công an đã tiếp nhận, đang xác minh", true, at(7)},
		{science, "Đã biết", false, at(10)},
	}
	for i, w := range wantR {
		r := got[i]
		if r.Unit != w.unit || r.Response != w.response || r.Resolved != w.resolved || r.RespondedAt == nil || !r.RespondedAt.Equal(w.at) {
			t.Errorf("recipient %d = %+v, want %+v", i, r, w)
		}
	}
	// The escalation's own answer is the addressee's.
	if h.c.Escalation.Response != "Sở đã xử lý xong" || !h.c.Escalation.RespondedAt.Equal(at(11)) {
		t.Errorf("escalation response = %q at %v", h.c.Escalation.Response, h.c.Escalation.RespondedAt)
	}
	// The case leaves ESCALATED as before: resolveCase.
	h.do(handler, incident.Resolve{Resolution: "Đã lấy lại tài khoản"}, at(12))
	if h.c.Status != incident.StatusResolved {
		t.Errorf("status = %s", h.c.Status)
	}
	// Folding the recorded events again gives the same case.
	folded, err := incident.Fold(h.events)
	if err != nil || !reflect.DeepEqual(folded, h.c) {
		t.Errorf("fold differs from the incremental state (err %v)", err)
	}
}

func TestAutoEscalationCarriesRecipients(t *testing.T) {
	h := newHistory(t)
	r := validReport()
	r.Kind = incident.AccountCompromised
	r.EscalationRecipients = []incident.Recipient{addr(dept), coord(police)}
	h.do(reporter, r, t0)
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(1))
	h.do(handler, incident.StartAnalysis{}, at(2))
	h.do(handler, incident.RecordAnalysis{Findings: "f"}, at(3))
	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: "r"}, at(4))
	var req *incident.EscalationRequested
	for _, p := range h.tick(at(4 + 25)) {
		if e, ok := p.(incident.EscalationRequested); ok {
			req = &e
		}
	}
	if req == nil || req.To != dept || !reflect.DeepEqual(req.Recipients, []incident.Recipient{addr(dept), coord(police)}) {
		t.Fatalf("automatic escalation = %+v", req)
	}
	if got := h.c.Escalation.RecipientList(); len(got) != 2 || got[1].Unit != police || got[1].Role != incident.RecipientCoordination {
		t.Errorf("recipients = %+v", got)
	}
}

func TestOldEscalationEventsFoldToTheAddressee(t *testing.T) {
	// Events as recorded before the routes: no recipients, no recipient of
	// a response. The JSON is what the store holds.
	h := fixture(t, fxAction)
	old := []struct {
		typ, data string
		h         float64
	}{
		{incident.TypeEscalationRequested, `{"reason":"r","to":"lai-chau/so-vhttdl"}`, 5},
		{incident.TypeEscalationApproved, `{"note":"ok"}`, 6},
		{incident.TypeEscalationSent, `{"dispatchNumber":"1/X","to":"lai-chau/so-vhttdl"}`, 7},
		{incident.TypeEscalationResponded, `{"response":"Sở đã xử lý","resolved":true}`, 8},
	}
	for _, o := range old {
		p, err := incident.DecodePayload(o.typ, []byte(o.data))
		if err != nil {
			t.Fatal(err)
		}
		h.record(handler, at(o.h), []incident.Payload{p})
		if o.typ == incident.TypeEscalationRequested {
			if got := h.c.Escalation.RecipientList(); !reflect.DeepEqual(got, []incident.EscalationRecipient{{Unit: dept, Role: incident.RecipientAddressee}}) {
				t.Errorf("recipients of an old request = %+v", got)
			}
		}
	}
	got := h.c.Escalation.RecipientList()
	if len(got) != 1 || got[0].Unit != dept || got[0].Role != incident.RecipientAddressee || !got[0].Resolved ||
		got[0].Response != "Sở đã xử lý" || !got[0].SentAt.Equal(at(7)) || !got[0].RespondedAt.Equal(at(8)) {
		t.Errorf("recipient after old events = %+v", got)
	}
	if h.c.Escalation.Status != incident.EscResolved {
		t.Errorf("escalation = %s", h.c.Escalation.Status)
	}

	// A state carried over by an older run (no recipients in its JSON)
	// takes a response for the addressee as well.
	c := fixture(t, fxEscSent).c
	c.Escalation.Recipients = nil
	list := c.Escalation.RecipientList()
	if len(list) != 1 || list[0].Unit != dept || list[0].SentAt == nil {
		t.Fatalf("carried-over recipients = %+v", list)
	}
	ps, err := incident.Decide(c, incident.RecordEscalationResponse{Response: "ok"}, at(9), incident.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].(incident.EscalationResponded).Recipient != dept {
		t.Errorf("response recorded for %q", ps[0].(incident.EscalationResponded).Recipient)
	}
	if _, err := incident.Decide(c, incident.RecordEscalationResponse{Response: "ok", Recipient: police}, at(9), incident.DefaultPolicy()); fieldOf(err) != "recipient" {
		t.Errorf("response of a unit that is no recipient: err = %v", err)
	}
}
