package eventstore

import (
	"context"
	"fmt"
	"time"
)

// streamsPerQuery is how many streams ReadStreamsBefore asks for at once.
const streamsPerQuery = 500

// ReadStreamsBefore calls fn once for each of streams that has events
// that occurred before before, with those events in version order (streams
// in name order, a query per streamsPerQuery of them). Events of one
// stream never go back in time, so they are a prefix of it: the stream as
// it stood at before. The data is the stored JSON value (as decoders read
// it), not the canonical form that was hashed; readers that fold events
// (the periodic report) want nothing else. An error of fn stops the read.
func (s *Store) ReadStreamsBefore(ctx context.Context, streams []string, before time.Time, fn func(stream string, events []RecordedEvent) error) error {
	op := fmt.Sprintf("read %d streams before %s", len(streams), before.UTC().Format(time.RFC3339))
	if err := s.check(ctx, op); err != nil {
		return err
	}
	for lo := 0; lo < len(streams); lo += streamsPerQuery {
		chunk := streams[lo:min(lo+streamsPerQuery, len(streams))]
		rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events e
WHERE e.stream = ANY($1::text[]) AND e.occurred_at < $2 ORDER BY e.stream, e.version`, chunk, before)
		if err != nil {
			return classify(op, err)
		}
		evs, err := collectEvents(rows, storedData, len(chunk)*16)
		if err != nil {
			return classify(op, err)
		}
		for i := 0; i < len(evs); {
			j := i + 1
			for j < len(evs) && evs[j].Stream == evs[i].Stream {
				j++
			}
			if err := fn(evs[i].Stream, evs[i:j]); err != nil {
				return err
			}
			i = j
		}
	}
	return nil
}
