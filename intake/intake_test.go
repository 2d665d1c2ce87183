package intake_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/incident"
	"casetrail/intake"
)

const (
	unit     = "lai-chau/tan-uyen/xa-phuc-khoa"
	other    = "lai-chau/than-uyen"
	target   = "lai-chau/so-vhttdl"
	reporter = "reporter1"
)

var key = []byte("0123456789abcdef0123456789abcdef-fake")

// fakeReads are the lookups: what the read model holds, and the calls made.
type fakeReads struct {
	mu        sync.Mutex
	cases     map[string]*incident.Case
	byRequest map[string]string // reporter/clientRequestID -> case
	open      map[string]string // normalized URL -> open case
	key       []byte
	caseErr   error // Case fails with it (for every id)
	lookupErr error // CaseByRequest fails with it
	waitErr   error

	calls    []string // CaseByRequest, OpenCaseBySubject, Case, EscalationTarget, CaseIDKey
	urls     []string // the last OpenCaseBySubject argument
	waited   []int64
	keyCalls int
}

func (f *fakeReads) called(name string) {
	f.calls = append(f.calls, name)
}

func (f *fakeReads) Case(ctx context.Context, id string) (*incident.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("Case")
	if f.caseErr != nil {
		return nil, f.caseErr
	}
	c, ok := f.cases[id]
	if !ok {
		return nil, nil
	}
	cp := c.Clone()
	return &cp, nil
}

func (f *fakeReads) CaseByRequest(ctx context.Context, reporter, clientRequestID string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("CaseByRequest")
	if f.lookupErr != nil {
		return "", false, f.lookupErr
	}
	id, ok := f.byRequest[reporter+"/"+clientRequestID]
	return id, ok, nil
}

func (f *fakeReads) OpenCaseBySubject(ctx context.Context, urls []string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("OpenCaseBySubject")
	f.urls = urls
	for _, u := range urls {
		if id, ok := f.open[u]; ok {
			return id, true, nil
		}
	}
	return "", false, nil
}

func (f *fakeReads) EscalationTarget(ctx context.Context, unitID string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("EscalationTarget")
	return target, nil
}

func (f *fakeReads) CaseIDKey(ctx context.Context) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called("CaseIDKey")
	f.keyCalls++
	return f.key, nil
}

func (f *fakeReads) WaitFor(ctx context.Context, position int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waited = append(f.waited, position)
	return f.waitErr
}

// call is one command the fake workflow ran.
type call struct {
	name, caseID, actor, requestID string
	report                         incident.Report // of Report and MergeReport
}

// fakeCommands run reports and merges on the cases of reads.
type fakeCommands struct {
	reads      *fakeReads
	calls      []call
	reportErr  error
	executeErr error
	position   int64
}

func (f *fakeCommands) Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error) {
	f.calls = append(f.calls, call{incident.CmdReportIncident, caseID, actor, requestID, r})
	if f.reportErr != nil {
		return incident.Case{}, f.reportErr
	}
	f.position++
	c := incident.Case{ID: caseID, Status: incident.StatusReported, Unit: r.Unit, EscalatesTo: r.EscalatesTo,
		ReportedBy: actor, ClientRequestID: r.ClientRequestID, Title: r.Title, Version: 1, Position: f.position}
	return c, nil
}

func (f *fakeCommands) Execute(ctx context.Context, caseID, actor, requestID string, expected *int64, cmd incident.Command) (incident.Case, error) {
	m, _ := cmd.(incident.MergeReport)
	f.calls = append(f.calls, call{cmd.Name(), caseID, actor, requestID, m.Report})
	if f.executeErr != nil {
		return incident.Case{}, f.executeErr
	}
	c := f.reads.cases[caseID].Clone()
	c.MergedReports++
	c.Version++
	f.position++
	c.Position = f.position
	return c, nil
}

// fakeAuth allows sub the actions listed for a unit (exactly that unit).
type fakeAuth struct {
	allowed map[string]bool // sub/action/unit
	err     error
	asked   []string
}

func (a *fakeAuth) Allowed(sub, action, unit string) (bool, error) {
	a.asked = append(a.asked, sub+"/"+action+"/"+unit)
	return a.allowed[sub+"/"+action+"/"+unit], a.err
}

