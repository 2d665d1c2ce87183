package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Limits on appended events; exceeding one is ErrInvalid.
const (
	// MaxDataBytes is the largest event data, before and after canonicalization.
	MaxDataBytes = 1 << 20
	// MaxBatch is the largest number of events in one Append.
	MaxBatch = 1000
	// MaxNameBytes bounds stream ids, event types and consumer names.
	MaxNameBytes = 256
	// MaxMetadataBytes bounds each metadata field.
	MaxMetadataBytes = 64 << 10
)

// Metadata travels with each event and is covered by its hash.
type Metadata struct {
	Actor         string `json:"actor"`
	CorrelationID string `json:"correlationId,omitempty"`
	CausationID   string `json:"causationId,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

// EventData is an event to append.
type EventData struct {
	// ID is a UUID in any form uuid.Parse accepts; it is stored and
	// returned in lower-case hyphenated form. Callers that may retry must
	// supply deterministic ids: the id is what makes a retry idempotent. An
	// empty ID gets a fresh random UUID.
	ID string
	// Type names the event, e.g. "CaseReported".
	Type string
	// SchemaVersion is the version of the data's shape, >= 1 (0 means 1).
	SchemaVersion int
	// Data is a JSON object of at most MaxDataBytes; nil means {}.
	Data json.RawMessage
	// Metadata is stored with the event.
	Metadata Metadata
	// OccurredAt is when it happened in the domain (workflow time); zero
	// means now. It is stored in UTC at microsecond precision.
	OccurredAt time.Time
}

// RecordedEvent is an event as stored.
type RecordedEvent struct {
	ID            string
	Stream        string
	Version       int64 // 1-based, gap-free per stream
	Type          string
	SchemaVersion int
	// Data is the canonical JSON of the event data: the bytes that were
	// hashed (see canonical.go), not necessarily the bytes submitted.
	Data       json.RawMessage
	Metadata   Metadata
	OccurredAt time.Time // UTC, microsecond precision
	RecordedAt time.Time // UTC, microsecond precision, the appending process's clock
	// GlobalPosition is the event's place in the global log: gap-free,
	// commit-ordered, starting at 1.
	GlobalPosition int64
	PrevHash       string // lower-case hex; 64 zeros for version 1
	Hash           string // lower-case hex SHA-256(prevHash bytes || canonical encoding)
}

// Append appends events atomically to stream when the stream is at
// expectedVersion (0 = the stream must not exist yet) and returns them as
// stored, with versions expectedVersion+1, ... and their global positions.
//
// A wrong expectedVersion fails with a *ConflictError carrying the actual
// version. Append is idempotent by event id: if the first event's id is
// already stored in this stream, Append writes nothing and returns the
// stored events with the given ids, as originally written; if only some of
// the ids are stored, or the first one belongs to another stream, it fails
// with ErrInvalid. Bad input fails with ErrInvalid before anything is
// written.
//
// Append returns after the events are committed (and flushed). Concurrent
// appends of this Store are committed in groups (see committer). If Append
// fails after handing the events over (ctx ended, the connection was lost),
// they may or may not have been written: a retry with the same ids tells.
func (s *Store) Append(ctx context.Context, stream string, expectedVersion int64, events ...EventData) ([]RecordedEvent, error) {
	if err := s.check(ctx, "append"); err != nil {
		return nil, err
	}
	op := fmt.Sprintf("append to %q", stream)
	defer s.enter()()
	recs, err := prepare(stream, expectedVersion, events, time.Now())
	if err != nil {
		return nil, fmt.Errorf("eventstore: %s: %w", op, err)
	}
	prev, ok := s.heads.get(stream, expectedVersion)
	if !ok {
		if expectedVersion == 0 {
			prev = zeroHash
		} else {
			err := s.pool.QueryRow(ctx, `SELECT hash FROM events WHERE stream = $1 AND version = $2`, stream, expectedVersion).Scan(&prev)
			if errors.Is(err, pgx.ErrNoRows) {
				return s.resolveRejected(ctx, stream, expectedVersion, recs)
			}
			if err != nil {
				return nil, classify(op, err)
			}
		}
	}
	req := &appendReq{recs: recs, metas: make([]string, len(recs)), done: make(chan appendOutcome, 1)}
	for i := range recs {
		recs[i].PrevHash = prev
		if recs[i].Hash, err = eventHash(prev, &recs[i]); err != nil {
			return nil, fmt.Errorf("eventstore: %s: %w", op, err)
		}
		prev = recs[i].Hash
		meta, err := json.Marshal(recs[i].Metadata)
		if err != nil {
			return nil, fmt.Errorf("eventstore: %s: encode metadata: %w", op, err)
		}
		req.metas[i] = string(meta)
		req.bytes += len(recs[i].Data) + len(meta)
	}
	out, err := s.commit(ctx, req)
	if err == nil {
		err = out.err
	}
	if err != nil {
		return nil, classify(op+" (outcome unknown: retry with the same ids)", err)
	}
	switch {
	case out.code == "23505": // unique_violation: the id or (stream, version) exists
		return s.resolveRejected(ctx, stream, expectedVersion, recs)
	case strings.HasPrefix(out.code, "22") || out.code == "23514" || out.code == "23502":
		return nil, fmt.Errorf("eventstore: %s: %w", op, invalid("rejected by the database (SQLSTATE %s): %s", out.code, out.message))
	case out.code != "":
		return nil, fmt.Errorf("eventstore: %s: SQLSTATE %s: %s", op, out.code, out.message)
	}
	for i := range recs {
		recs[i].GlobalPosition = out.first + int64(i)
	}
	last := recs[len(recs)-1]
	s.heads.put(stream, last.Version, last.Hash)
	return recs, nil
}

// resolveRejected explains an append that could not be written as asked:
// an idempotent retry (returns the stored events), a partial duplicate or an
// id of another stream (ErrInvalid), or a version conflict.
func (s *Store) resolveRejected(ctx context.Context, stream string, expected int64, recs []RecordedEvent) ([]RecordedEvent, error) {
	op := fmt.Sprintf("append to %q", stream)
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = ANY($1::uuid[])`, ids)
	if err != nil {
		return nil, classify(op, err)
	}
	stored, err := collectEvents(rows, canonicalData, len(ids))
	if err != nil {
		return nil, classify(op, err)
	}
	byID := make(map[string]RecordedEvent, len(stored))
	for _, e := range stored {
		byID[e.ID] = e
	}
	first, ok := byID[recs[0].ID]
	switch {
	case ok && first.Stream != stream:
		return nil, fmt.Errorf("eventstore: %s: %w", op, invalid("event id %s is already stored in stream %q", first.ID, first.Stream))
	case ok:
		out := make([]RecordedEvent, len(recs))
		for i, r := range recs {
			e, found := byID[r.ID]
			if !found || e.Stream != stream {
				return nil, fmt.Errorf("eventstore: %s: %w", op, invalid("partially duplicated batch: event %s is stored but %s is not", recs[0].ID, r.ID))
			}
			out[i] = e
		}
		return out, nil
	case len(stored) > 0:
		return nil, fmt.Errorf("eventstore: %s: %w", op, invalid("partially duplicated batch: event %s is already stored", stored[0].ID))
	}
	actual, err := s.StreamVersion(ctx, stream)
	if err != nil {
		return nil, err
	}
	return nil, &ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// prepare validates events and turns them into records with versions,
