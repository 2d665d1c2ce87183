package eventstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DefaultReadLimit is the page size ReadAll uses when limit <= 0.
const DefaultReadLimit = 1000

// eventColumns selects an event (alias e) in the order scanEvents reads it.
const eventColumns = `e.global_position, e.id::text, e.stream, e.version, e.type, e.schema_version, e.data,
       e.metadata, e.occurred_at, e.recorded_at, e.prev_hash, e.hash`

// querier is what both the pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// dataForm is how a read hands back an event's Data.
type dataForm int

const (
	// canonicalData is the canonical form, the bytes that were hashed.
	canonicalData dataForm = iota
	// storedData is the text PostgreSQL returns for the jsonb value: the
	// same JSON value, in jsonb's key order and spacing. It skips the
	// canonicalization, for readers that only decode.
	storedData
)

// maxScanHint bounds the room scanEvents makes before reading.
const maxScanHint = 20000

// scanEvents reads rows of eventColumns (about hint of them), keeping
// unreadable data as is: bad[i] says why event i's stored data or metadata
// cannot be read back (only tampering does that); bad is nil when all can.
func scanEvents(rows pgx.Rows, form dataForm, hint int) (evs []RecordedEvent, bad map[int]error, err error) {
	defer rows.Close()
	evs = make([]RecordedEvent, 0, min(max(hint, 0), maxScanHint))
	for rows.Next() {
		evs = append(evs, RecordedEvent{})
		e := &evs[len(evs)-1]
		var data, meta []byte
		if err := rows.Scan(&e.GlobalPosition, &e.ID, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion, &data, &meta,
			&e.OccurredAt, &e.RecordedAt, &e.PrevHash, &e.Hash); err != nil {
			return nil, nil, err
		}
		var dataErr error
		if form == storedData {
			e.Data = data
		} else if canon, err := canonicalJSON(data); err != nil {
			e.Data, dataErr = data, err
		} else {
			e.Data = canon
		}
		md, mdErr := decodeMetadata(meta)
		if mdErr != nil {
			dataErr = fmt.Errorf("metadata: %w", mdErr)
		}
		e.Metadata = md
		if dataErr != nil {
			if bad == nil {
				bad = map[int]error{}
			}
			bad[len(evs)-1] = dataErr
		}
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
	}
	return evs, bad, rows.Err()
}

// collectEvents reads rows of eventColumns (about hint of them) and fails
// on unreadable data.
func collectEvents(rows pgx.Rows, form dataForm, hint int) ([]RecordedEvent, error) {
	evs, bad, err := scanEvents(rows, form, hint)
	if err != nil {
		return nil, err
	}
	for i := range evs { // in order, so the first bad event is reported
		if err := bad[i]; err != nil {
			e := &evs[i]
			return nil, fmt.Errorf("event %s (%s v%d): stored data unreadable: %w", e.ID, e.Stream, e.Version, err)
		}
	}
	return evs, nil
}

// ReadStream returns up to limit events of stream (all when limit <= 0) with
// version >= fromVersion, in version order. A stream without events is
// ErrNotFound; reading past the end of an existing stream returns no events.
func (s *Store) ReadStream(ctx context.Context, stream string, fromVersion int64, limit int) ([]RecordedEvent, error) {
	op := fmt.Sprintf("read stream %q", stream)
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	if err := checkName("stream", stream); err != nil {
		return nil, fmt.Errorf("eventstore: %s: %w", op, err)
	}
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events e
WHERE e.stream = $1 AND e.version >= $2 ORDER BY e.version LIMIT $3`, stream, max(fromVersion, 1), lim)
	if err != nil {
		return nil, classify(op, err)
	}
	evs, err := collectEvents(rows, canonicalData, limit)
	if err != nil {
		return nil, classify(op, err)
	}
	if len(evs) == 0 {
		v, err := s.StreamVersion(ctx, stream)
		if err != nil {
			return nil, err
		}
		if v == 0 {
			return nil, fmt.Errorf("eventstore: %s: %w", op, ErrNotFound)
		}
		return []RecordedEvent{}, nil
	}
	return evs, nil
}

// ReadAll returns up to limit events (DefaultReadLimit when limit <= 0) of
// the global log with position > after, in position order. Because the log
// is gap-free and commit-ordered, a reader that continues from the last
// position it received never misses an event and never sees one twice.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]RecordedEvent, error) {
	if err := s.check(ctx, "read all"); err != nil {
		return nil, err
	}
	out, err := readAll(ctx, s.pool, after, limit, canonicalData)
	if err != nil {
		return nil, classify(fmt.Sprintf("read all after %d", after), err)
	}
	return out, nil
}

func readAll(ctx context.Context, q querier, after int64, limit int, form dataForm) ([]RecordedEvent, error) {
	if limit <= 0 {
		limit = DefaultReadLimit
	}
	rows, err := q.Query(ctx, `SELECT `+eventColumns+` FROM events e
WHERE e.global_position > $1 ORDER BY e.global_position LIMIT $2`, max(after, 0), limit)
	if err != nil {
		return nil, err
	}
	return collectEvents(rows, form, limit)
}

// HeadPosition returns the highest global position (0 when the log is empty).
func (s *Store) HeadPosition(ctx context.Context) (int64, error) {
	if err := s.check(ctx, "head position"); err != nil {
		return 0, err
	}
	var pos int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(global_position), 0) FROM events`).Scan(&pos); err != nil {
		return 0, classify("head position", err)
	}
	return pos, nil
}

