package readmodel

// Units as they were (issue 17 §5): the admin stream's unit events folded
// by incident.UnitHistory, for caseAsOf and the periodic report.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"casetrail/eventstore"
	"casetrail/incident"
)

// UnitRecords returns the unit events of recs (UnitDefined, UnitChanged,
// UnitClosed of AdminStream, in the order given), each as the unit it
// records and the time it was recorded; the other events are left out.
func UnitRecords(recs []eventstore.RecordedEvent) ([]incident.UnitRecord, error) {
	var out []incident.UnitRecord
	for _, rec := range recs {
		switch rec.Type {
		case TypeUnitDefined, TypeUnitChanged, TypeUnitClosed:
		default:
			continue
		}
		var u incident.Unit
		if err := json.Unmarshal(rec.Data, &u); err != nil {
			return nil, fmt.Errorf("admin stream v%d (%s): %w", rec.Version, rec.Type, err)
		}
		out = append(out, incident.UnitRecord{At: rec.OccurredAt, Unit: u})
	}
	return out, nil
}

// unitHistories keeps the history of the units of one database, read
// from AdminStream and brought up to date from the version it last read:
// the stream only grows, so each call reads only what was appended since
// (nothing, mostly: one query to learn so). The zero value is ready.
type unitHistories struct {
	mu      sync.Mutex
	version int64
	recs    []incident.UnitRecord
	hist    *incident.UnitHistory
}

// get returns the history of the units recorded on log's AdminStream.
func (c *unitHistories) get(ctx context.Context, log *eventstore.Store) (*incident.UnitHistory, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	recs, err := log.ReadStream(ctx, AdminStream, c.version+1, 0)
	if err != nil && !errors.Is(err, eventstore.ErrNotFound) {
		return nil, fmt.Errorf("unit history: %w", err)
	}
	if c.hist != nil && len(recs) == 0 {
		return c.hist, nil
	}
	more, err := UnitRecords(recs)
	if err != nil {
		return nil, fmt.Errorf("unit history: %w", err)
	}
	if len(recs) > 0 {
		c.version = recs[len(recs)-1].Version
	}
	if c.hist == nil || len(more) > 0 {
		c.recs = append(c.recs, more...)
		c.hist = incident.NewUnitHistory(c.recs)
	}
	return c.hist, nil
}

// UnitHistory returns the units' states over time, folded from the admin
// stream (incident.UnitHistory): UnitAt and TreeAt give a unit, and the
// tree, as they were at a moment. It reads only the events appended since
// its last call.
func (r *Registry) UnitHistory(ctx context.Context) (*incident.UnitHistory, error) {
	return r.history.get(ctx, r.log)
}

// UnitHistory is Registry.UnitHistory, for the reader's own queries (the
// periodic report's names as they were at the period's end).
func (r *Reader) UnitHistory(ctx context.Context) (*incident.UnitHistory, error) {
	return r.history.get(ctx, r.log)
}
