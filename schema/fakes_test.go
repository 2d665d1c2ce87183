package schema

// In-package fakes of Authorizer, Commands and Reads (every read and write
// concern in one in-memory world), for testing the GraphQL
// mapping only (codes, authorization decisions, argument validation). The
// commands run the real domain rules (incident.Decide and incident.Apply);
// the database-backed implementations are tested in their own packages and
// end to end over HTTP.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// roleActions is the role × action table (docs/ARCHITECTURE.md, "Lifecycle"), as far as these tests need it.
var roleActions = map[string][]string{
	"REPORTER": {incident.CmdReportIncident, incident.CmdAddEvidence, incident.CmdAddComment, incident.ActionReadCase,
		incident.ActionReadOfficialAccounts, incident.ActionJoinCase},
	"HANDLER": {incident.CmdReportIncident, incident.CmdTriageCase, incident.CmdAssignCase, incident.CmdStartAnalysis,
		incident.CmdRecordAnalysis, incident.CmdAddEvidence, incident.CmdRequestTakedown, incident.CmdRecordTakedownResponse,
		incident.CmdRequestEscalation, incident.CmdRecordEscalationResponse, incident.CmdResolveCase, incident.CmdRejectCase,
		incident.CmdReopenCase, incident.CmdAddComment, incident.ActionReadCase, incident.ActionReadHistory, incident.ActionReadStats,
		incident.ActionReadOfficialAccounts, incident.ActionJoinCase, incident.ActionReadPublicReporters, incident.CmdCompleteTask},
	"LEADER": {incident.CmdReportIncident, incident.CmdTriageCase, incident.CmdAssignCase, incident.CmdApproveEscalation,
		incident.CmdDeclineEscalation, incident.CmdCloseCase, incident.CmdRejectCase, incident.CmdReopenCase,
		incident.CmdAddComment, incident.ActionReadCase, incident.ActionReadHistory, incident.ActionReadStats,
		incident.ActionReadOfficialAccounts, incident.ActionReadPeriodicReport, incident.ActionReadCaseFile,
		incident.ActionJoinCase, incident.ActionReadPublicReporters, incident.CmdCompleteTask, incident.CmdWaiveTask},
	"AUDITOR": {incident.ActionReadCase, incident.ActionReadHistory, incident.ActionReadStats, incident.ActionReadAdminHistory,
		incident.ActionReadOfficialAccounts, incident.ActionReadPeriodicReport, incident.ActionReadCaseFile, incident.ActionJoinCase},
	"CLERK": {incident.ActionReadCase, incident.ActionReadCaseFile, incident.ActionJoinCase},
	"ADMIN": {incident.ActionRegisterOfficialAccount, incident.ActionReadAdminHistory, incident.ActionReadOfficialAccounts,
		incident.ActionManageUnits, incident.ActionManageUsers},
}

// fakeAuth grants roles on units; a grant covers the unit's subtree. It
// records every action it is asked about.
type fakeAuth struct {
	grants map[string][]RoleGrant
	parent map[string]string
	err    error

	mu    sync.Mutex
	asked map[string]bool
}

// ask records that action was checked.
func (a *fakeAuth) ask(action string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.asked == nil {
		a.asked = map[string]bool{}
	}
	a.asked[action] = true
}

func (a *fakeAuth) within(unit, scope string) bool {
	for u, n := unit, 0; u != "" && n < 100; u, n = a.parent[u], n+1 {
		if u == scope {
			return true
		}
	}
	return false
}

func roleMay(role, action string) bool {
	for _, x := range roleActions[role] {
		if x == action {
			return true
		}
	}
	return false
}

func (a *fakeAuth) Allowed(sub, action, unit string) (bool, error) {
	a.ask(action)
	if a.err != nil {
		return false, a.err
	}
	for _, g := range a.grants[sub] {
		if roleMay(g.Role, action) && a.within(unit, g.Unit) {
			return true, nil
		}
	}
	return false, nil
}

func (a *fakeAuth) VisibleUnits(sub, action string) []string {
	a.ask(action)
	var out []string
	for _, g := range a.grants[sub] {
		if roleMay(g.Role, action) {
			out = append(out, g.Unit)
		}
	}
	return out
}

func (a *fakeAuth) RoleGrants(sub string) []RoleGrant { return a.grants[sub] }

// world is an in-memory case store behind both Commands and Reads.
type world struct {
	mu       sync.Mutex
	now      time.Time
	pos      int64
	numbers  int
	units    []incident.Unit
	cases    map[string]*incident.Case
	events   map[string][]eventstore.RecordedEvent
	requests map[string]string // reporter + "/" + clientRequestId -> case id
	accounts []incident.OfficialAccount
	admin    []eventstore.RecordedEvent // the admin stream
	blobs    map[string][]byte
	check    incident.AccountCheck

	// Recorded calls.
	unitsCalls   int
	reports      []string // case ids
	executes     []string // command names
	requestIDs   []string
	waited       []int64
	listVisible  [][]string
	statsVisible [][]string
	asOf         []*time.Time

	// failRead, when set, is returned by every read.
	failRead error
	// panicRead makes every read panic.
	panicRead bool
}

