package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

// withPoolSize adds pool_max_conns to a database URL.
func withPoolSize(t testing.TB, dbURL string, n int) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", fmt.Sprint(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// newTestStore opens a store on a fresh database dropped at cleanup.
func newTestStore(t testing.TB) *Store {
	t.Helper()
	return openTestStore(t, withPoolSize(t, pgtest.NewDatabase(t), 4))
}

func openTestStore(t testing.TB, dbURL string) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func ev(typ string, data string) EventData {
	return EventData{ID: uuid.NewString(), Type: typ, Data: json.RawMessage(data), Metadata: Metadata{Actor: "handler1"}}
}

func mustAppend(t testing.TB, s *Store, stream string, expected int64, evs ...EventData) []RecordedEvent {
	t.Helper()
	got, err := s.Append(context.Background(), stream, expected, evs...)
	if err != nil {
		t.Fatalf("append to %s at %d: %v", stream, expected, err)
	}
	return got
}

func TestAppendAndRead(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	occurred := time.Date(2025, 7, 1, 9, 0, 0, 123456789, time.FixedZone("ICT", 7*3600))
	in := []EventData{
		{ID: "6F9619FF-8B86-D011-B42D-00C04FC964FF", Type: "CaseReported", SchemaVersion: 2,
			Data:       json.RawMessage(`{ "title": "Trang giả mạo UBND xã", "kind": "IMPERSONATION", "n": 1.50e1 }`),
			Metadata:   Metadata{Actor: "reporter1", CorrelationID: "req-1", Reason: "báo cáo"},
			OccurredAt: occurred},
		ev("CaseTriaged", `{"severity":"HIGH"}`),
		{ID: uuid.NewString(), Type: "CommentAdded", Metadata: Metadata{Actor: "leader1"}},
	}
	got := mustAppend(t, s, "case-a", 0, in...)
	if len(got) != 3 {
		t.Fatalf("got %d events", len(got))
	}
	first := got[0]
	if first.ID != "6f9619ff-8b86-d011-b42d-00c04fc964ff" || first.Stream != "case-a" || first.Version != 1 ||
		first.SchemaVersion != 2 || first.GlobalPosition != 1 || first.PrevHash != zeroHash {
		t.Errorf("first event = %+v", first)
	}
	if want := `{"kind":"IMPERSONATION","n":15.0,"title":"Trang giả mạo UBND xã"}`; string(first.Data) != want {
		t.Errorf("data = %s, want %s", first.Data, want)
	}
	if !first.OccurredAt.Equal(occurred.Truncate(time.Microsecond)) || first.OccurredAt.Location() != time.UTC {
		t.Errorf("occurredAt = %v", first.OccurredAt)
	}
	if string(got[2].Data) != `{}` || got[2].SchemaVersion != 1 || got[2].OccurredAt.IsZero() {
		t.Errorf("defaults not applied: %+v", got[2])
	}
	for i, e := range got {
		if e.Version != int64(i+1) || e.GlobalPosition != int64(i+1) {
			t.Errorf("event %d: version %d position %d", i, e.Version, e.GlobalPosition)
		}
		if i > 0 && e.PrevHash != got[i-1].Hash {
			t.Errorf("event %d: prevHash %s, previous hash %s", i, e.PrevHash, got[i-1].Hash)
		}
		if h, _ := eventHash(e.PrevHash, &e); h != e.Hash || len(e.Hash) != 64 {
			t.Errorf("event %d: hash %s, recomputed %s", i, e.Hash, h)
		}
	}

	read, err := s.ReadStream(ctx, "case-a", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, got) {
		t.Errorf("ReadStream differs from Append's result:\n%+v\n%+v", read, got)
	}
	page, err := s.ReadStream(ctx, "case-a", 2, 1)
	if err != nil || len(page) != 1 || page[0].Version != 2 {
		t.Errorf("ReadStream(from 2, limit 1) = %+v, %v", page, err)
	}
	if past, err := s.ReadStream(ctx, "case-a", 4, 0); err != nil || len(past) != 0 {
		t.Errorf("ReadStream past the end = %+v, %v", past, err)
	}
	if _, err := s.ReadStream(ctx, "case-none", 0, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadStream(unknown) error = %v, want ErrNotFound", err)
	}

	more := mustAppend(t, s, "case-b", 0, ev("CaseReported", `{}`))
	fourth := mustAppend(t, s, "case-a", 3, ev("CaseClosed", `{}`))
	if more[0].GlobalPosition != 4 {
		t.Errorf("case-b position = %d, want 4", more[0].GlobalPosition)
	}
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("ReadAll = %d events, %v", len(all), err)
	}
	if !reflect.DeepEqual(all[:3], got) {
		t.Errorf("ReadAll differs from Append's result")
	}
	if tail, _ := s.ReadAll(ctx, 3, 1); len(tail) != 1 || tail[0].Stream != "case-b" {
		t.Errorf("ReadAll(after 3, limit 1) = %+v", tail)
	}
	if head, err := s.HeadPosition(ctx); head != 5 || err != nil {
		t.Errorf("HeadPosition = %d, %v", head, err)
	}
	if v, err := s.StreamVersion(ctx, "case-a"); v != 4 || err != nil {
		t.Errorf("StreamVersion(case-a) = %d, %v", v, err)
	}
	if v, err := s.StreamVersion(ctx, "case-none"); v != 0 || err != nil {
		t.Errorf("StreamVersion(unknown) = %d, %v", v, err)
	}
	if streams, err := s.Streams(ctx); !reflect.DeepEqual(streams, []string{"case-a", "case-b"}) || err != nil {
		t.Errorf("Streams = %v, %v", streams, err)
	}
	rep, err := s.Verify(ctx, "case-a")
	if err != nil || !rep.OK || rep.EventsChecked != 4 || rep.FirstBadVersion != 0 || rep.HeadHash == "" {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
	if _, err := s.Verify(ctx, "case-none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Verify(unknown) error = %v, want ErrNotFound", err)
	}

	// A second store on the same database (another process) continues the
	// chain without the first one's cache.
	other := New(s.Pool())
	next, err := other.Append(ctx, "case-a", 4, ev("CaseReopened", `{}`))
	if err != nil || next[0].PrevHash != fourth[0].Hash || next[0].Version != 5 {
		t.Fatalf("append from a second store: %+v, %v", next, err)
	}
	if rep, _ := s.Verify(ctx, "case-a"); !rep.OK || rep.EventsChecked != 5 || rep.HeadHash != next[0].Hash {
		t.Errorf("Verify after second store = %+v", rep)
	}
}

