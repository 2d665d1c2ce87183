package readmodel

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/eventstore"
	"casetrail/incident"
)

func TestProjectOneCase(t *testing.T) {
	e := newEnv(t)
	tc := e.report(t, "reporter1", t0, incident.Report{Title: "Trang giả mạo UBND xã Phúc Khoa", Kind: incident.Impersonation})
	tc.triageAnalyse(t, t0.Add(time.Hour), incident.High, incident.VerdictFalse)
	e.catchUp(t)
	got, err := e.reader.Case(e.ctx, tc.id)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "projected case", *got, tc.c)
	// The child tables mirror the document.
	var subjects, deadlines, pending int
	err = e.store.Pool().QueryRow(e.ctx, `SELECT (SELECT count(*) FROM case_subjects WHERE case_id = $1 AND open),
		(SELECT count(*) FROM deadlines WHERE case_id = $1),
		(SELECT count(*) FROM deadlines WHERE case_id = $1 AND state = 'PENDING')`, tc.id).Scan(&subjects, &deadlines, &pending)
	if err != nil {
		t.Fatal(err)
	}
	if subjects != len(tc.c.Subjects) || deadlines != len(tc.c.Deadlines) || pending != len(tc.c.PendingDeadlines()) {
		t.Fatalf("rows: %d subjects, %d deadlines (%d pending); case has %d, %d (%d)", subjects, deadlines, pending,
			len(tc.c.Subjects), len(tc.c.Deadlines), len(tc.c.PendingDeadlines()))
	}
}

func TestToDomain(t *testing.T) {
	at := time.Date(2026, 3, 1, 1, 2, 3, 4000, time.FixedZone("ICT", 7*3600))
	data, _ := incident.EncodePayload(incident.CaseAssigned{Assignee: "handler9"})
	ev, err := ToDomain(eventstore.RecordedEvent{ID: "e1", Stream: "case-x", Version: 4, Type: incident.TypeCaseAssigned,
		Data: data, Metadata: eventstore.Metadata{Actor: "leader1"}, OccurredAt: at, GlobalPosition: 99})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "event", ev, incident.Event{ID: "e1", Type: incident.TypeCaseAssigned, Actor: "leader1", At: at.UTC(),
		Data: incident.CaseAssigned{Assignee: "handler9"}, Version: 4, GlobalPosition: 99})
	if _, err := ToDomain(eventstore.RecordedEvent{Type: "Mystery", Data: json.RawMessage(`{}`)}); err == nil {
		t.Fatal("unknown event type decoded")
	}
}

// dump renders every projected table (and the registry) in a canonical order.
func dump(t *testing.T, e *env) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range append(append([]string{}, projectedTables...), "units", "official_accounts") {
		var s *string
		err := e.store.Pool().QueryRow(e.ctx, `SELECT string_agg(to_jsonb(x)::text, E'\n' ORDER BY to_jsonb(x)::text) FROM `+table+` x`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		if s != nil {
			out[table] = *s
		}
	}
	return out
}