// StreamVersion returns the stream's current version: 0 when it has no events.
func (s *Store) StreamVersion(ctx context.Context, stream string) (int64, error) {
	op := fmt.Sprintf("stream version %q", stream)
	if err := s.check(ctx, op); err != nil {
		return 0, err
	}
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM events WHERE stream = $1`, stream).Scan(&v); err != nil {
		return 0, classify(op, err)
	}
	return v, nil
}

// Streams returns the ids of all streams in byte order, reading them page
// by page.
func (s *Store) Streams(ctx context.Context) ([]string, error) {
	if err := s.check(ctx, "list streams"); err != nil {
		return nil, err
	}
	var out []string
	last := ""
	for {
		rows, err := s.pool.Query(ctx, `SELECT stream FROM events
WHERE version = 1 AND stream COLLATE "C" > $1 ORDER BY stream COLLATE "C" LIMIT 1000`, last)
		if err != nil {
			return nil, classify("list streams", err)
		}
		page, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, classify("list streams", err)
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		last = page[len(page)-1]
	}
}

// VerifyReport is the result of recomputing one stream's hash chain.
type VerifyReport struct {
	Stream string
	// OK is true when every event's version, prevHash and hash are what
	// the stored data recomputes to.
	OK bool
	// EventsChecked counts the events read, including the first bad one.
	EventsChecked int
	// FirstBadVersion is the first version whose stored hash, prevHash or
	// data does not match the chain, or the first missing version; 0 when OK.
	FirstBadVersion int64
	// HeadHash is the hash of the last event when OK, else empty.
	HeadHash string
}

// Verify recomputes stream's hash chain from the stored rows and reports the
// first event that does not match. A stream without events is ErrNotFound.
func (s *Store) Verify(ctx context.Context, stream string) (VerifyReport, error) {
	op := fmt.Sprintf("verify %q", stream)
	rep := VerifyReport{Stream: stream}
	if err := s.check(ctx, op); err != nil {
		return rep, err
	}
	prev, want := zeroHash, int64(1)
	for {
		rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events e
WHERE e.stream = $1 AND e.version >= $2 ORDER BY e.version LIMIT 1000`, stream, want)
		if err != nil {
			return rep, classify(op, err)
		}
		evs, bad, err := scanEvents(rows, canonicalData, 1000)
		if err != nil {
			return rep, classify(op, err)
		}
		for i := range evs {
			e := &evs[i]
			rep.EventsChecked++
			if e.Version != want {
				rep.FirstBadVersion = want
				return rep, nil
			}
			ok := bad[i] == nil && e.PrevHash == prev
			if ok {
				h, err := eventHash(prev, e)
				ok = err == nil && h == e.Hash
			}
			if !ok {
				rep.FirstBadVersion = e.Version
				return rep, nil
			}
			prev, want = e.Hash, want+1
		}
		if len(evs) < 1000 {
			break
		}
	}
	if rep.EventsChecked == 0 {
		return rep, fmt.Errorf("eventstore: %s: %w", op, ErrNotFound)
	}
	rep.OK, rep.HeadHash = true, prev
	return rep, nil
}