func newWorld() *world {
	return &world{
		now:      time.Date(2026, 11, 27, 2, 0, 0, 123456000, time.UTC),
		cases:    map[string]*incident.Case{},
		events:   map[string][]eventstore.RecordedEvent{},
		requests: map[string]string{},
		blobs:    map[string][]byte{},
		units: []incident.Unit{
			{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
			{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
			{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
			{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen"},
			{ID: "lai-chau/than-uyen", Name: "Than Uyên", Parent: "lai-chau"},
		},
		accounts: []incident.OfficialAccount{{ID: "OA-1", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook,
			URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên", Verified: true}},
	}
}

func (w *world) read() error {
	if w.panicRead {
		panic("read model exploded at 0xdeadbeef")
	}
	return w.failRead
}

// apply records cmd's events on case id (caller holds mu).
func (w *world) apply(id, actor string, cmd incident.Command) (incident.Case, error) {
	var c incident.Case
	if p := w.cases[id]; p != nil {
		c = p.Clone()
	}
	payloads, err := incident.Decide(c, cmd, w.now, incident.DefaultPolicy())
	if err != nil {
		return incident.Case{}, err
	}
	for _, p := range payloads {
		w.pos++
		e := incident.Event{Type: p.EventType(), Actor: actor, At: w.now, Data: p, Version: c.Version + 1, GlobalPosition: w.pos}
		if err := incident.Apply(&c, e); err != nil {
			return incident.Case{}, err
		}
		data, _ := incident.EncodePayload(p)
		prev := strings.Repeat("0", 64)
		if evs := w.events[c.ID]; len(evs) > 0 {
			prev = evs[len(evs)-1].Hash
		}
		sum := sha256.Sum256(append([]byte(prev), data...))
		w.events[c.ID] = append(w.events[c.ID], eventstore.RecordedEvent{Version: e.Version, GlobalPosition: e.GlobalPosition, Type: e.Type,
			Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: w.now, Data: data, Hash: hex.EncodeToString(sum[:]), PrevHash: prev})
	}
	out := c.Clone()
	w.cases[c.ID] = &c
	return out, nil
}

func (w *world) Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.numbers++
	r.CaseID, r.Number = caseID, fmt.Sprintf("VV-2026-%06d", w.numbers)
	c, err := w.apply(caseID, actor, r)
	if err != nil {
		return c, err
	}
	w.reports = append(w.reports, caseID)
	w.requestIDs = append(w.requestIDs, requestID)
	w.requests[actor+"/"+r.ClientRequestID] = caseID
	return c, nil
}

func (w *world) Execute(ctx context.Context, caseID, actor, requestID string, expected *int64, cmd incident.Command) (incident.Case, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c := w.cases[caseID]; c != nil && expected != nil && *expected != c.Version {
		return incident.Case{}, incident.Errorf(incident.CodeConflict, "expected version %d, the case is at %d", *expected, c.Version)
	}
	c, err := w.apply(caseID, actor, cmd)
	if err != nil {
		return c, fmt.Errorf("workflow case-%s update: %w", caseID, err)
	}
	w.executes = append(w.executes, cmd.Name())
	w.requestIDs = append(w.requestIDs, requestID)
	if m, ok := cmd.(incident.MergeReport); ok {
		w.requests[actor+"/"+m.Report.ClientRequestID] = caseID
	}
	return c, nil
}

func (w *world) Case(ctx context.Context, id string) (*incident.Case, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.read(); err != nil {
		return nil, err
	}
	if c := w.cases[id]; c != nil {
		cc := c.Clone()
		return &cc, nil
	}
	return nil, nil
}

func (w *world) CaseByNumber(ctx context.Context, number string) (*incident.Case, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.read(); err != nil {
		return nil, err
	}
	for _, c := range w.cases {
		if c.Number == number {
			cc := c.Clone()
			return &cc, nil
		}
	}
	return nil, nil
}

func underAny(unit string, visible []string) bool {
	for _, v := range visible {
		if unit == v || strings.HasPrefix(unit, v+"/") {
			return true
		}
	}
	return false
}

func (w *world) sortedCases() []*incident.Case {
	var out []*incident.Case
	for _, c := range w.cases {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (w *world) ListCases(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.read(); err != nil {
		return readmodel.Page{}, err
	}
	w.listVisible = append(w.listVisible, visible)
	page := readmodel.Page{Cursors: []string{}}
	for _, c := range w.sortedCases() {
		if !underAny(c.Unit, visible) || (f.Unit != "" && !underAny(c.Unit, []string{f.Unit})) {
			continue
		}
		page.Total++
		if after != "" && c.Number <= after {
			continue
		}
		if len(page.Cases) == first {
			page.HasNext = true
			continue
		}
		page.Cases = append(page.Cases, c.Clone())
		page.Cursors = append(page.Cursors, c.Number)
		page.EndCursor = c.Number
	}
	return page, nil
}

func (w *world) Stats(ctx context.Context, unit string, visible []string, from, to *time.Time) (readmodel.Stats, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.statsVisible = append(w.statsVisible, visible)
	st := readmodel.Stats{ByStatus: map[incident.Status]int{}, ByKind: map[incident.Kind]int{}}
	for _, c := range w.cases {
		if !underAny(c.Unit, visible) || (unit != "" && !underAny(c.Unit, []string{unit})) {
			continue
		}
		st.Total++
		if c.Status.Open() {
			st.Open++
		}
		st.ByStatus[c.Status]++
		st.ByKind[c.Kind]++
	}
	return st, nil
}

func (w *world) History(ctx context.Context, caseID string, fromVersion int64, limit int) ([]eventstore.RecordedEvent, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []eventstore.RecordedEvent
	for _, e := range w.events[caseID] {
		if e.Version >= fromVersion && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (w *world) CaseAsOf(ctx context.Context, id string, version *int64, at *time.Time) (*incident.Case, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.asOf = append(w.asOf, at)
	var c incident.Case
	for _, e := range w.events[id] {
		if (version != nil && e.Version > *version) || (at != nil && e.OccurredAt.After(*at)) {
			break
		}
		p, err := incident.DecodePayload(e.Type, e.Data)
		if err != nil {
			return nil, err
		}
		if err := incident.Apply(&c, incident.Event{Type: e.Type, Actor: e.Metadata.Actor, At: e.OccurredAt, Data: p, Version: e.Version}); err != nil {
			return nil, err
		}
	}
	if c.Version == 0 {
		return nil, nil
	}
	return &c, nil
}

func (w *world) Verify(ctx context.Context, caseID string) (eventstore.VerifyReport, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	evs := w.events[caseID]
	return eventstore.VerifyReport{Stream: incident.StreamOf(caseID), OK: true, EventsChecked: len(evs), HeadHash: evs[len(evs)-1].Hash}, nil
}

func (w *world) Units(ctx context.Context) ([]incident.Unit, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.read(); err != nil {
		return nil, err
	}
	w.unitsCalls++
	return append([]incident.Unit(nil), w.units...), nil
}

func (w *world) EscalationTarget(ctx context.Context, unitID string) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return incident.NewUnitTree(w.units).EscalationTarget(unitID), nil
}

func (w *world) OfficialAccounts(ctx context.Context, unit string) ([]incident.OfficialAccount, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []incident.OfficialAccount
	for _, a := range w.accounts {
		if unit == "" || a.Unit == unit {
			out = append(out, a)
		}
	}
	return out, nil
}

func (w *world) RegisterOfficialAccount(ctx context.Context, ch readmodel.Change, unit string, platform incident.Platform, url, displayName string) (incident.OfficialAccount, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a := incident.OfficialAccount{ID: fmt.Sprintf("OA-%d", len(w.accounts)+1), Unit: unit, Platform: platform, URL: url, DisplayName: displayName, Verified: true}
	w.accounts = append(w.accounts, a)
	w.pos++
	w.admin = append(w.admin, eventstore.RecordedEvent{Version: int64(len(w.admin) + 1), GlobalPosition: w.pos, Type: "OfficialAccountRegistered",
		Metadata: eventstore.Metadata{Actor: ch.Actor, Reason: ch.Reason}, OccurredAt: w.now, Data: json.RawMessage(`{"url":"` + url + `"}`)})
	return a, nil
}

func (w *world) AdminHistory(ctx context.Context, after int64, limit int) ([]eventstore.RecordedEvent, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []eventstore.RecordedEvent
	for _, e := range w.admin {
		if e.Version > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (w *world) CheckAccount(ctx context.Context, url string) (incident.AccountCheck, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.check, nil
}

func (w *world) OpenCaseBySubject(ctx context.Context, urls []string) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.sortedCases() {
		if !c.Status.Open() {
			continue
		}
		for _, s := range c.Subjects {
			for _, u := range urls {
				if s.NormalizedURL == u {
					return c.ID, true, nil
				}
			}
		}
	}
	return "", false, nil
}

func (w *world) CaseByRequest(ctx context.Context, reporter, clientRequestID string) (string, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.requests[reporter+"/"+clientRequestID]
	return id, ok, nil
}

func (w *world) WaitFor(ctx context.Context, position int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waited = append(w.waited, position)
	return nil
}

func (w *world) PutBlob(ctx context.Context, mediaType string, content []byte) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	w.blobs[h] = content
	return h, nil
}

// caseIDKey is the fake deployment's secret of CaseIDFor.
var caseIDKey = []byte("0123456789abcdef0123456789abcdef-fake")

func (w *world) CaseIDKey(ctx context.Context) ([]byte, error) { return caseIDKey, nil }

func (w *world) EvidenceBytes(ctx context.Context, sub string) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var n int64
	for _, c := range w.cases {
		for _, e := range c.Evidence {
			if e.AddedBy == sub {
				n += e.SizeBytes
			}
		}
	}
	return n, nil
}

// toJSON is a test helper for readable failure messages.
func toJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
