package eventstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestReadStreamsBefore: each stream asked for comes once, in name order,
// with its events that occurred before the instant, in version order, across
// the queries of streamsPerQuery streams; a stream without such events and
// one not asked for do not come.
func TestReadStreamsBefore(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC)
	var asked []string
	for i := range streamsPerQuery + 3 {
		stream := fmt.Sprintf("case-%04d", i)
		asked = append(asked, stream)
		var evs []EventData
		for v := range 3 {
			e := ev("CommentAdded", fmt.Sprintf(`{"n":%d}`, v))
			e.OccurredAt = t0.Add(time.Duration(i%3+v-1) * time.Hour) // some before the instant, some after
			evs = append(evs, e)
		}
		mustAppend(t, s, stream, 0, evs...)
	}
	mustAppend(t, s, "case-other", 0, ev("CommentAdded", `{}`))
	cut := t0.Add(time.Hour) // events at t0-1h, t0, t0+1h, t0+2h, t0+3h
	var got []string
	n := 0
	err := s.ReadStreamsBefore(ctx, asked, cut, func(stream string, recs []RecordedEvent) error {
		got = append(got, stream)
		for i, r := range recs {
			if r.Stream != stream || r.Version != int64(i+1) || !r.OccurredAt.Before(cut) {
				t.Errorf("%s: event %d is %s v%d at %s", stream, i, r.Stream, r.Version, r.OccurredAt)
			}
		}
		n += len(recs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Stream i has events at t0+(i%3-1+v) h: before t0+1h, 2 when i%3 == 0,
	// 1 when i%3 == 1, none when i%3 == 2.
	var want []string
	wantN := 0
	for i, stream := range asked {
		if k := 2 - i%3; k > 0 {
			want = append(want, stream)
			wantN += k
		}
	}
	if !slices.Equal(got, want) || n != wantN {
		t.Errorf("streams %d (%v…), events %d; want %d streams, %d events", len(got), got[:min(3, len(got))], n, len(want), wantN)
	}
	stop := fmt.Errorf("stop")
	if err := s.ReadStreamsBefore(ctx, asked, cut, func(string, []RecordedEvent) error { return stop }); err != stop {
		t.Errorf("an error of fn: %v", err)
	}
}
