package readmodel

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/incident"
)

// env is one test's fresh database with the store, the projector, a reader
// and the registry.
type env struct {
	ctx    context.Context
	store  *eventstore.Store
	proj   *Projector
	reader *Reader
	reg    *Registry
	now    time.Time
	seq    int
	mu     sync.Mutex
}

// t0 is the fixed "now" of tests that need one.
var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	return openEnv(t, pgtest.NewDatabase(t))
}

func openEnv(t testing.TB, dbURL string) *env {
	t.Helper()
	ctx := context.Background()
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	store, err := eventstore.Open(ctx, dbURL+sep+"pool_max_conns=6")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := EnsureSchema(ctx, store.Pool()); err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, store: store, proj: NewProjector(store), reader: NewReader(store.Pool()), reg: NewRegistry(store.Pool()), now: t0}
	e.reader.Now = func() time.Time { return e.now }
	return e
}

// catchUp projects everything appended so far.
func (e *env) catchUp(t testing.TB) {
	t.Helper()
	if _, err := e.proj.CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
}

// tcase drives one case the way the workflow does: Decide, append, fold what
// the store returned. snaps[v] is the folded case after version v.
type tcase struct {
	e     *env
	id    string
	c     incident.Case
	snaps []incident.Case
	recs  []eventstore.RecordedEvent
}

// report opens a case with a fresh id and number.
func (e *env) report(t testing.TB, actor string, at time.Time, r incident.Report) *tcase {
	t.Helper()
	e.mu.Lock()
	e.seq++
	n := e.seq
	e.mu.Unlock()
	if r.CaseID == "" {
		r.CaseID = uuid.NewString()
	}
	if r.Number == "" {
		r.Number = fmt.Sprintf("VV-%d-%06d", at.Year(), n)
	}
	if r.ClientRequestID == "" {
		r.ClientRequestID = uuid.NewString()
	}
	if r.Kind == "" {
		r.Kind = incident.FalseInformation
	}
	if r.Unit == "" {
		r.Unit = "lai-chau/tan-uyen"
	}
	if r.Title == "" {
		r.Title = "Tin sai sự thật số " + fmt.Sprint(n)
	}
	if len(r.Subjects) == 0 {
		r.Subjects = []incident.SubjectInput{{Platform: incident.Facebook, URL: fmt.Sprintf("https://www.facebook.com/page-%d", n)}}
	}
	tc := &tcase{e: e, id: r.CaseID, snaps: []incident.Case{{}}}
	tc.do(t, actor, at, r)
	return tc
}

// do decides cmd at at and appends its events.
func (tc *tcase) do(t testing.TB, actor string, at time.Time, cmd incident.Command) []eventstore.RecordedEvent {
	t.Helper()
	pays, err := incident.Decide(tc.c, cmd, at, incident.DefaultPolicy())
	if err != nil {
		t.Fatalf("%s: %v", cmd.Name(), err)
	}
	return tc.emit(t, actor, at, pays...)
}

// emit appends payloads as they are (the clock's events, or anything else).
func (tc *tcase) emit(t testing.TB, actor string, at time.Time, pays ...incident.Payload) []eventstore.RecordedEvent {
	t.Helper()
	evs := make([]eventstore.EventData, len(pays))
	for i, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		evs[i] = eventstore.EventData{ID: uuid.NewString(), Type: p.EventType(), Data: data,
			Metadata: eventstore.Metadata{Actor: actor}, OccurredAt: at}
	}
	recs, err := tc.e.store.Append(tc.e.ctx, incident.StreamOf(tc.id), tc.c.Version, evs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ev, err := ToDomain(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := incident.Apply(&tc.c, ev); err != nil {
			t.Fatal(err)
		}
		tc.snaps = append(tc.snaps, tc.c.Clone())
	}
	tc.recs = append(tc.recs, recs...)
	return recs
}

// clock runs the case's deadlines up to at.
func (tc *tcase) clock(t testing.TB, at time.Time) {
	t.Helper()
	p := incident.DefaultPolicy()
	for {
		wake, ok := incident.NextWake(&tc.c, p)
		if !ok || wake.After(at) {
			return
		}
		pays := incident.DueEvents(tc.c, wake, p)
		if len(pays) == 0 {
			return
		}
		tc.emit(t, incident.SystemActor, wake, pays...)
	}
}

// triageAnalyse walks a case from REPORTED to ANALYSIS with a recorded
// analysis of verdict v.
func (tc *tcase) triageAnalyse(t testing.TB, at time.Time, sev incident.Severity, v incident.Verdict) {
	t.Helper()
	tc.do(t, "handler1", at, incident.Triage{Severity: sev, Assignee: "handler1"})
	tc.do(t, "handler1", at.Add(time.Minute), incident.StartAnalysis{})
	tc.do(t, "handler1", at.Add(2*time.Minute), incident.RecordAnalysis{Findings: "Đã xác minh", Verdict: v})
}

func mustEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

func codeOf(err error) string { return incident.ErrorCode(err) }

func ptr[T any](v T) *T { return &v }

func asError(err error, target **incident.Error) bool { return errors.As(err, target) }

func collectStrings(rows pgx.Rows) ([]string, error) { return pgx.CollectRows(rows, pgx.RowTo[string]) }

// registerUnits puts units in the registry, each the child of the unit its
// id names before the last slash (when that is one of them): the parent
// links that lists and statistics follow.
func (e *env) registerUnits(t testing.TB, ids ...string) {
	t.Helper()
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	var units []incident.Unit
	for _, id := range ids {
		u := incident.Unit{ID: id, Name: id}
		if i := strings.LastIndex(id, "/"); i > 0 && known[id[:i]] {
			u.Parent = id[:i]
		}
		units = append(units, u)
	}
	if err := e.reg.UpsertUnits(e.ctx, units); err != nil {
		t.Fatal(err)
	}
}

// testUnits are the units the list and statistics tests report in.
var testUnits = []string{
	"lai-chau", "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen-moi", "lai-chau/tan",
	"lai-chau/phuong-tan-phong", "lai-chau/phuong-doan-ket", "lai-chau/cong-an", "dien-bien", "dien-bien/xa-tuan-giao",
}