func (a *fakeAuth) grant(sub, unit string, actions ...string) {
	for _, x := range actions {
		a.allowed[sub+"/"+x+"/"+unit] = true
	}
}

// fakeUnits knows the units listed; the closed ones name their successor.
type fakeUnits struct {
	known   map[string]bool
	closed  map[string]string // unit -> successor
	routes  map[string]incident.EscalationRoutes
	checked []string
}

func (u *fakeUnits) UnitTree(ctx context.Context) (*incident.UnitTree, error) {
	var list []incident.Unit
	for id := range u.known {
		unit := incident.Unit{ID: id, Name: id, EscalationRoutes: u.routes[id]}
		if succ, ok := u.closed[id]; ok {
			unit.ClosedAt, unit.Successor = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), succ
		}
		list = append(list, unit)
	}
	return incident.NewUnitTree(list), nil
}

func (u *fakeUnits) CheckUnit(ctx context.Context, id string) error {
	u.checked = append(u.checked, id)
	if !u.known[id] {
		return &incident.Error{Code: incident.CodeNotFound, Field: "unit", Message: "not found"}
	}
	return nil
}

type env struct {
	svc   *intake.Service
	reads *fakeReads
	cmds  *fakeCommands
	auth  *fakeAuth
	units *fakeUnits
	log   *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		reads: &fakeReads{cases: map[string]*incident.Case{}, byRequest: map[string]string{}, open: map[string]string{}, key: key},
		auth:  &fakeAuth{allowed: map[string]bool{}},
		units: &fakeUnits{known: map[string]bool{unit: true, other: true}},
		log:   &bytes.Buffer{},
	}
	e.cmds = &fakeCommands{reads: e.reads}
	e.auth.grant(reporter, unit, incident.CmdReportIncident, incident.ActionJoinCase)
	svc, err := intake.New(intake.Deps{Reads: e.reads, Commands: e.cmds, Auth: e.auth, Units: e.units,
		Logger: slog.New(slog.NewTextHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	return e
}

// existing puts a projected open case of unit about url into the read model.
func (e *env) existing(id, by, crid, unit, url string) *incident.Case {
	n, err := incident.NormalizeURL(url)
	if err != nil {
		panic(err)
	}
	c := &incident.Case{ID: id, Status: incident.StatusTriaged, Unit: unit, ReportedBy: by, ClientRequestID: crid, Version: 3, Position: 40,
		Subjects: []incident.Subject{{Platform: incident.Facebook, URL: url, NormalizedURL: n}}}
	e.reads.cases[id] = c
	e.reads.byRequest[by+"/"+crid] = id
	e.reads.open[n] = id
	return c
}

func report(crid, unit, url string) incident.Report {
	return incident.Report{ClientRequestID: crid, Kind: incident.Impersonation, Unit: unit, Title: "Trang gia\u0309 ma\u0323o UBND xã", // NFD: stored NFC
		Description: "Mạo danh", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: url}}}
}

