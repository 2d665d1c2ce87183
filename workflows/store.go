package workflows

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// eventNamespace is the UUID namespace of event ids (uuid v5).
var eventNamespace = uuid.MustParse("6f1c3a52-0c1e-4c55-9a36-3f7f4b2d8e10")

// EventID returns the deterministic id of event index of the batch key in
// workflow workflowID: the same batch always gets the same ids, so a retried
// append is recognised by the store and writes nothing new. Keys are
// "req:<request id>" for commands, "clock:<version>" for the deadline clock
// and "dispatch:<escalation>" for the escalation dispatch.
func EventID(workflowID, key string, index int) string {
	return uuid.NewSHA1(eventNamespace, []byte(workflowID+"\x00"+key+"\x00"+strconv.Itoa(index))).String()
}

// append stores payloads as the events of batch key (expected version = the
// case's version), recorded under actor with the batch key as correlation id
// and cause (the command name, or "deadline") as causation id, and folds what the store returns. When the append fails it
// reads the stream back: if the batch is there after all (its answer was
// lost), that is a success; either way the state catches up with the store.
func (w *caseWorkflow) append(ctx workflow.Context, key, actor, cause string, payloads []incident.Payload, now time.Time) error {
	if len(payloads) == 0 {
		return nil
	}
	in := AppendInput{Stream: Stream(w.caseID), ExpectedVersion: w.state.Version}
	for i, p := range payloads {
		data, err := incident.EncodePayload(p)
		if err != nil {
			return err
		}
		in.Events = append(in.Events, NewEvent{
			ID:            EventID(w.workflowID, key, i),
			Type:          p.EventType(),
			Data:          data,
			Actor:         actor,
			CorrelationID: key,
			CausationID:   cause,
			OccurredAt:    now,
		})
	}
	var res AppendResult
	err := workflow.ExecuteLocalActivity(local(ctx), ActivityAppendEvents, in).Get(ctx, &res)
	if err == nil {
		return w.fold(res.Events)
	}
	stored, rerr := w.catchUp(ctx)
	if rerr != nil {
		workflow.GetLogger(ctx).Warn("read the stream back after a failed append", "case", w.caseID, "error", rerr)
	}
	for _, e := range stored {
		if e.ID == in.Events[0].ID {
			return nil
		}
	}
	return err
}

// catchUp folds the events the store holds beyond the case's version.
func (w *caseWorkflow) catchUp(ctx workflow.Context) ([]StoredEvent, error) {
	var events []StoredEvent
	in := ReadInput{Stream: Stream(w.caseID), FromVersion: w.state.Version + 1}
	if err := workflow.ExecuteLocalActivity(local(ctx), ActivityReadEvents, in).Get(ctx, &events); err != nil {
		return nil, err
	}
	return events, w.fold(events)
}

// fold applies stored events to the case with incident.Apply. Events the
// case already holds are skipped; a gap is an error and changes nothing.
func (w *caseWorkflow) fold(events []StoredEvent) error {
	next := w.state.Clone()
	for _, e := range events {
		if e.Version <= next.Version {
			continue
		}
		if e.Version != next.Version+1 {
			return fmt.Errorf("fold %s: version %d follows %d", w.caseID, e.Version, next.Version)
		}
		p, err := incident.DecodePayload(e.Type, e.Data)
		if err != nil {
			return err
		}
		ev := incident.Event{
			ID: e.ID, Type: e.Type, Actor: e.Actor, At: e.OccurredAt.UTC(), Data: p,
			Version: e.Version, GlobalPosition: e.GlobalPosition,
		}
		if err := incident.Apply(&next, ev); err != nil {
			return err
		}
	}
	w.state = next
	return nil
}
