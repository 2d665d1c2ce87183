package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// notifyVersion is the workflow.GetVersion change that made notifications
// (issue 18) recorded and wider:
//
//   - besides the deadline clock's reminders, misses and automatic
//     escalation requests, people hear of a person's escalation request
//     (the unit's leaders, who approve it), the dispatch (the leaders of the
//     receiving unit), the resolution or rejection of a report (its
//     reporter) and an assignment (the new assignee);
//   - each notification carries a Key, the id of the event that caused it,
//     so the activity delivers once per key and channel across retries;
//   - its outcome, once the Notify activity returned or failed after its
//     retries, is appended to the case's history as one event
//     (incident.NotificationSent or incident.NotificationFailed), under the
//     lock like any command, with the causing event's id as causation id.
//
// Runs that fired their clock before it keep notifyDue's unrecorded
// notifications (testdata/missed-deadline.history.json).
const notifyVersion = "notify-recorded"

// Notification kinds (NotifyInput.Event) added by notifyVersion.
const (
	NotifyDispatch = incident.TypeEscalationSent
	NotifyResolved = incident.TypeCaseResolved
	NotifyRejected = incident.TypeCaseRejected
	NotifyTriaged  = incident.TypeCaseTriaged
	NotifyAssigned = incident.TypeCaseAssigned
)

// ErrTypeNotifyFailed is the type of the retryable error Notify returns
// while a channel fails; its details hold the NotifyResult so far, which the
// workflow records when the retries run out.
const ErrTypeNotifyFailed = "NOTIFY_FAILED"

// NotifyResult is what Notify returns: the recipients (subjects) it told,
// the subject line sent and how each channel went.
type NotifyResult struct {
	Key        string                         `json:"key"`
	Event      string                         `json:"event"`
	Recipients []string                       `json:"recipients"`
	Subject    string                         `json:"subject,omitempty"`
	Channels   []incident.NotificationChannel `json:"channels"`
}

// notice returns the notification that event p, caused by actor at now,
// sends (false: none). The case is the state after p.
func (w *caseWorkflow) notice(p incident.Payload, actor string, now time.Time) (NotifyInput, bool) {
	c := &w.state
	n := NotifyInput{CaseID: w.caseID, Number: c.Number, Title: c.Title, Unit: c.Unit, Event: p.EventType(), Actor: actor, At: now}
	var assignee []string
	if c.Assignee != "" {
		assignee = []string{c.Assignee}
	}
	// person is a recipient told of what someone else did.
	person := func(subject string) []string {
		if subject == "" || subject == actor || subject == incident.SystemActor || subject == incident.PublicSubject {
			return nil
		}
		return []string{subject}
	}
	switch e := p.(type) {
	case incident.DeadlineReminder:
		n.DeadlineKind, n.DueAt, n.Fraction, n.Recipients = e.Kind, e.DueAt, e.Fraction, assignee
		n.Message = fmt.Sprintf("Hồ sơ %s: đã dùng %.0f%% thời hạn %s, hạn chót %s. / Case %s: %.0f%% of the %s deadline used, due %s.",
			c.Number, e.Fraction*100, e.Kind, localTime(e.DueAt), c.Number, e.Fraction*100, e.Kind, localTime(e.DueAt))
	case incident.DeadlineMissed:
		n.DeadlineKind, n.Recipients, n.NotifyLeaders = e.Kind, assignee, true
		if d := c.Deadline(e.DeadlineID); d != nil {
			n.DueAt = d.DueAt
		}
		n.Message = fmt.Sprintf("Hồ sơ %s: quá hạn %s (hạn chót %s). / Case %s: the %s deadline was missed (due %s).",
			c.Number, e.Kind, localTime(n.DueAt), c.Number, e.Kind, localTime(n.DueAt))
	case incident.EscalationRequested:
		n.NotifyLeaders, n.Reason, n.To = true, e.Reason, e.To
		n.Message = fmt.Sprintf("Hồ sơ %s: đề nghị chuyển lên %s chờ phê duyệt. / Case %s: escalation to %s awaits approval. %s",
			c.Number, e.To, c.Number, e.To, e.Reason)
	case incident.EscalationSent:
		// The receiving unit's people: its leaders. (Units have no address
		// of their own.)
		n.NotifyLeaders, n.LeadersOf, n.To, n.DispatchNumber = true, e.To, e.To, e.DispatchNumber
		if c.Escalation != nil {
			n.Reason = c.Escalation.Reason
		}
		n.Message = fmt.Sprintf("Hồ sơ %s: công văn %s đề nghị chuyển lên %s đã được gửi. / Case %s: letter %s sent to %s.",
			c.Number, e.DispatchNumber, e.To, c.Number, e.DispatchNumber, e.To)
	case incident.CaseResolved:
		n.Recipients, n.Reason = person(c.ReportedBy), e.Resolution
		if n.Recipients == nil {
			return n, false
		}
		n.Message = fmt.Sprintf("Hồ sơ %s: phản ánh của bạn đã được giải quyết. / Case %s: your report was resolved.", c.Number, c.Number)
	case incident.CaseRejected:
		n.Recipients, n.Reason = person(c.ReportedBy), e.Reason
		if n.Recipients == nil {
			return n, false
		}
		n.Message = fmt.Sprintf("Hồ sơ %s: phản ánh của bạn không được thụ lý. / Case %s: your report was rejected.", c.Number, c.Number)
	case incident.CaseTriaged:
		return w.assigned(n, person(e.Assignee))
	case incident.CaseAssigned:
		return w.assigned(n, person(e.Assignee))
	default:
		return n, false
	}
	return n, true
}