// TestIDsUnchanged: case ids and report request ids are what the GraphQL
// resolver derived before the intake moved here (cases keep their ids, a
// retry across the upgrade finds its case).
func TestIDsUnchanged(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{intake.CaseIDFor(key, "reporter1", "r-1"), "a4acc330-9c69-4525-9a59-97de6fb7098d"},
		{intake.CaseIDFor(key, "reporter1", "đơn-1"), "5be97cfa-dc8d-4719-8a0c-a9550f1bebd1"},
		{intake.ReportRequestID("reporter1", "r-1"), "cb974010-18b3-54f4-9b5d-d13638f8eab4"},
		{intake.ReportRequestID("handler1", "r-1"), "0d4f4887-314a-5d2a-b213-04b2ac147adc"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

// TestCaseIDFor: new case ids are version 4 UUIDs that only the key's holder
// can compute: the same inputs and key give the same id (a retried report
// finds its case), another key another id, and the id is no longer the
// UUID v5 of reporter and clientRequestId anyone could compute offline.
func TestCaseIDFor(t *testing.T) {
	id := intake.CaseIDFor(key, "reporter1", "r-1")
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("id %s (%v): want a version 4 UUID", id, err)
	}
	if again := intake.CaseIDFor(key, "reporter1", "r-1"); again != id {
		t.Errorf("same report, different ids: %s %s", id, again)
	}
	otherKey := append([]byte(nil), key...)
	otherKey[0] ^= 1
	oldScheme := uuid.NewSHA1(uuid.MustParse("6f1c0a8e-3d52-4b7e-9a41-2c9d8e7f5b10"), []byte("reporter1/r-1")).String()
	for _, x := range []string{
		intake.CaseIDFor(otherKey, "reporter1", "r-1"),
		intake.CaseIDFor(key, "reporter1", "r-2"),
		intake.CaseIDFor(key, "reporter2", "r-1"),
		intake.CaseIDFor(key, "reporter1r", "-1"), // the separator counts
		oldScheme,
	} {
		if x == id {
			t.Errorf("%s repeats for other inputs", x)
		}
	}
}

func TestNewRequiresDeps(t *testing.T) {
	e := newEnv(t)
	for _, d := range []intake.Deps{
		{Commands: e.cmds, Auth: e.auth, Units: e.units},
		{Reads: e.reads, Auth: e.auth, Units: e.units},
		{Reads: e.reads, Commands: e.cmds, Units: e.units},
		{Reads: e.reads, Commands: e.cmds, Auth: e.auth},
	} {
		if s, err := intake.New(d); err == nil || s != nil {
			t.Errorf("New(%+v) = %v, %v; want an error", d, s, err)
		}
	}
}

// TestReportOpensCase: a report nothing matches opens a case whose id
// derives from the reporter, the request and the key, escalating to the
// unit's target, with the report's request id; the answer waits for it.
func TestReportOpensCase(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://www.facebook.com/fake-ubnd/?fbclid=abc"))
	if err != nil {
		t.Fatal(err)
	}
	id := intake.CaseIDFor(key, reporter, "r-1")
	if res.Merged || res.Case.ID != id || len(e.cmds.calls) != 1 {
		t.Fatalf("result %+v, calls %+v; want new case %s", res, e.cmds.calls, id)
	}
	c := e.cmds.calls[0]
	if c.name != incident.CmdReportIncident || c.caseID != id || c.actor != reporter || c.requestID != intake.ReportRequestID(reporter, "r-1") {
		t.Errorf("report command %+v", c)
	}
	if c.report.CaseID != id || c.report.EscalatesTo != target || c.report.Title != "Trang giả mạo UBND xã" {
		t.Errorf("report sent %+v; want the validated (NFC) report with case id and escalation target", c.report)
	}
	if want := "https://facebook.com/fake-ubnd"; len(e.reads.urls) != 1 || e.reads.urls[0] != want {
		t.Errorf("open cases looked up by %v, want the normalized %s", e.reads.urls, want)
	}
	if len(e.reads.waited) != 1 || e.reads.waited[0] != res.Case.Position {
		t.Errorf("waited for %v, want position %d", e.reads.waited, res.Case.Position)
	}
	want := "CaseByRequest OpenCaseBySubject EscalationTarget CaseIDKey"
	if got := strings.Join(e.reads.calls, " "); got != want {
		t.Errorf("lookups %s, want %s", got, want)
	}

	// The key is read once per service.
	if _, err := e.svc.Report(context.Background(), reporter, report("r-2", unit, "https://x.vn/2")); err != nil {
		t.Fatal(err)
	}
	if e.reads.keyCalls != 1 {
		t.Errorf("CaseIDKey read %d times", e.reads.keyCalls)
	}
}

// TestReportRepeat: the same report again is answered with the case it went
// to, unchanged, and nothing runs; merged says whether another report
// opened that case.
func TestReportRepeat(t *testing.T) {
	e := newEnv(t)
	opened := e.existing("c-1", reporter, "r-1", unit, "https://facebook.com/fake")
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || res.Case.ID != opened.ID || res.Case.Version != opened.Version || len(e.cmds.calls) != 0 || len(e.reads.waited) != 0 {
		t.Errorf("repeat: %+v, calls %v, waited %v", res, e.cmds.calls, e.reads.waited)
	}
	if got := strings.Join(e.reads.calls, " "); got != "CaseByRequest Case" {
		t.Errorf("lookups %s: a repeat needs no others", got)
	}

	// A report merged into c-1 (its request indexed there), sent again.
	e.reads.byRequest[reporter+"/r-9"] = "c-1"
	res, err = e.svc.Report(context.Background(), reporter, report("r-9", unit, "https://facebook.com/fake"))
	if err != nil || !res.Merged || res.Case.ID != "c-1" || len(e.cmds.calls) != 0 {
		t.Errorf("repeated merge: %+v %v", res, err)
	}

	// Indexed but not projected: an internal error, not a second case.
	e.reads.byRequest[reporter+"/r-8"] = "c-gone"
	_, err = e.svc.Report(context.Background(), reporter, report("r-8", unit, "https://facebook.com/fake"))
	if err == nil || incident.ErrorCode(err) != incident.CodeInternal || len(e.cmds.calls) != 0 {
		t.Errorf("repeat of an unprojected case: %v, calls %v", err, e.cmds.calls)
	}
}

// TestReportMerge: an open case about one of the subjects that the reporter
// may join (ActionJoinCase) takes the report in.
func TestReportMerge(t *testing.T) {
	e := newEnv(t)
	e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://m.facebook.com/fake-ubnd"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Merged || res.Case.ID != "c-1" || res.Case.MergedReports != 1 || len(e.cmds.calls) != 1 {
		t.Fatalf("merge: %+v, calls %+v", res, e.cmds.calls)
	}
	c := e.cmds.calls[0]
	if c.name != incident.CmdMergeReport || c.caseID != "c-1" || c.requestID != intake.ReportRequestID(reporter, "r-1") ||
		c.report.CaseID != "" || c.report.Title != "Trang giả mạo UBND xã" {
		t.Errorf("merge command %+v", c)
	}
	if len(e.reads.waited) != 1 || e.reads.waited[0] != res.Case.Position {
		t.Errorf("waited for %v, want %d", e.reads.waited, res.Case.Position)
	}
	if want := reporter + "/" + incident.ActionJoinCase + "/" + unit; e.auth.asked[len(e.auth.asked)-1] != want {
		t.Errorf("authorization asked %v, want the last to be %s", e.auth.asked, want)
	}
}

