package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"casetrail/eventstore"
	"casetrail/incident"
)

// Error types of the store errors a retry cannot fix.
const (
	// ErrTypeInvalid marks events the store refuses (eventstore.ErrInvalid).
	ErrTypeInvalid = "INVALID_EVENTS"
)

// AppendEvents appends the events to their stream at the expected version and
// returns them as stored. Event ids are deterministic, so a retry after a
// lost answer returns the events already stored and writes nothing. A stream
// at another version is a non-retryable CONFLICT; events the store refuses
// are non-retryable too; anything else (the database away) is retried.
func (a *Activities) AppendEvents(ctx context.Context, in AppendInput) (AppendResult, error) {
	data := make([]eventstore.EventData, len(in.Events))
	for i, e := range in.Events {
		data[i] = eventstore.EventData{
			ID:            e.ID,
			Type:          e.Type,
			SchemaVersion: 1,
			Data:          e.Data,
			Metadata: eventstore.Metadata{
				Actor: e.Actor, CorrelationID: e.CorrelationID, CausationID: e.CausationID, Reason: e.Reason,
			},
			OccurredAt: e.OccurredAt,
		}
	}
	recs, err := a.Store.Append(ctx, in.Stream, in.ExpectedVersion, data...)
	if err != nil {
		return AppendResult{}, storeError(err)
	}
	return AppendResult{Events: stored(recs)}, nil
}

// ReadEvents returns the events of a stream from a version on (none for a
// stream that does not exist yet).
func (a *Activities) ReadEvents(ctx context.Context, in ReadInput) ([]StoredEvent, error) {
	recs, err := a.Store.ReadStream(ctx, in.Stream, in.FromVersion, 0)
	if errors.Is(err, eventstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	return stored(recs), nil
}

func stored(recs []eventstore.RecordedEvent) []StoredEvent {
	out := make([]StoredEvent, len(recs))
	for i, r := range recs {
		out[i] = StoredEvent{
			ID: r.ID, Type: r.Type, Version: r.Version, Data: r.Data, Actor: r.Metadata.Actor,
			OccurredAt: r.OccurredAt, GlobalPosition: r.GlobalPosition,
		}
	}
	return out
}

// storeError maps store errors onto what Temporal should do with them.
func storeError(err error) error {
	var conflict *eventstore.ConflictError
	if errors.As(err, &conflict) {
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("the case changed meanwhile (version %d, expected %d); reload it and try again", conflict.Actual, conflict.Expected),
			incident.CodeConflict, err, "")
	}
	if errors.Is(err, eventstore.ErrInvalid) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalid, err)
	}
	return err
}
