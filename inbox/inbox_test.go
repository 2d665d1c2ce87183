package inbox

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

func testStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	for range 2 { // the migrations are idempotent
		if err := EnsureSchema(ctx, pool); err != nil {
			t.Fatal(err)
		}
	}
	return New(pool), pool
}

// TestAddOncePerKeyAndSubject: a notification is stored once per
// recipient, whatever the retries and repeated recipients; the unread
// count and the list are each person's own.
func TestAddOncePerKeyAndSubject(t *testing.T) {
	ctx := context.Background()
	s, _ := testStore(t)
	e := Entry{Key: "case-1/DeadlineMissed/TRIAGE", Event: "DeadlineMissed", CaseID: "case-1", Number: "VV-2026-000001",
		Title: "Trang giả mạo", Headline: "Quá hạn phân loại: VV-2026-000001", Text: "Vụ việc đã quá hạn.",
		Link: "https://casetrail.example/cases/case-1", At: time.Now().Add(-time.Minute)}
	n, err := s.Add(ctx, e, []string{"handler1", "leader1", "handler1", ""})
	if err != nil || n != 2 {
		t.Fatalf("Add = %d, %v; want 2 rows", n, err)
	}
	// The retried Send of the same message.
	if n, err := s.Add(ctx, e, []string{"leader1", "handler1"}); err != nil || n != 0 {
		t.Fatalf("Add again = %d, %v; want 0 rows", n, err)
	}
	if _, err := s.Add(ctx, Entry{Event: "X"}, []string{"handler1"}); err == nil {
		t.Error("a notification without a key was stored")
	}
	for _, sub := range []string{"handler1", "leader1"} {
		if u, err := s.Unread(ctx, sub, 100); err != nil || u != 1 {
			t.Errorf("Unread(%s) = %d, %v; want 1", sub, u, err)
		}
	}
	if u, err := s.Unread(ctx, "reporter1", 100); err != nil || u != 0 {
		t.Errorf("Unread(reporter1) = %d, %v", u, err)
	}
	list, total, err := s.List(ctx, "handler1", 1)
	if err != nil || total != 1 || len(list) != 1 {
		t.Fatalf("List = %v, %d, %v", list, total, err)
	}
	got := list[0]
	if got.Subject != "handler1" || got.Key != e.Key || got.Number != e.Number || got.Headline != e.Headline || got.Text != e.Text ||
		got.Link != e.Link || got.CaseID != "case-1" || got.Read() || !got.At.Equal(e.At.Truncate(time.Microsecond)) {
		t.Errorf("stored %+v", got)
	}
}

// TestOpenIsOwnOnly: opening marks read, once; another person's
// notification is not found and stays unread; MarkAllRead reads only the
// caller's.
func TestOpenIsOwnOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := testStore(t)
	for i := range 3 {
		if _, err := s.Add(ctx, Entry{Key: fmt.Sprint("k", i), Event: "DeadlineReminder", Headline: fmt.Sprint("Nhắc hạn ", i)},
			[]string{"handler1", "leader1"}); err != nil {
			t.Fatal(err)
		}
	}
	mine, _, err := s.List(ctx, "handler1", 1)
	if err != nil || len(mine) != 3 {
		t.Fatal(mine, err)
	}
	theirs, _, err := s.List(ctx, "leader1", 1)
	if err != nil || len(theirs) != 3 {
		t.Fatal(theirs, err)
	}
	if _, err := s.Open(ctx, "handler1", theirs[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("handler1 opened leader1's notification: %v", err)
	}
	if u, _ := s.Unread(ctx, "leader1", 0); u != 3 {
		t.Errorf("leader1 has %d unread after handler1's attempt, want 3", u)
	}
	n, err := s.Open(ctx, "handler1", mine[0].ID)
	if err != nil || !n.Read() || n.ID != mine[0].ID {
		t.Fatalf("Open = %+v, %v", n, err)
	}
	again, err := s.Open(ctx, "handler1", mine[0].ID)
	if err != nil || !again.ReadAt.Equal(n.ReadAt) {
		t.Errorf("opened again: read at %v, first %v (%v)", again.ReadAt, n.ReadAt, err)
	}
	if u, _ := s.Unread(ctx, "handler1", 0); u != 2 {
		t.Errorf("handler1 unread %d, want 2", u)
	}
	if n, err := s.MarkAllRead(ctx, "handler1"); err != nil || n != 2 {
		t.Errorf("MarkAllRead = %d, %v; want 2", n, err)
	}
	if u, _ := s.Unread(ctx, "handler1", 0); u != 0 {
		t.Errorf("handler1 unread %d after MarkAllRead", u)
	}
	if u, _ := s.Unread(ctx, "leader1", 0); u != 3 {
		t.Errorf("leader1 unread %d after handler1's MarkAllRead, want 3", u)
	}
}