// TestReportNotMergedIntoUnreadableCase: an open case the reporter may not
// read is not merged into (the answer would hand them a case outside their
// units): the report opens a case of its own.
func TestReportNotMergedIntoUnreadableCase(t *testing.T) {
	e := newEnv(t)
	e.existing("c-1", "handler2", "h-1", other, "https://facebook.com/fake-ubnd")
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || res.Case.ID != intake.CaseIDFor(key, reporter, "r-1") || len(e.cmds.calls) != 1 ||
		e.cmds.calls[0].name != incident.CmdReportIncident || e.reads.cases["c-1"].MergedReports != 0 {
		t.Errorf("report beside an unreadable case: %+v, calls %+v", res, e.cmds.calls)
	}

	// A case that cannot be read back (gone, or the lookup fails) is not
	// merged into either.
	for _, caseErr := range []error{incident.Errorf(incident.CodeNotFound, "case not found"), errors.New("db down")} {
		e := newEnv(t)
		e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
		e.reads.caseErr = caseErr
		res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd"))
		if err != nil || res.Merged || len(e.cmds.calls) != 1 || e.cmds.calls[0].name != incident.CmdReportIncident {
			t.Errorf("Case fails with %v: %+v %v, calls %+v", caseErr, res, err, e.cmds.calls)
		}
	}
}