func sameDump(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for table, w := range want {
		if got[table] != w {
			g, wl := strings.Split(got[table], "\n"), strings.Split(w, "\n")
			for i := range min(len(g), len(wl)) {
				if g[i] != wl[i] {
					t.Fatalf("%s: table %s differs at row %d (%d vs %d rows):\n got  %s\n want %s", what, table, i, len(g), len(wl), g[i], wl[i])
				}
			}
			t.Fatalf("%s: table %s has %d rows, want %d", what, table, len(g), len(wl))
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d tables with rows, want %d", what, len(got), len(want))
	}
}

func TestRebuildEqualsLiveProjection(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	// The live projector runs while cases are generated, with small batches
	// that cut streams at arbitrary places.
	e.proj.Batch = 13
	runDone := make(chan error, 1)
	go func() { runDone <- e.proj.Run(ctx) }()
	if err := generate(ctx, e.store, 150, 7, t0, 2); err != nil {
		t.Fatal(err)
	}
	head, err := e.store.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.proj.WaitFor(ctx, head); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	live := dump(t, e)
	if !strings.Contains(live["cases"], "VV-") || live["deadlines"] == "" || live["intake"] == "" {
		t.Fatal("the live projection is empty")
	}

	// Every projected case is the fold of its own stream.
	rows, err := e.store.Pool().Query(e.ctx, `SELECT id FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := collectStrings(rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 150 {
		t.Fatalf("%d cases projected, want 150", len(ids))
	}
	for _, id := range ids {
		got, err := e.reader.Case(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.reader.CaseAsOf(e.ctx, id, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "case "+id, *got, *want)
	}

	// Registry rows must survive; projected ones come back identical.
	pos, err := e.proj.Rebuild(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pos != head {
		t.Fatalf("rebuild reached %d, head is %d", pos, head)
	}
	sameDump(t, "rebuild", dump(t, e), live)
}

func TestRebuildWhileLive(t *testing.T) {
	e := newEnv(t)
	if err := generate(e.ctx, e.store, 60, 3, t0, 2); err != nil {
		t.Fatal(err)
	}
	e.catchUp(t)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	e.proj.Batch = 17
	runDone := make(chan error, 1)
	go func() { runDone <- e.proj.Run(ctx) }()
	// More cases arrive while a rebuild runs next to the live projector.
	genDone := make(chan error, 1)
	go func() { genDone <- generate(ctx, e.store, 150, 3, t0, 1) }()
	rebuilder := NewProjector(e.store)
	rebuilder.RebuildBatch = 50
	if _, err := rebuilder.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-genDone; err != nil {
		t.Fatal(err)
	}
	head, err := e.store.HeadPosition(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.proj.WaitFor(e.ctx, head); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	converged := dump(t, e)
	if _, err := e.proj.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	sameDump(t, "quiet rebuild", dump(t, e), converged)
}

func TestProjectionHealsMissingCase(t *testing.T) {
	e := newEnv(t)
	tc := e.report(t, "reporter1", t0, incident.Report{})
	tc.triageAnalyse(t, t0.Add(time.Hour), incident.Medium, incident.VerdictMisleading)
	e.catchUp(t)
	// The row disappears (as after a TRUNCATE that raced a live batch).
	for _, table := range projectedTables {
		col := "case_id"
		switch table {
		case "cases":
			col = "id"
		case "case_units", "stats_case_days", "stats_deadline_days", "stats_takedown_days": // no case column
			continue
		}
		if _, err := e.store.Pool().Exec(e.ctx, `DELETE FROM `+table+` WHERE `+col+` = $1`, tc.id); err != nil {
			t.Fatal(err)
		}
	}
	tc.do(t, "handler1", t0.Add(2*time.Hour), incident.Comment{Text: "Bình luận"})
	e.catchUp(t)
	got, err := e.reader.Case(e.ctx, tc.id)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "healed case", *got, tc.c)
	if id, ok, _ := e.reader.CaseByRequest(e.ctx, "reporter1", tc.c.ClientRequestID); !ok || id != tc.id {
		t.Fatal("intake row not healed")
	}
}

func TestProjectionSkipsAppliedEvents(t *testing.T) {
	e := newEnv(t)
	tc := e.report(t, "reporter1", t0, incident.Report{})
	e.catchUp(t)
	before := dump(t, e)
	// Replaying the same events in a batch changes nothing.
	recs, err := e.store.ReadAll(e.ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := e.store.Pool().Begin(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyBatch(e.ctx, e.store, tx, recs, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(e.ctx); err != nil {
		t.Fatal(err)
	}
	sameDump(t, "re-applied", dump(t, e), before)
	_ = tc
}

func TestWaitFor(t *testing.T) {
	e := newEnv(t)
	e.proj.WaitTimeout = 200 * time.Millisecond
	tc := e.report(t, "reporter1", t0, incident.Report{})
	pos := tc.recs[len(tc.recs)-1].GlobalPosition
	// Nobody projects: the wait is bounded.
	start := time.Now()
	if err := e.proj.WaitFor(e.ctx, pos); err == nil {
		t.Fatal("WaitFor returned without a projector")
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("WaitFor waited %v", waited)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- e.proj.Run(ctx) }()
	e.proj.WaitTimeout = 10 * time.Second
	// Read your own writes: each command is visible once WaitFor returns.
	for i, cmd := range []incident.Command{
		incident.Triage{Severity: incident.Low, Assignee: "handler1"},
		incident.Assign{Assignee: "handler2"},
		incident.StartAnalysis{},
	} {
		recs := tc.do(t, "handler1", t0.Add(time.Duration(i+1)*time.Minute), cmd)
		if err := e.proj.WaitFor(ctx, recs[len(recs)-1].GlobalPosition); err != nil {
			t.Fatal(err)
		}
		got, err := e.reader.Case(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != tc.c.Version {
			t.Fatalf("after %s: read version %d, wrote %d", cmd.Name(), got.Version, tc.c.Version)
		}
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
}

// A page decoded as it was read is taken by the handler of that very page
// (same first position and length) and forgotten with every page before it.
func TestDecodedPages(t *testing.T) {
	page := func(first int64, n int) []eventstore.RecordedEvent {
		evs := make([]eventstore.RecordedEvent, n)
		for i := range evs {
			evs[i] = eventstore.RecordedEvent{GlobalPosition: first + int64(i), Stream: "unit-x", Type: "X"}
		}
		return evs
	}
	var d decodedPages
	a, b := page(1, 3), page(4, 3)
	d.put(a)
	d.put(b)
	if _, _, ok := d.take(page(4, 2)); ok {
		t.Fatal("a shorter page at the same position was taken")
	}
	d.put(b)
	if got, errs, ok := d.take(b); !ok || len(got) != 3 || len(errs) != 3 {
		t.Fatalf("take(b) = %d events, %d errs, %v", len(got), len(errs), ok)
	}
	if _, _, ok := d.take(a); ok {
		t.Fatal("a page before the one taken was kept")
	}
	if _, _, ok := d.take(b); ok {
		t.Fatal("a page was taken twice")
	}
	var none *decodedPages
	if _, _, ok := none.take(a); ok {
		t.Fatal("nil pages took a page")
	}
}
