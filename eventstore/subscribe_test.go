package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// projection is a test read model: one row per handled event, keyed by
// global position, so applying an event twice fails the handler.
type projection struct {
	s      *Store
	failAt int64 // the handler fails on the batch holding this position (0: never)
}

func newProjection(t *testing.T, s *Store) *projection {
	t.Helper()
	if _, err := s.Pool().Exec(context.Background(), `CREATE TABLE IF NOT EXISTS proj_seen (position bigint PRIMARY KEY, id uuid NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return &projection{s: s}
}

func (p *projection) handle(ctx context.Context, tx pgx.Tx, evs []RecordedEvent) error {
	for i, e := range evs {
		if i > 0 && e.GlobalPosition != evs[i-1].GlobalPosition+1 {
			return fmt.Errorf("batch not contiguous at %d", e.GlobalPosition)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO proj_seen (position, id) VALUES ($1, $2)`, e.GlobalPosition, e.ID); err != nil {
			return err
		}
		if e.GlobalPosition == p.failAt {
			return fmt.Errorf("projection refuses position %d", e.GlobalPosition)
		}
	}
	return nil
}

func (p *projection) positions(t *testing.T) []int64 {
	t.Helper()
	rows, err := p.s.Pool().Query(context.Background(), `SELECT position FROM proj_seen ORDER BY position`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// run starts a subscription and returns a function that stops it and
// returns Subscribe's result.
func run(s *Store, consumer string, batch int, h Handler) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Subscribe(ctx, consumer, batch, h) }()
	return func() error {
		cancel()
		return <-done
	}
}

func waitFor(t *testing.T, s *Store, consumer string, pos int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitForPosition(ctx, consumer, pos); err != nil {
		t.Fatal(err)
	}
}

func appendN(t *testing.T, s *Store, stream string, n int) {
	t.Helper()
	v, err := s.StreamVersion(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		mustAppend(t, s, stream, v+int64(i), ev("E", fmt.Sprintf(`{"i":%d}`, i)))
	}
}

func wantPositions(t *testing.T, got []int64, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("projection holds %d events, want %d: %v", len(got), n, got)
	}
	for i, p := range got {
		if p != int64(i+1) {
			t.Fatalf("projection positions %v, want 1..%d", got, n)
		}
	}
}

func TestSubscribeCheckpointResume(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	// No polling: after the initial catch-up, only NOTIFY can wake the
	// subscription, so this test fails if notifications are lost.
	s.poll = time.Hour
	p := newProjection(t, s)
	appendN(t, s, "case-1", 5)

	stop := run(s, "proj", 2, p.handle)
	waitFor(t, s, "proj", 5)
	appendN(t, s, "case-2", 2) // delivered while running, woken by NOTIFY
	waitFor(t, s, "proj", 7)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, p.positions(t), 7)

	// Appends while nobody listens are picked up on resume: no loss, no double.
	appendN(t, s, "case-1", 4)
	stop = run(s, "proj", 3, p.handle)
	waitFor(t, s, "proj", 11)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, p.positions(t), 11)
	if cp, err := s.Checkpoint(context.Background(), "proj"); cp != 11 || err != nil {
		t.Errorf("checkpoint = %d, %v", cp, err)
	}

	// A failing batch is rolled back together with its checkpoint, and
	// Subscribe reports the handler's error.
	appendN(t, s, "case-3", 3)
	p.failAt = 13
	err := s.Subscribe(context.Background(), "proj", 10, p.handle)
	if err == nil || !errors.Is(err, errFromHandler(err)) {
		t.Fatalf("Subscribe with a failing handler = %v", err)
	}
	if cp, _ := s.Checkpoint(context.Background(), "proj"); cp != 11 {
		t.Errorf("checkpoint after a failed batch = %d, want 11", cp)
	}
	wantPositions(t, p.positions(t), 11)
	p.failAt = 0
	stop = run(s, "proj", 10, p.handle)
	waitFor(t, s, "proj", 14)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, p.positions(t), 14)

	// Reset: a rebuild starts from the beginning.
	if err := s.ResetCheckpoint(context.Background(), "proj"); err != nil {
		t.Fatal(err)
	}
	if cp, _ := s.Checkpoint(context.Background(), "proj"); cp != 0 {
		t.Errorf("checkpoint after reset = %d", cp)
	}
	var mu sync.Mutex
	var replayed []int64
	stop = run(s, "proj", 5, func(_ context.Context, _ pgx.Tx, evs []RecordedEvent) error {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			replayed = append(replayed, e.GlobalPosition)
		}
		return nil
	})
	waitFor(t, s, "proj", 14)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	wantPositions(t, replayed, 14)
}