func TestConflict(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	mustAppend(t, s, "case-c", 0, ev("CaseReported", `{}`), ev("CaseTriaged", `{}`))
	for _, expected := range []int64{0, 1, 3, 7} {
		_, err := s.Append(ctx, "case-c", expected, ev("CaseClosed", `{}`))
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
			t.Fatalf("expected %d: error %v, want a ConflictError", expected, err)
		}
		if ce.Stream != "case-c" || ce.Expected != expected || ce.Actual != 2 {
			t.Errorf("expected %d: conflict = %+v", expected, ce)
		}
	}
	// Another store (no cached head) sees the same conflicts.
	other := New(s.Pool())
	if _, err := other.Append(ctx, "case-c", 1, ev("CaseClosed", `{}`)); !errors.Is(err, ErrConflict) {
		t.Errorf("second store: %v, want a conflict", err)
	}
	if v, _ := s.StreamVersion(ctx, "case-c"); v != 2 {
		t.Errorf("version after conflicts = %d, want 2", v)
	}
	if head, _ := s.HeadPosition(ctx); head != 2 {
		t.Errorf("head after conflicts = %d, want 2", head)
	}
}

func TestIdempotentRetry(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	batch := []EventData{ev("CaseReported", `{"title":"x"}`), ev("CaseTriaged", `{"severity":"LOW"}`)}
	first := mustAppend(t, s, "case-i", 0, batch...)

	again := mustAppend(t, s, "case-i", 0, batch...)
	if !reflect.DeepEqual(again, first) {
		t.Errorf("retry returned\n%+v\nwant\n%+v", again, first)
	}
	// The stream moves on; a late retry still returns the original events,
	// from a store that has never seen them.
	mustAppend(t, s, "case-i", 2, ev("CaseClosed", `{}`))
	late, err := New(s.Pool()).Append(ctx, "case-i", 0, batch...)
	if err != nil || !reflect.DeepEqual(late, first) {
		t.Errorf("late retry = %+v, %v", late, err)
	}
	// A retry whose data differs is still answered with what was written.
	changed := []EventData{batch[0], batch[1]}
	changed[0].Data = json.RawMessage(`{"title":"changed"}`)
	if got, err := s.Append(ctx, "case-i", 0, changed...); err != nil || string(got[0].Data) != `{"title":"x"}` {
		t.Errorf("retry with other data = %+v, %v", got, err)
	}

	fresh := ev("CommentAdded", `{}`)
	partial := [][]EventData{
		{batch[0], fresh},                     // first stored, second not
		{fresh, batch[1]},                     // first new, second stored
		{batch[1], batch[0]},                  // same ids, other order: still stored events, see below
		{ev("X", `{}`), ev("Y", `{}`), fresh}, // nothing stored: a conflict, not a duplicate
	}
	for i, p := range partial {
		_, err := s.Append(ctx, "case-i", 0, p...)
		switch i {
		case 2:
			if err != nil {
				t.Errorf("reordered retry: %v", err)
			}
		case 3:
			if !errors.Is(err, ErrConflict) {
				t.Errorf("new ids at a stale version: %v, want a conflict", err)
			}
		default:
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "partially duplicated") {
				t.Errorf("partial batch %d: %v, want ErrInvalid", i, err)
			}
		}
	}
	if _, err := s.Append(ctx, "case-other", 0, batch[0]); !errors.Is(err, ErrInvalid) {
		t.Errorf("id of another stream: %v, want ErrInvalid", err)
	}
	all, err := s.ReadAll(ctx, 0, 100)
	if err != nil || len(all) != 3 {
		t.Errorf("log holds %d events (%v), want 3: retries must not write", len(all), err)
	}
	if v, _ := s.StreamVersion(ctx, "case-other"); v != 0 {
		t.Errorf("case-other version %d, want 0", v)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	big := `{"x":"` + strings.Repeat("a", MaxDataBytes) + `"}`
	withID := func(e EventData, id string) EventData { e.ID = id; return e }
	withType := func(e EventData, typ string) EventData { e.Type = typ; return e }
	dup := ev("A", `{}`)
	cases := []struct {
		name   string
		stream string
		expect int64
		events []EventData
	}{
		{"empty stream", "", 0, []EventData{ev("A", `{}`)}},
		{"blank stream", "  ", 0, []EventData{ev("A", `{}`)}},
		{"long stream", strings.Repeat("s", MaxNameBytes+1), 0, []EventData{ev("A", `{}`)}},
		{"NUL in stream", "case\x00", 0, []EventData{ev("A", `{}`)}},
		{"no events", "case-x", 0, nil},
		{"negative expected version", "case-x", -1, []EventData{ev("A", `{}`)}},
		{"data over 1 MiB", "case-x", 0, []EventData{ev("A", big)}},
		{"invalid JSON", "case-x", 0, []EventData{ev("A", `{"a":`)}},
		{"JSON array", "case-x", 0, []EventData{ev("A", `[1]`)}},
		{"JSON string", "case-x", 0, []EventData{ev("A", `"s"`)}},
		{"duplicate key", "case-x", 0, []EventData{ev("A", `{"a":1,"a":2}`)}},
		{"NUL escape in data", "case-x", 0, []EventData{ev("A", `{"a":"\u0000"}`)}},
		{"bad id", "case-x", 0, []EventData{withID(ev("A", `{}`), "not-a-uuid")}},
		{"empty type", "case-x", 0, []EventData{withType(ev("A", `{}`), "")}},
		{"invalid UTF-8 type", "case-x", 0, []EventData{withType(ev("A", `{}`), "A\xff")}},
		{"NUL in actor", "case-x", 0, []EventData{{ID: uuid.NewString(), Type: "A", Metadata: Metadata{Actor: "a\x00"}}}},
		{"negative schema version", "case-x", 0, []EventData{{ID: uuid.NewString(), Type: "A", SchemaVersion: -1}}},
		{"occurredAt out of range", "case-x", 0, []EventData{{ID: uuid.NewString(), Type: "A", OccurredAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		{"same id twice in a batch", "case-x", 0, []EventData{dup, dup}},
		{"second event bad", "case-x", 0, []EventData{ev("A", `{}`), ev("B", `{`)}},
	}
	for _, c := range cases {
		_, err := s.Append(ctx, c.stream, c.expect, c.events...)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want ErrInvalid", c.name, err)
		}
	}
	if _, err := s.Append(ctx, "case-x", 0, make([]EventData, MaxBatch+1)...); !errors.Is(err, ErrInvalid) {
		t.Errorf("too many events: %v", err)
	}
	// Exactly at the limit is fine.
	atLimit := `{"x":"` + strings.Repeat("a", MaxDataBytes-8) + `"}`
	if _, err := s.Append(ctx, "case-limit", 0, ev("A", atLimit)); err != nil {
		t.Errorf("data at the limit: %v", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Append(cancelled, "case-x", 0, ev("A", `{}`)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := s.ReadAll(cancelled, 0, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadAll with a cancelled context: %v", err)
	}
	for _, name := range []string{"case-x"} {
		if v, _ := s.StreamVersion(ctx, name); v != 0 {
			t.Errorf("%s has version %d after rejected appends", name, v)
		}
	}
	if head, _ := s.HeadPosition(ctx); head != 1 {
		t.Errorf("head = %d, want 1 (only the at-limit event)", head)
	}

	// A closed pool (wrapped with New) and a closed store.
	pool, err := pgxpool.New(ctx, s.Pool().Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	wrapped := New(pool)
	pool.Close()
	if _, err := wrapped.Append(ctx, "case-x", 0, ev("A", `{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("closed pool: %v, want ErrClosed", err)
	}
	if _, err := wrapped.HeadPosition(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("closed pool, HeadPosition: %v, want ErrClosed", err)
	}
	closed := openTestStore(t, s.Pool().Config().ConnString())
	closed.Close()
	if _, err := closed.Append(ctx, "case-x", 0, ev("A", `{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("closed store: %v, want ErrClosed", err)
	}
	if err := closed.Subscribe(ctx, "c", 1, func(context.Context, pgx.Tx, []RecordedEvent) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe on a closed store: %v, want ErrClosed", err)
	}
}

// TestConcurrentOrdering runs many writers in two stores (two "processes")
// while a reader tails the global log: it must see every event exactly
// once, at consecutive positions, each stream in version order, and at the
// position Append reported.
func TestConcurrentOrdering(t *testing.T) {
	t.Parallel()
	dbURL := withPoolSize(t, pgtest.NewDatabase(t), 6)
	stores := []*Store{openTestStore(t, dbURL), openTestStore(t, dbURL)}
	ctx := context.Background()

	const writers, appendsEach = 12, 25
	var mu sync.Mutex
	reported := map[string]int64{} // event id -> position returned by Append
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			s := stores[w%2]
			// Writers 0-7 own a stream each; writers 8-11 share one, so
			// they also race on expected versions.
			stream := fmt.Sprintf("case-%d", w)
			if w >= 8 {
				stream = "case-shared"
			}
			for i := range appendsEach {
				n := 1 + (w+i)%3
				evs := make([]EventData, n)
				for k := range evs {
					evs[k] = ev("E", fmt.Sprintf(`{"w":%d,"i":%d,"k":%d}`, w, i, k))
				}
				for {
					v, err := s.StreamVersion(ctx, stream)
					if err != nil {
						errs <- err
						return
					}
					got, err := s.Append(ctx, stream, v, evs...)
					if errors.Is(err, ErrConflict) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					for _, e := range got {
						reported[e.ID] = e.GlobalPosition
					}
					mu.Unlock()
					break
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[string]int64{}
	lastVersion := map[string]int64{}
	var pos int64
	reader := stores[1]
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		page, err := reader.ReadAll(ctx, pos, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			if e.GlobalPosition != pos+1 {
				t.Fatalf("after position %d the reader got %d: a gap or reordering", pos, e.GlobalPosition)
			}
			if _, dup := seen[e.ID]; dup {
				t.Fatalf("event %s seen twice", e.ID)
			}
			if e.Version != lastVersion[e.Stream]+1 {
				t.Fatalf("stream %s: version %d after %d", e.Stream, e.Version, lastVersion[e.Stream])
			}
			seen[e.ID], lastVersion[e.Stream], pos = e.GlobalPosition, e.Version, e.GlobalPosition
		}
		if finished && len(page) == 0 {
			break
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != len(reported) {
		t.Fatalf("reader saw %d events, writers appended %d", len(seen), len(reported))
	}
	for id, p := range reported {
		if seen[id] != p {
			t.Fatalf("event %s: Append reported position %d, the log has it at %d", id, p, seen[id])
		}
	}
	if head, _ := reader.HeadPosition(ctx); head != int64(len(seen)) {
		t.Errorf("head %d, events %d", head, len(seen))
	}
	for stream := range lastVersion {
		if rep, err := reader.Verify(ctx, stream); err != nil || !rep.OK {
			t.Errorf("Verify(%s) = %+v, %v", stream, rep, err)
		}
	}
}

func TestTamperDetection(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	var evs []EventData
	for i := range 5 {
		evs = append(evs, ev("E", fmt.Sprintf(`{"i":%d}`, i)))
	}
	mustAppend(t, s, "case-t", 0, evs...)
	mustAppend(t, s, "case-u", 0, ev("E", `{}`))
	mustAppend(t, s, "case-u", 1, ev("E", `{}`), ev("E", `{}`), ev("E", `{}`))
	mustAppend(t, s, "case-v", 0, ev("E", `{}`), ev("E", `{}`))

	// The guard: no UPDATE, DELETE or TRUNCATE, even for the owner.
	for _, q := range []string{
		`UPDATE events SET type = 'X' WHERE stream = 'case-t'`,
		`DELETE FROM events WHERE stream = 'case-t'`,
		`TRUNCATE events`,
	} {
		if _, err := s.Pool().Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error %v, want the append-only guard", q, err)
		}
	}

	tamper := func(q string) {
		t.Helper()
		_, err := s.Pool().Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only; `+q+`; ALTER TABLE events ENABLE TRIGGER events_append_only`)
		if err != nil {
			t.Fatalf("tamper %s: %v", q, err)
		}
	}
	tamper(`UPDATE events SET data = '{"i": 99}' WHERE stream = 'case-t' AND version = 3`)
	tamper(`UPDATE events SET metadata = '{"actor":"someone else"}' WHERE stream = 'case-u' AND version = 2`)
	for stream, want := range map[string]int64{"case-t": 3, "case-u": 2} {
		rep, err := s.Verify(ctx, stream)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || rep.FirstBadVersion != want || rep.HeadHash != "" || rep.EventsChecked != int(want) {
			t.Errorf("Verify(%s) = %+v, want first bad version %d", stream, rep, want)
		}
	}
	tamper(`DELETE FROM events WHERE stream = 'case-v' AND version = 1`)
	if rep, _ := s.Verify(ctx, "case-v"); rep.OK || rep.FirstBadVersion != 1 {
		t.Errorf("Verify after deleting version 1 = %+v", rep)
	}
	tamper(`UPDATE events SET recorded_at = recorded_at + interval '1 second' WHERE stream = 'case-t' AND version = 1`)
	if rep, _ := s.Verify(ctx, "case-t"); rep.OK || rep.FirstBadVersion != 1 {
		t.Errorf("Verify after moving recorded_at = %+v", rep)
	}
}

func TestAppRole(t *testing.T) {
	t.Parallel()
	admin := newTestStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		table, priv string
		want        bool
	}{
		{"events", "SELECT", true}, {"events", "INSERT", true}, {"events", "UPDATE", false},
		{"events", "DELETE", false}, {"events", "TRUNCATE", false},
		{"subscription_checkpoints", "UPDATE", true}, {"subscription_checkpoints", "DELETE", false},
		{"blobs", "INSERT", true}, {"blobs", "UPDATE", false}, {"blobs", "DELETE", false},
	} {
		var got bool
		if err := admin.Pool().QueryRow(ctx, `SELECT has_table_privilege('casetrail_app', $1, $2)`, c.table, c.priv).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("casetrail_app %s on %s = %v, want %v", c.priv, c.table, got, c.want)
		}
	}

	// Everything the application does works as casetrail_app.
	cfg := admin.Pool().Config()
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE casetrail_app")
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	app := New(pool)
	got := mustAppend(t, app, "case-r", 0, ev("CaseReported", `{}`))
	mustAppend(t, app, "case-r", 1, ev("CaseTriaged", `{}`))
	if got[0].GlobalPosition != 1 {
		t.Errorf("position %d", got[0].GlobalPosition)
	}
	if _, err := app.ReadStream(ctx, "case-r", 0, 0); err != nil {
		t.Error(err)
	}
	if rep, err := app.Verify(ctx, "case-r"); err != nil || !rep.OK {
		t.Errorf("Verify as app = %+v, %v", rep, err)
	}
	sum, err := app.PutBlob(ctx, "text/plain", []byte("evidence"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.GetBlob(ctx, sum); err != nil {
		t.Error(err)
	}
	sctx, stop := context.WithCancel(ctx)
	subErr := make(chan error, 1)
	go func() {
		subErr <- app.Subscribe(sctx, "app-proj", 10, func(context.Context, pgx.Tx, []RecordedEvent) error { return nil })
	}()
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := app.WaitForPosition(wctx, "app-proj", 2); err != nil {
		t.Errorf("checkpoint as app: %v", err)
	}
	stop()
	if err := <-subErr; err != nil {
		t.Fatal(err)
	}
	if err := app.ResetCheckpoint(ctx, "app-proj"); err != nil {
		t.Error(err)
	}
	var pgErr *pgconn.PgError
	if _, err := pool.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only`); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("app disabling the guard: %v, want insufficient_privilege", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE events SET type = 'X'`); err == nil {
		t.Error("app could update events")
	}
}

func TestOpenCreatesDatabase(t *testing.T) {
	t.Parallel()
	admin, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	name := "ct_open_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	admin.Path = "/" + name
	dbURL := withPoolSize(t, admin.String(), 2)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), pgtest.AdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	// Several starters at once: one creates the database, all migrate.
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, 4)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dbURL) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	mustAppend(t, stores[0], "case-o", 0, ev("E", `{}`))
	if v, _ := stores[3].StreamVersion(context.Background(), "case-o"); v != 1 {
		t.Errorf("version %d", v)
	}
	if err := Migrate(context.Background(), stores[1].Pool()); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := stores[0].Pool().QueryRow(context.Background(), `SELECT version FROM `+versionTable).Scan(&applied); err != nil || applied != len(files) || applied < 3 {
		t.Errorf("schema version = %d, %v; want %d (the migrations)", applied, err, len(files))
	}
	if _, err := Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("Open on a closed port succeeded")
	}
}

// TestConnectionLoss kills the store's server connections while writers
// append. A caller gets an error or success; what succeeded is there after,
// at the position reported; retrying the failures with the same ids
// completes them without duplicates, and the log stays gap-free.
func TestConnectionLoss(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := context.Background()
	killer, err := pgx.ConnectConfig(ctx, s.Pool().Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)

	var mu sync.Mutex
	succeeded := map[string]int64{}
	interrupted := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			stream := fmt.Sprintf("case-%d", w)
			var version int64
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				evs := []EventData{ev("E", fmt.Sprintf(`{"i":%d}`, i)), ev("F", `{}`)}
				// After an error the append may or may not have committed:
				// retry it with the same ids, as a retrying activity would.
				for attempt := 0; ; attempt++ {
					got, err := s.Append(ctx, stream, version, evs...)
					if err == nil {
						mu.Lock()
						for _, e := range got {
							succeeded[e.ID] = e.GlobalPosition
						}
						mu.Unlock()
						version = got[len(got)-1].Version
						break
					}
					if errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) || attempt == 50 {
						t.Errorf("append to %s at %d, attempt %d: %v", stream, version, attempt, err)
						return
					}
					mu.Lock()
					interrupted++
					mu.Unlock()
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	for range 15 {
		time.Sleep(30 * time.Millisecond)
		if _, err := killer.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if len(succeeded) == 0 || interrupted == 0 {
		t.Fatalf("%d events appended, %d appends interrupted: the test did not exercise failures", len(succeeded), interrupted)
	}
	s.Pool().Reset() // drop idle connections the killer terminated
	all, err := s.ReadAll(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(succeeded) {
		t.Errorf("log has %d events, %d appended", len(all), len(succeeded))
	}
	for i, e := range all {
		if e.GlobalPosition != int64(i+1) {
			t.Fatalf("position %d at index %d", e.GlobalPosition, i)
		}
		if p, ok := succeeded[e.ID]; !ok || p != e.GlobalPosition {
			t.Errorf("event %s at %d, reported %d (%v)", e.ID, e.GlobalPosition, p, ok)
		}
	}
	for w := range 4 {
		if rep, err := s.Verify(ctx, fmt.Sprintf("case-%d", w)); err != nil || !rep.OK {
			t.Errorf("Verify = %+v, %v", rep, err)
		}
	}
	t.Logf("%d events appended, %d appends interrupted", len(succeeded), interrupted)
}
