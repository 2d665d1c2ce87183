package incident

import (
	"encoding/json"
	"strings"
	"time"
)

// caseStreamPrefix starts the name of every case's event stream.
const caseStreamPrefix = "case-"

// StreamOf returns the name of the event stream of case caseID,
// "case-<caseId>". The case's Temporal workflow has the same id.
func StreamOf(caseID string) string { return caseStreamPrefix + caseID }

// CaseIDOf returns the case whose stream (or workflow id) is stream; ok is
// false for any other stream (the admin stream, for one).
func CaseIDOf(stream string) (caseID string, ok bool) {
	id, ok := strings.CutPrefix(stream, caseStreamPrefix)
	if !ok || id == "" {
		return "", false
	}
	return id, true
}

// StoredEvent is an event as the event store recorded it, its payload still
// the stored JSON. It is also what the workflow's AppendEvents and
// ReadEvents activities return, so its JSON form is recorded in Temporal
// histories: fields may be added, never renamed or removed.
type StoredEvent struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Version        int64           `json:"version"`
	Data           json.RawMessage `json:"data"`
	Actor          string          `json:"actor"`
	OccurredAt     time.Time       `json:"occurredAt"`
	GlobalPosition int64           `json:"globalPosition"`
}

// Decode returns the domain event of e: the payload decoded by type
// (DecodePayload), At = OccurredAt in UTC, and the id, actor, stream version
// and global position as stored. It is the one conversion from stored
// events: the workflow, the projector and the replays of a stream all fold
// what it returns.
func (e StoredEvent) Decode() (Event, error) {
	p, err := DecodePayload(e.Type, e.Data)
	if err != nil {
		return Event{}, err
	}
	return Event{
		ID:             e.ID,
		Type:           e.Type,
		Actor:          e.Actor,
		At:             e.OccurredAt.UTC(),
		Data:           p,
		Version:        e.Version,
		GlobalPosition: e.GlobalPosition,
	}, nil
}