// TestReportAfterCaseSettled: a merge the case refuses because it settled
// since the lookup (INVALID_TRANSITION) opens a new case; other failures
// of the merge are the answer.
func TestReportAfterCaseSettled(t *testing.T) {
	e := newEnv(t)
	e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
	e.cmds.executeErr = incident.Errorf(incident.CodeInvalidTransition, "mergeReport is not allowed while the case is REJECTED")
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Merged || res.Case.ID != intake.CaseIDFor(key, reporter, "r-1") || len(e.cmds.calls) != 2 ||
		e.cmds.calls[0].name != incident.CmdMergeReport || e.cmds.calls[1].name != incident.CmdReportIncident {
		t.Errorf("report after the case settled: %+v, calls %+v", res, e.cmds.calls)
	}
	if e.cmds.calls[0].requestID != e.cmds.calls[1].requestID {
		t.Errorf("merge and report carry request ids %s and %s; want the report's", e.cmds.calls[0].requestID, e.cmds.calls[1].requestID)
	}

	e = newEnv(t)
	e.existing("c-1", "handler1", "h-1", unit, "https://facebook.com/fake-ubnd")
	e.cmds.executeErr = incident.Errorf(incident.CodeConflict, "busy")
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd")); incident.ErrorCode(err) != incident.CodeConflict || len(e.cmds.calls) != 1 {
		t.Errorf("failed merge: %v, calls %+v; want its CONFLICT and no new case", err, e.cmds.calls)
	}
}

// TestReportConflictRecovery: a CONFLICT because a concurrent attempt of
// the same report opened the case first is answered with that case; a
// CONFLICT with no such case is the answer.
func TestReportConflictRecovery(t *testing.T) {
	e := newEnv(t)
	id := intake.CaseIDFor(key, reporter, "r-1")
	e.reads.cases[id] = &incident.Case{ID: id, Status: incident.StatusReported, Unit: unit, ReportedBy: reporter, ClientRequestID: "r-1", Version: 1, Position: 7}
	e.cmds.reportErr = incident.Errorf(incident.CodeConflict, "case %s already exists", id)
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd"))
	if err != nil || res.Merged || res.Case.ID != id || res.Case.Position != 7 {
		t.Errorf("conflict recovery: %+v %v; want the case the other attempt opened", res, err)
	}

	e = newEnv(t)
	e.cmds.reportErr = incident.Errorf(incident.CodeConflict, "case already exists")
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd")); incident.ErrorCode(err) != incident.CodeConflict {
		t.Errorf("conflict without the case: %v; want CONFLICT", err)
	}

	e = newEnv(t)
	e.cmds.reportErr = errors.New("temporal down")
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake-ubnd")); err == nil || len(e.reads.waited) != 0 {
		t.Errorf("failed report: %v, waited %v", err, e.reads.waited)
	}
}

// TestReportRefused: the checks before any lookup, in order: the caller,
// the report, the unit's id, the unit, the reporter's right.
func TestReportRefused(t *testing.T) {
	ctx := context.Background()
	good := report("r-1", unit, "https://facebook.com/fake")
	long := report("r-1", strings.Repeat("u", 257), "https://facebook.com/fake")
	bad := good
	bad.Title = " "
	for _, tc := range []struct {
		name, sub   string
		rep         incident.Report
		code, field string
		checked     int // CheckUnit calls
	}{
		{"no subject", "", good, incident.CodeUnauthenticated, "", 0},
		{"bad report", reporter, bad, incident.CodeBadUserInput, "title", 0},
		{"over-long unit", reporter, long, incident.CodeBadUserInput, "unit", 0},
		{"unknown unit", reporter, report("r-1", "lai-chau/nowhere", "https://facebook.com/fake"), incident.CodeNotFound, "unit", 1},
		{"unauthorized", reporter, report("r-1", other, "https://facebook.com/fake"), incident.CodeForbidden, "", 1},
		{"no role", "outsider", good, incident.CodeForbidden, "", 1},
	} {
		e := newEnv(t)
		_, err := e.svc.Report(ctx, tc.sub, tc.rep)
		var de *incident.Error
		if !errors.As(err, &de) || de.Code != tc.code || de.Field != tc.field {
			t.Errorf("%s: %v; want %s on %q", tc.name, err, tc.code, tc.field)
		}
		if tc.code == incident.CodeForbidden && (de == nil || de.Message != "not allowed") {
			t.Errorf("%s: message %v; want the graph's \"not allowed\"", tc.name, err)
		}
		if len(e.units.checked) != tc.checked || len(e.reads.calls) != 0 || len(e.cmds.calls) != 0 {
			t.Errorf("%s: units checked %v, lookups %v, commands %v; want none past the refusal", tc.name, e.units.checked, e.reads.calls, e.cmds.calls)
		}
	}
	if _, err := newEnv(t).svc.Report(ctx, reporter, long); err == nil || err.Error() != "unit: is not a valid id" {
		t.Errorf("over-long unit: %v", err)
	}

	// A failing authorizer is the answer.
	e := newEnv(t)
	e.auth.err = errors.New("casbin down")
	if _, err := e.svc.Report(ctx, reporter, good); err == nil || incident.ErrorCode(err) != incident.CodeInternal {
		t.Errorf("failing authorizer: %v", err)
	}
}