// errFromHandler returns the error Subscribe wrapped, for errors.Is.
func errFromHandler(err error) error {
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	return err
}

// TestSubscribeSameConsumerTwice runs two subscriptions of one consumer (in
// two stores, as in two processes) during appends: every event must be
// applied exactly once (the projection's primary key fails a double).
func TestSubscribeSameConsumerTwice(t *testing.T) {
	t.Parallel()
	a := newTestStore(t)
	b := New(a.Pool())
	p := newProjection(t, a)
	stopA := run(a, "twice", 3, p.handle)
	stopB := run(b, "twice", 4, p.handle)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() { appendN(t, a, fmt.Sprintf("case-%d", w), 10) })
	}
	wg.Wait()
	waitFor(t, a, "twice", 30)
	if err := stopA(); err != nil {
		t.Error(err)
	}
	if err := stopB(); err != nil {
		t.Error(err)
	}
	wantPositions(t, p.positions(t), 30)
}

func TestWaitForPositionTimesOut(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	mustAppend(t, s, "case-w", 0, ev("E", `{}`))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitForPosition(ctx, "nobody", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitForPosition without a subscriber = %v, want DeadlineExceeded", err)
	}
	if err := s.WaitForPosition(context.Background(), "nobody", 0); err != nil {
		t.Errorf("WaitForPosition(0) = %v", err)
	}
	if err := s.Subscribe(context.Background(), "", 1, func(context.Context, pgx.Tx, []RecordedEvent) error { return nil }); !errors.Is(err, ErrInvalid) {
		t.Errorf("Subscribe with an empty consumer = %v", err)
	}
	if err := s.Subscribe(context.Background(), "x", 1, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Subscribe with a nil handler = %v", err)
	}
}

// Without options a handler gets the canonical data the hash covers; with
// StoredData it gets jsonb's text of the same value. Both carry the
// metadata, and a read-ahead page (batch 2 over 5 events) changes neither.
func TestSubscribeDataForms(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	for i := range 5 {
		mustAppend(t, s, "case-forms", int64(i), ev("E", fmt.Sprintf(`{"zeta": %d, "alpha": "\u00e1", "mid": [true, null]}`, i)))
	}
	for _, c := range []struct {
		consumer string
		opts     []SubscribeOption
		want     func(i int) string
	}{
		{"canonical", nil, func(i int) string { return fmt.Sprintf(`{"alpha":"á","mid":[true,null],"zeta":%d}`, i) }},
		{"stored", []SubscribeOption{StoredData()}, func(i int) string { return fmt.Sprintf(`{"mid": [true, null], "zeta": %d, "alpha": "á"}`, i) }},
	} {
		var mu sync.Mutex
		var got []RecordedEvent
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- s.Subscribe(ctx, c.consumer, 2, func(ctx context.Context, tx pgx.Tx, evs []RecordedEvent) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, evs...)
				return nil
			}, c.opts...)
		}()
		waitFor(t, s, c.consumer, 5)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("%s: %d events delivered, want 5", c.consumer, len(got))
		}
		for i, e := range got {
			if string(e.Data) != c.want(i) || e.Metadata.Actor != "handler1" || e.GlobalPosition != int64(i+1) {
				t.Errorf("%s: event %d: data %s, actor %q, position %d", c.consumer, i, e.Data, e.Metadata.Actor, e.GlobalPosition)
			}
		}
	}
}
