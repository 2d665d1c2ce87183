package workflows

import (
	"errors"
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
// "req:<request id>[/<fingerprint>]" for commands, "clock:<version>" for the
// deadline clock and "dispatch:<escalation>" for the escalation dispatch.
func EventID(workflowID, key string, index int) string {
	return uuid.NewSHA1(eventNamespace, []byte(workflowID+"\x00"+key+"\x00"+strconv.Itoa(index))).String()
}

// errCaughtUp is returned by append when the store was ahead of the case:
// the case has caught up, and the caller may decide its command again.
var errCaughtUp = errors.New("the event store was ahead of the case; caught up")

// batch names a batch of events: key is its correlation id ("req:<request
// id>", "clock:<version>", "dispatch:<escalation>"); the event ids derive
// from key and, for a request, the fingerprint of its body, so a key reused
// for another body after it was forgotten (requestMemory) is a new batch.
type batch struct {
	key         string
	fingerprint string
	// system marks what the case writes on its own, answering no caller:
	// the deadline clock's events and the records of notifications. Runs
	// since systemLocalVersion store them by a local activity (run.go).
	system bool
}

func (b batch) idKey() string {
	if b.fingerprint == "" {
		return b.key
	}
	return b.key + "/" + b.fingerprint
}

// append stores payloads as the events of batch b (expected version = the
// case's version), recorded under actor with the batch key as correlation id
// and cause (the command name, or "deadline") as causation id, and folds what
// the store returns.
//
// The store is the truth the case folds. When the append fails, or returns
// the batch at other versions than the case expects (a retry of a batch the
// store already holds), append reads the stream beyond the case's version and
// folds it: if the batch is there, that is a success; if other events were
// (the store was ahead, as only a run of older code that lost a workflow
// task can leave it), it returns errCaughtUp so the command is decided again
// on the state the store holds.
func (w *caseWorkflow) append(ctx workflow.Context, b batch, actor, cause string, payloads []incident.Payload, now time.Time) error {
	if len(payloads) == 0 {
		return nil
	}
	in := AppendInput{Stream: incident.StreamOf(w.caseID), ExpectedVersion: w.state.Version}
	for i, p := range payloads {
		data, err := incident.EncodePayload(p)
		if err != nil {
			return err
		}
		in.Events = append(in.Events, NewEvent{
			ID:            EventID(w.workflowID, b.idKey(), i),
			Type:          p.EventType(),
			Data:          data,
			Actor:         actor,
			CorrelationID: b.key,
			CausationID:   cause,
			OccurredAt:    now,
		})
	}
	var res AppendResult
	err := w.store(ctx, b.system, ActivityAppendEvents, in, &res)
	if err == nil && len(res.Events) > 0 {
		switch first := res.Events[0].Version; {
		case first == w.state.Version+1:
			return w.fold(res.Events)
		case first <= w.state.Version:
			return nil // the batch was stored and folded before: a repeat
		}
	}
	before := w.state.Version
	stored, rerr := w.catchUp(ctx, b.system)
	if rerr != nil {
		workflow.GetLogger(ctx).Warn("read the stream back after an append", "case", w.caseID, "error", rerr)
		if err == nil {
			return rerr
		}
		return err
	}
	for _, e := range stored {
		if e.ID == in.Events[0].ID {
			return nil
		}
	}
	if w.state.Version > before {
		workflow.GetLogger(ctx).Warn("the event store was ahead of the case", "case", w.caseID, "from", before, "to", w.state.Version)
		return errCaughtUp
	}
	if err == nil {
		err = fmt.Errorf("append %s: the store answered with versions the stream does not hold", w.caseID)
	}
	return err
}

// catchUp folds the events the store holds beyond the case's version; system
// as in batch.
func (w *caseWorkflow) catchUp(ctx workflow.Context, system bool) ([]StoredEvent, error) {
	var events []StoredEvent
	in := ReadInput{Stream: incident.StreamOf(w.caseID), FromVersion: w.state.Version + 1}
	if err := w.store(ctx, system, ActivityReadEvents, in, &events); err != nil {
		return nil, err
	}
	return events, w.fold(events)
}

// fold applies stored events to the case with incident.Apply (decoded by
// incident.StoredEvent.Decode, as the projector does). Events the
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
		ev, err := e.Decode()
		if err != nil {
			return err
		}
		if err := incident.Apply(&next, ev); err != nil {
			return err
		}
	}
	w.state = next
	return nil
}