// assigned completes n, an assignment, for the new assignee to (none: no
// notification, e.g. a handler who took the case themself).
func (w *caseWorkflow) assigned(n NotifyInput, to []string) (NotifyInput, bool) {
	if to == nil {
		return n, false
	}
	n.Recipients = to
	n.Message = fmt.Sprintf("Hồ sơ %s được giao cho bạn xử lý. / Case %s was assigned to you.", n.Number, n.Number)
	return n, true
}

// notifyEvents sends the notifications of payloads, the events of batch b
// just appended by actor, and records each outcome (see notifyVersion). It
// returns false, having sent nothing, in runs older than notifyVersion (the
// caller keeps its older behaviour). The caller holds the lock.
func (w *caseWorkflow) notifyEvents(ctx workflow.Context, b batch, actor string, payloads []incident.Payload) bool {
	now := w.now(ctx)
	var notes []NotifyInput
	for i, p := range payloads {
		n, ok := w.notice(p, actor, now)
		if !ok {
			continue
		}
		n.Key = EventID(w.workflowID, b.idKey(), i)
		notes = append(notes, n)
	}
	if len(notes) == 0 {
		return true
	}
	if workflow.GetVersion(ctx, notifyVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false
	}
	for _, n := range notes {
		if len(n.Recipients) == 0 && !n.NotifyLeaders {
			continue // nobody to tell: a reminder of a case nobody holds
		}
		w.notifyRecorded(ctx, n)
	}
	return true
}

// notifyRecorded runs the Notify activity for n in the background and
// appends its outcome to the case's history: one event per notification,
// whatever the number of channels and recipients. A delivery that failed
// after its retries is recorded as failed; the case is never held back.
func (w *caseWorkflow) notifyRecorded(ctx workflow.Context, n NotifyInput) {
	w.background(ctx, "notify", func(ctx workflow.Context) error {
		var res NotifyResult
		err := workflow.ExecuteActivity(activity(ctx, deliveryOptions), ActivityNotify, n).Get(ctx, &res)
		if err != nil && ctx.Err() != nil {
			return err // the workflow is shutting down
		}
		record := deliveryRecord(n, res, err)
		if err := w.lock.Lock(ctx); err != nil {
			return err
		}
		defer w.lock.Unlock()
		b := batch{key: "notify:" + n.Key, system: true}
		for attempt := 1; ; attempt++ {
			err := w.append(ctx, b, incident.SystemActor, n.Key, []incident.Payload{record}, w.now(ctx))
			if errors.Is(err, errCaughtUp) && attempt < maxCatchUps {
				continue
			}
			return err
		}
	})
}

// deliveryRecord is the event recording notification n: the activity's
// result, or, when it failed after its retries, the result its last attempt
// reported (ErrTypeNotifyFailed details) with the channels still failing,
// or else one failed entry with the error.
func deliveryRecord(n NotifyInput, res NotifyResult, err error) incident.Payload {
	if err != nil {
		var app *temporal.ApplicationError
		res = NotifyResult{}
		if errors.As(err, &app) && app.HasDetails() {
			if derr := app.Details(&res); derr != nil {
				res = NotifyResult{}
			}
		}
		if len(res.Channels) == 0 {
			res.Channels = []incident.NotificationChannel{{Channel: "notify", Error: rootMessage(err)}}
		}
		// A channel that was still to be retried has failed for good now.
		for i := range res.Channels {
			if !res.Channels[i].OK && res.Channels[i].Error == "" {
				res.Channels[i].Error = rootMessage(err)
			}
		}
	}
	recipients := res.Recipients
	if recipients == nil {
		recipients = slices.Clone(n.Recipients)
	}
	return incident.NotificationRecord(incident.NotificationSent{
		Key: n.Key, Cause: n.Event, Recipients: recipients, Subject: res.Subject, Channels: res.Channels,
	})
}

// rootMessage is the message of the innermost error of err (an activity's
// failure wraps the application's error in the activity's).
func rootMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return timeout.Error()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