// TestListPagesNewestFirst: 120 notifications come 50, 50, 20, newest
// first; the unread count stops at its limit.
func TestListPagesNewestFirst(t *testing.T) {
	ctx := context.Background()
	s, _ := testStore(t)
	base := time.Now().Add(-10 * time.Hour)
	for i := range 120 {
		if _, err := s.Add(ctx, Entry{Key: fmt.Sprint("k", i), Event: "DeadlineReminder", Headline: fmt.Sprint("n", i),
			At: base.Add(time.Duration(i) * time.Minute)}, []string{"handler1"}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	for page, want := range map[int]int{1: 50, 2: 50, 3: 20, 4: 0} {
		list, total, err := s.List(ctx, "handler1", page)
		if err != nil || total != 120 || len(list) != want {
			t.Fatalf("page %d: %d rows of %d (%v), want %d", page, len(list), total, err, want)
		}
		if len(list) > 0 {
			first := 119 - (page-1)*50
			if list[0].Headline != fmt.Sprint("n", first) {
				t.Errorf("page %d starts with %s, want n%d", page, list[0].Headline, first)
			}
			for i := 1; i < len(list); i++ {
				if list[i].At.After(list[i-1].At) {
					t.Errorf("page %d not newest first at %d", page, i)
				}
			}
		}
		for _, n := range list {
			seen = append(seen, n.Key)
		}
	}
	if len(seen) != 120 {
		t.Errorf("pages hold %d notifications, want 120", len(seen))
	}
	if u, _ := s.Unread(ctx, "handler1", 100); u != 100 {
		t.Errorf("Unread limited to 100 = %d", u)
	}
	if u, _ := s.Unread(ctx, "handler1", 0); u != 120 {
		t.Errorf("Unread = %d, want 120", u)
	}
}

// TestRetention: Add deletes notifications older than 90 days, at most
// once an hour; Purge does it at once.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	s, pool := testStore(t)
	now := time.Now()
	s.now = func() time.Time { return now }
	old := now.Add(-Retention - time.Hour)
	if _, err := s.Add(ctx, Entry{Key: "old", Event: "DeadlineReminder", At: old}, []string{"handler1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, Entry{Key: "recent", Event: "DeadlineReminder", At: now.Add(-Retention + time.Hour)}, []string{"handler1"}); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM notifications`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The first Add purged before storing the old one; the second is
	// within the hour.
	if n := count(); n != 2 {
		t.Fatalf("%d rows, want 2 (no purge within the hour)", n)
	}
	now = now.Add(purgeEvery)
	if _, err := s.Add(ctx, Entry{Key: "new", Event: "DeadlineReminder"}, []string{"handler1"}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, _ := pool.Query(ctx, `SELECT key FROM notifications ORDER BY key`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		keys = append(keys, k)
	}
	if fmt.Sprint(keys) != "[new recent]" {
		t.Errorf("after an hour Add left %v, want [new recent]", keys)
	}
	now = now.Add(2 * time.Hour)
	if n, err := s.Purge(ctx); err != nil || n != 1 {
		t.Errorf("Purge = %d, %v; want the recent one, now 90 days old", n, err)
	}
}
