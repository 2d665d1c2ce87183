package benchdata

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
)

// t0 is the fixed "now" of the generated data.
var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	store, err := eventstore.Open(ctx, dbURL+sep+"pool_max_conns=6")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	const n = 200
	if err := GenerateAt(ctx, store, n, 42, t0, 3); err != nil {
		t.Fatal(err)
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if per := float64(head) / n; per < 10 || per > 18 {
		t.Fatalf("%.1f events per case, want 10 to 18", per)
	}
	// Same seed again: the event ids are the same, nothing is appended.
	if err := GenerateAt(ctx, store, n, 42, t0, 2); err != nil {
		t.Fatal(err)
	}
	if again, _ := store.HeadPosition(ctx); again != head {
		t.Fatalf("regenerating appended %d events", again-head)
	}
	if _, err := readmodel.NewProjector(store).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	reader := readmodel.NewReader(store.Pool())
	reader.Now = func() time.Time { return t0 }
	st, err := reader.Stats(ctx, "", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != n || len(st.ByStatus) < 7 || len(st.ByKind) != 3 || st.MedianHoursToResolve == nil || st.DeadlineMetRatio == nil {
		t.Fatalf("generated data is not varied: %+v", st)
	}
	t.Logf("generated: %+v median %.1f h, met ratio %.2f", st, *st.MedianHoursToResolve, *st.DeadlineMetRatio)
	if r := *st.DeadlineMetRatio; r <= 0.3 || r >= 1 {
		t.Fatalf("deadline met ratio %.2f: expected some misses and mostly met", r)
	}
	var units, diacritics, interleaved int
	err = store.Pool().QueryRow(ctx, `SELECT count(DISTINCT unit), count(*) FILTER (WHERE doc->>'title' ~ '[^\x01-\x7f]'),
		(SELECT count(*) FROM cases c2 WHERE c2.global_position > 0) FROM cases`).Scan(&units, &diacritics, &interleaved)
	if err != nil {
		t.Fatal(err)
	}
	if units < 8 || diacritics != n {
		t.Fatalf("%d units, %d titles with diacritics", units, diacritics)
	}
	if p, _ := reader.ListCases(ctx, readmodel.Filter{Text: "gia mao"}, nil, 1, ""); p.Total == 0 {
		t.Fatal("no generated case mentions giả mạo")
	}
	// Streams interleave in the global log.
	recs, err := store.ReadAll(ctx, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	switches := 0
	for i := 1; i < len(recs); i++ {
		if recs[i].Stream != recs[i-1].Stream {
			switches++
		}
	}
	if switches < 20 {
		t.Fatalf("the first 200 events switch streams only %d times", switches)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	g := newGenerator(5, t0, nil)
	for i := range 50 {
		a, err := g.simulate(i)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := g.simulate(i)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("case %d simulated twice:\n got  %#v\n want %#v", i, b, a)
		}
		var last time.Time
		for _, ch := range a.chunks {
			for _, ev := range ch {
				if ev.OccurredAt.Before(last) || ev.OccurredAt.After(t0) {
					t.Fatalf("case %d: event %s at %v after %v (now %v)", i, ev.Type, ev.OccurredAt, last, t0)
				}
				last = ev.OccurredAt
			}
		}
	}
}