// canonical data and normalized times (hashes are filled in by Append).
func prepare(stream string, expectedVersion int64, events []EventData, now time.Time) ([]RecordedEvent, error) {
	if err := checkName("stream", stream); err != nil {
		return nil, err
	}
	if expectedVersion < 0 {
		return nil, invalid("negative expected version %d", expectedVersion)
	}
	if len(events) == 0 {
		return nil, invalid("no events")
	}
	if len(events) > MaxBatch {
		return nil, invalid("%d events in one append, at most %d", len(events), MaxBatch)
	}
	recordedAt := now.UTC().Truncate(time.Microsecond)
	seen := make(map[string]bool, len(events))
	recs := make([]RecordedEvent, len(events))
	for i, ev := range events {
		r, err := prepareOne(ev, recordedAt)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		if seen[r.ID] {
			return nil, invalid("event %d: id %s appears twice in the batch", i, r.ID)
		}
		seen[r.ID] = true
		r.Stream = stream
		r.Version = expectedVersion + int64(i) + 1
		recs[i] = r
	}
	return recs, nil
}

func prepareOne(ev EventData, recordedAt time.Time) (RecordedEvent, error) {
	r := RecordedEvent{Type: ev.Type, SchemaVersion: ev.SchemaVersion, Metadata: ev.Metadata, RecordedAt: recordedAt}
	if ev.ID == "" {
		id, err := uuid.NewRandom()
		if err != nil {
			return r, fmt.Errorf("generate id: %w", err)
		}
		r.ID = id.String()
	} else {
		id, err := uuid.Parse(ev.ID)
		if err != nil {
			return r, invalid("id %q is not a UUID", ev.ID)
		}
		r.ID = id.String()
	}
	if err := checkName("type", ev.Type); err != nil {
		return r, err
	}
	switch {
	case r.SchemaVersion == 0:
		r.SchemaVersion = 1
	case r.SchemaVersion < 0 || r.SchemaVersion > 1<<30:
		return r, invalid("schema version %d out of range", r.SchemaVersion)
	}
	for _, f := range []struct{ name, v string }{
		{"actor", ev.Metadata.Actor}, {"correlationId", ev.Metadata.CorrelationID},
		{"causationId", ev.Metadata.CausationID}, {"reason", ev.Metadata.Reason},
	} {
		if err := checkText(f.name, f.v, MaxMetadataBytes); err != nil {
			return r, err
		}
	}
	data := []byte(ev.Data)
	if len(data) == 0 {
		data = []byte("{}")
	}
	if len(data) > MaxDataBytes {
		return r, invalid("data is %d bytes, at most %d", len(data), MaxDataBytes)
	}
	canon, err := canonicalJSON(data)
	if err != nil {
		return r, invalid("data: %v", err)
	}
	if canon[0] != '{' {
		return r, invalid("data must be a JSON object")
	}
	if len(canon) > MaxDataBytes {
		return r, invalid("canonical data is %d bytes, at most %d", len(canon), MaxDataBytes)
	}
	r.Data = canon
	occ := ev.OccurredAt
	if occ.IsZero() {
		occ = recordedAt
	}
	r.OccurredAt = occ.UTC().Truncate(time.Microsecond)
	if y := r.OccurredAt.Year(); y < 1 || y > 9999 {
		return r, invalid("occurredAt %s out of range", r.OccurredAt)
	}
	return r, nil
}

// checkName validates a required identifier-like string.
func checkName(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalid("empty %s", what)
	}
	return checkText(what, v, MaxNameBytes)
}

// checkText validates text stored in PostgreSQL text/jsonb: valid UTF-8, no
// NUL, bounded length.
func checkText(what, v string, maxBytes int) error {
	if len(v) > maxBytes {
		return invalid("%s is %d bytes, at most %d", what, len(v), maxBytes)
	}
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", what)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return invalid("%s contains a NUL character", what)
	}
	return nil
}

// head is a fact about a stream: event version has this hash. Hashes never
// change, so a cached head is never wrong, only possibly no longer the last.
type head struct {
	version int64
	hash    string
}

// headCache remembers the last event this process appended per stream, so
// an append to a stream this process writes needs no extra read.
type headCache struct {
	mu sync.Mutex
	m  map[string]head
}

const headCacheSize = 4096

func (c *headCache) get(stream string, version int64) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[stream]
	if !ok || h.version != version {
		return "", false
	}
	return h.hash, true
}

func (c *headCache) put(stream string, version int64, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.m[stream]; ok && h.version >= version {
		return
	}
	if len(c.m) >= headCacheSize {
		clear(c.m)
	}
	c.m[stream] = head{version: version, hash: hash}
}