// TestReportLookupFailures: a failing lookup is the answer, nothing runs.
func TestReportLookupFailures(t *testing.T) {
	e := newEnv(t)
	e.reads.lookupErr = errors.New("db down")
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake")); err == nil || len(e.cmds.calls) != 0 {
		t.Errorf("CaseByRequest fails: %v, calls %v", err, e.cmds.calls)
	}

	e = newEnv(t)
	e.reads.key = []byte("short")
	if _, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake")); err == nil || len(e.cmds.calls) != 0 {
		t.Errorf("short key: %v, calls %v", err, e.cmds.calls)
	}
}

// TestReportWaitFailureOnlyLogged: the command is durable once it returns,
// so a read model that does not catch up in time is logged, not answered.
func TestReportWaitFailureOnlyLogged(t *testing.T) {
	e := newEnv(t)
	e.reads.waitErr = context.DeadlineExceeded
	res, err := e.svc.Report(context.Background(), reporter, report("r-1", unit, "https://facebook.com/fake"))
	if err != nil || res.Case.ID == "" {
		t.Fatalf("%+v %v", res, err)
	}
	if !strings.Contains(e.log.String(), "read model did not catch up") || !strings.Contains(e.log.String(), "op="+incident.CmdReportIncident) {
		t.Errorf("log %q", e.log.String())
	}
}

// TestReportToClosedUnit: a report to a closed unit opens its case in the
// open unit that succeeds it (through a chain of closed successors), where
// the reporter must be allowed to report; a chain without an open end is
// refused before anything runs.
func TestReportToClosedUnit(t *testing.T) {
	const (
		merged = "lai-chau/tan-uyen/xa-trung-dong" // closed too, on into the new commune
		newer  = "lai-chau/xa-tan-uyen"
	)
	ctx := context.Background()
	setup := func() *env {
		e := newEnv(t)
		e.units.known[merged], e.units.known[newer] = true, true
		e.units.closed = map[string]string{unit: merged, merged: newer}
		return e
	}

	e := setup()
	if _, err := e.svc.Report(ctx, reporter, report("r-1", unit, "https://facebook.com/fake")); incident.ErrorCode(err) != incident.CodeForbidden {
		t.Fatalf("reporter granted only on the closed unit: %v", err)
	}
	if len(e.cmds.calls) != 0 || !slices.Contains(e.auth.asked, reporter+"/"+incident.CmdReportIncident+"/"+newer) {
		t.Fatalf("commands %v, asked %v: want the right to report asked on %s and nothing run", e.cmds.calls, e.auth.asked, newer)
	}

	e = setup()
	e.auth.grant(reporter, newer, incident.CmdReportIncident, incident.ActionJoinCase)
	res, err := e.svc.Report(ctx, reporter, report("r-1", unit, "https://facebook.com/fake"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Case.Unit != newer || len(e.cmds.calls) != 1 || e.cmds.calls[0].report.Unit != newer {
		t.Fatalf("case in %q, commands %+v: want it opened in %s", res.Case.Unit, e.cmds.calls, newer)
	}

	e = setup()
	e.units.closed[newer] = unit // round and round
	_, err = e.svc.Report(ctx, reporter, report("r-1", unit, "https://facebook.com/fake"))
	if de := (*incident.Error)(nil); !errors.As(err, &de) || de.Code != incident.CodeBadUserInput || de.Field != "unit" || len(e.cmds.calls) != 0 {
		t.Fatalf("a chain without an open end: %v, commands %v", err, e.cmds.calls)
	}
}
