// Package workflows holds IncidentWorkflow, the Temporal workflow that owns one
// case: the only writer of its event stream. Commands arrive as Workflow
// Updates; deadlines are one durable timer; everything with a side effect
// runs as an activity (package activities). Only deterministic code lives
// here.
//
// # Every answered command stored exactly once
//
// The guarantee rests on three choices.
//
//   - Commands' appends are regular activities. A regular activity is scheduled by a
//     workflow task the server has committed, and its result is recorded in
//     the history before the workflow sees it. So no append happens inside a
//     workflow task that the server may still drop (a speculative task of an
//     Update, a task that fails or times out): a replayed workflow finds
//     every append it made in its history and folds the same events again.
//     The workflow's case and a command's events cannot part. (Local activities,
//     which earlier runs used and old histories still replay — see
//     storeVersion —, write inside the task; when the task was lost the store
//     was ahead of the history, and concurrent commands came back as
//     CONFLICT or INTERNAL although stored.) What the case writes on its
//     own — the deadline clock's events, the records of notifications — no
//     caller waits for, and it goes by a local activity (systemLocalVersion).
//   - One writer, serialised. Handlers and the deadline clock take one
//     mutex, decide on the current case and append with the case's version as
//     the expected version; a command without expectedVersion therefore never
//     meets a CONFLICT. Event ids derive from the batch key (request id and
//     body fingerprint, clock version, escalation), so an activity retried
//     after a lost answer writes nothing new and gets the stored events.
//     Should the store still be ahead of the case (a stream left so by older
//     code), append reads the stream, folds it and the command is decided
//     again on what the store holds.
//   - An update ends only in its answer. Database failures are retried
//     without limit inside the activity, so a handler never ends with an
//     error that is not the command's outcome; what was decided before any
//     write (INVALID_TRANSITION, CONFLICT on expectedVersion, BAD_USER_INPUT)
//     is final and writes nothing. A caller that stops waiting (its request
//     timed out, the engine was unreachable) is told the outcome is unknown
//     (incident.ErrOutcomeUnknown) and sends the request again with the same
//     Idempotency-Key: the Update ID repeats, so Temporal joins the running
//     update or answers its outcome, and the workflow remembers applied keys
//     for requestMemory across continue-as-new; a key reused with another
//     body is BAD_USER_INPUT.
//
// The price is one more round trip through the server per command (the
// activity's task and result); eager activity dispatch hands the task back in
// the workflow task's answer. Measured figures are in README.md.
package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// TaskQueue is the task queue case workflows and their activities run on.
const TaskQueue = "casetrail"

// WorkflowName is the registered type name of IncidentWorkflow.
const WorkflowName = "IncidentWorkflow"

// QueryCase is the query that returns the current incident.Case.
const QueryCase = "case"

// WorkflowID returns the workflow id of the case caseID. It is the name of
// the case's event stream, incident.StreamOf(caseID): the one workflow of a
// case is the one writer of that stream, and incident.CaseIDOf reads the
// case id back from either.
func WorkflowID(caseID string) string { return incident.StreamOf(caseID) }

// Input starts (or continues) a case workflow.
type Input struct {
	// CaseID is the case the workflow owns (its workflow id is WorkflowID(CaseID)).
	CaseID string `json:"caseId"`
	// Policy gives the deadline spans; the case keeps it for its whole life.
	// An invalid (e.g. zero) policy is replaced by incident.DefaultPolicy.
	Policy incident.Policy `json:"policy"`
	// State is the folded case carried over by continue-as-new (nil for a new case).
	State *incident.Case `json:"state,omitempty"`
	// Requests holds the requests applied within requestMemory (at most
	// maxHandled), carried over by continue-as-new so a retried request is
	// answered, not applied twice, and a reused key is recognised.
	Requests []HandledRequest `json:"requests,omitempty"`
	// Handled holds request ids carried over by runs that predate Requests;
	// they are kept as requests without a fingerprint.
	Handled []string `json:"handled,omitempty"`
	// ContinueAfter, when positive, makes the workflow continue as new once
	// its history has that many events (tests; the server's suggestion always
	// applies).
	ContinueAfter int `json:"continueAfter,omitempty"`
}

const (
	// reportGrace is how long a new workflow waits for its reportIncident
	// update before ending with no case (e.g. the report was rejected).
	reportGrace = 10 * time.Minute
	// requestMemory is how long an applied request id is remembered: a
	// client may retry with the same Idempotency-Key within it.
	requestMemory = 24 * time.Hour
	// maxHandled bounds the remembered request ids (about 100 bytes each in
	// the continue-as-new input).
	maxHandled = 4096
	// dispatchRetry is the pause between attempts to send an approved
	// escalation whose first dispatch failed.
	dispatchRetry = 5 * time.Minute
	// storeRetry is the pause before the clock retries events it could not store.
	storeRetry = time.Minute
)

// IncidentWorkflow owns one case for as long as the case exists (a settled
// case may still be reopened or commented on). It waits for:
//
//   - commands: one Workflow Update per command of the lifecycle, named by the
//     command (incident.CmdTriageCase, ...) with a Request argument. The
//     validator rejects a command the case does not allow, or whose expected
//     version is stale, before anything is written; the handler decides it on
//     the current state, appends the events (AppendEvents), folds them and
//     returns the new case. The first command is reportIncident, sent with
//     update-with-start (see Report); without one the workflow ends after
//     reportGrace with an empty case.
//   - the deadline clock: one timer to the next reminder or miss
//     (incident.NextWake), re-armed whenever the case changes. On firing it
//     appends incident.DueEvents as the system and notifies people.
//   - the server's suggestion to continue as new: after all handlers and
//     notifications finished, it continues with the folded state, so no
//     deadline is lost.
//
// The query QueryCase returns the current case.
func IncidentWorkflow(ctx workflow.Context, in Input) (incident.Case, error) {
	w, err := newCaseWorkflow(ctx, in)
	if err != nil {
		return incident.Case{}, err
	}
	if reported, err := w.awaitReport(ctx); err != nil || !reported {
		return w.state, err
	}
	for {
		w.clock.arm(ctx, &w.state, w.policy)
		err := workflow.Await(ctx, func() bool {
			return w.clock.due() || w.clock.stale(&w.state) || w.shouldContinue(ctx)
		})
		if err == nil {
			// A cancelled workflow cancels the clock's timer too, which then
			// looks due: stop here rather than re-arm it forever.
			err = ctx.Err()
		}
		if err != nil {
			return w.state, err
		}
		if w.clock.due() {
			w.onClock(ctx)
		}
		if w.shouldContinue(ctx) {
			return w.continueAsNew(ctx)
		}
	}
}

// awaitReport waits until the case has been reported. It returns false when
// no report arrived within reportGrace and no handler is still running.
func (w *caseWorkflow) awaitReport(ctx workflow.Context) (bool, error) {
	if w.state.Version > 0 {
		return true, nil
	}
	ok, err := workflow.AwaitWithTimeout(ctx, reportGrace, func() bool { return w.state.Version > 0 })
	if err != nil || ok {
		return ok, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return false, err
	}
	return w.state.Version > 0, nil
}

// letterVersion is the workflow.GetVersion change that made an approved
// escalation go out as a công văn (issue 16): the approval asks
// PrepareEscalation for its signer and, where the clerk numbers by hand,
// records the typed number; the dispatch asks IssueEscalation to number the
// letter in the register of the issuing unit (the case's unit, or its
// nearest ancestor with a letterhead: incident.IssuingUnit), render and
// store it, and EscalationSent records the letter. Runs that approved or
// dispatched before it keep SendEscalation's numbering
// (testdata/escalation-v0.history.json).
const letterVersion = "escalation-letter"

// escalationKey identifies the case's current escalation request: what its
// dispatch number is kept under, so a retry gets the same number.
func (w *caseWorkflow) escalationKey() string {
	return w.caseID + "@" + w.state.Escalation.RequestedAt.UTC().Format(time.RFC3339Nano)
}

// before runs what a command needs from the outside world before it can be
// decided: a case number for a report, the official-account match for the
// analysis of an impersonation, the signer and the typed register number of
// an escalation's approval.
func (w *caseWorkflow) before(ctx workflow.Context, m meta, cmd incident.Command, now time.Time) (incident.Command, error) {
	switch c := cmd.(type) {
	case incident.ApproveEscalation:
		if workflow.GetVersion(ctx, letterVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion || w.state.Escalation == nil {
			return c, nil
		}
		in := PrepareEscalationInput{
			CaseID: w.caseID, Issuer: w.state.Unit, Key: w.escalationKey(), At: now, Approver: m.actor,
			Signer: c.Signer, RegisterNumber: c.RegisterNumber,
		}
		var res PrepareEscalationResult
		if err := workflow.ExecuteActivity(activity(ctx, storeOptions), ActivityPrepareEscalation, in).Get(ctx, &res); err != nil {
			return nil, err
		}
		signer := res.Signer
		c.Signer, c.RegisterNumber = &signer, res.RegisterNumber
		return c, nil
	case incident.Report:
		c.CaseID = w.caseID
		in := AllocateInput{CaseID: w.caseID, Year: now.In(vietnam).Year()}
		if err := workflow.ExecuteLocalActivity(local(ctx), ActivityAllocateCaseNumber, in).Get(ctx, &c.Number); err != nil {
			return nil, err
		}
		return c, nil
	case incident.RecordAnalysis:
		c.Match, c.Similarity = nil, nil
		if w.state.Kind != incident.Impersonation {
			return c, nil
		}
		var res MatchResult
		in := MatchInput{Subjects: w.state.Subjects}
		if err := workflow.ExecuteActivity(activity(ctx, lookupOptions), ActivityMatchOfficialAccount, in).Get(ctx, &res); err != nil {
			// The analysis is recorded without a match; the registry can be
			// consulted again by recording the analysis anew.
			workflow.GetLogger(ctx).Warn("match official account", "case", w.caseID, "error", err)
			return c, nil
		}
		if res.Account != nil {
			sim := res.Similarity
			c.Match, c.Similarity = res.Account, &sim
		}
		return c, nil
	}
	return cmd, nil
}

// after runs what follows a command's events: a takedown request goes out to
// its platform (in the background: delivery never blocks nor fails the
// command), an approved escalation is numbered and sent.
func (w *caseWorkflow) after(ctx workflow.Context, cmd incident.Command) {
	switch cmd.(type) {
	case incident.RequestTakedown:
		t := w.state.Takedowns[len(w.state.Takedowns)-1]
		in := TakedownInput{
			CaseID: w.caseID, Number: w.state.Number, TakedownID: t.ID, Platform: t.Platform,
			TargetURL: t.TargetURL, Reason: t.Reason, LegalBasis: t.LegalBasis, DueAt: t.DueAt, RequestedBy: t.RequestedBy,
		}
		w.background(ctx, "deliver takedown request", func(ctx workflow.Context) error {
			var res DeliveryResult
			if err := workflow.ExecuteActivity(activity(ctx, deliveryOptions), ActivitySendTakedownRequest, in).Get(ctx, &res); err != nil {
				return err
			}
			workflow.GetLogger(ctx).Info("takedown request delivered", "case", w.caseID, "takedown", t.ID, "channel", res.Channel, "error", res.Error)
			return nil
		})
	case incident.ApproveEscalation:
		if err := w.dispatch(ctx); err != nil {
			workflow.GetLogger(ctx).Error("dispatch escalation; retrying in the background", "case", w.caseID, "error", err)
			w.keepDispatching(ctx)
		}
	}
}

// dispatch issues and sends an approved escalation and records it as sent:
// since letterVersion the letter numbered in the issuing unit's register,
// rendered and stored (IssueEscalation), before it a dispatch number of the
// receiving unit (SendEscalation). The caller holds the lock.
func (w *caseWorkflow) dispatch(ctx workflow.Context) error {
	esc := w.state.Escalation
	if w.state.Status != incident.StatusEscalated || esc == nil || esc.Status != incident.EscApproved {
		return nil
	}
	key := w.escalationKey()
	var send incident.SendEscalation
	var channel, failure string
	if workflow.GetVersion(ctx, letterVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		in := EscalationInput{
			CaseID: w.caseID, Number: w.state.Number, Title: w.state.Title, Unit: w.state.Unit,
			To: esc.To, Reason: esc.Reason, ApprovedBy: esc.ApprovedBy,
			Key:  key,
			Year: w.now(ctx).In(vietnam).Year(),
		}
		var res EscalationResult
		if err := workflow.ExecuteActivity(activity(ctx, dispatchOptions), ActivitySendEscalation, in).Get(ctx, &res); err != nil {
			return err
		}
		send.DispatchNumber, channel, failure = res.DispatchNumber, res.Channel, res.Error
	} else {
		c := w.state.Clone()
		c.Description = "" // the letter cites the title; the history need not keep the text twice
		in := IssueEscalationInput{Key: key, At: w.now(ctx), Case: c}
		var res IssueEscalationResult
		if err := workflow.ExecuteActivity(activity(ctx, dispatchOptions), ActivityIssueEscalation, in).Get(ctx, &res); err != nil {
			return err
		}
		letter := res.Letter
		send.Letter, channel, failure = &letter, res.Channel, res.Error
	}
	now := w.now(ctx)
	events, err := incident.Decide(w.state, send, now, w.policy)
	if err != nil {
		return err
	}
	actor := esc.ApprovedBy
	if actor == "" {
		actor = incident.SystemActor
	}
	if err := w.append(ctx, batch{key: "dispatch:" + key}, actor, incident.CmdSendEscalation, events, now); err != nil {
		return err
	}
	w.attrs.sync(ctx, &w.state)
	w.notifyEvents(ctx, batch{key: "dispatch:" + key}, actor, events)
	workflow.GetLogger(ctx).Info("escalation sent", "case", w.caseID, "dispatch", w.state.Escalation.DispatchNumber, "channel", channel, "error", failure)
	if send.Letter != nil {
		w.deliverToRecipients(ctx) // recipients.go
	}
	return nil
}

// keepDispatching retries, every dispatchRetry, the dispatch of an approved
// escalation whose first attempt failed, until it is sent or no longer
// approved. A continued run restarts it from the state.
func (w *caseWorkflow) keepDispatching(ctx workflow.Context) {
	esc := w.state.Escalation
	if w.dispatching || w.state.Status != incident.StatusEscalated || esc == nil || esc.Status != incident.EscApproved {
		return
	}
	w.dispatching = true
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.dispatching = false }()
		for {
			if err := workflow.Sleep(ctx, dispatchRetry); err != nil {
				return
			}
			if err := w.lock.Lock(ctx); err != nil {
				return
			}
			err := w.dispatch(ctx)
			w.lock.Unlock()
			if err == nil {
				return
			}
			workflow.GetLogger(ctx).Error("dispatch escalation", "case", w.caseID, "error", err)
		}
	})
}

// onClock appends what the deadline clock decides now (reminders, misses, an
// automatic escalation) and notifies the people concerned.
func (w *caseWorkflow) onClock(ctx workflow.Context) {
	w.clock.fired()
	if err := w.lock.Lock(ctx); err != nil {
		return
	}
	defer w.lock.Unlock()
	now := w.now(ctx)
	due := incident.DueEvents(w.state, now, w.policy)
	if len(due) == 0 {
		w.clock.snooze(now.Add(minSnooze))
		return
	}
	key := fmt.Sprintf("clock:%d", w.state.Version)
	if err := w.append(ctx, batch{key: key, system: true}, incident.SystemActor, "deadline", due, now); errors.Is(err, errCaughtUp) {
		w.clock.snooze(now.Add(minSnooze)) // decide again on the caught-up case
		return
	} else if err != nil {
		workflow.GetLogger(ctx).Error("store deadline events; retrying later", "error", err)
		w.clock.snooze(now.Add(storeRetry))
		return
	}
	w.attrs.sync(ctx, &w.state)
	if !w.notifyEvents(ctx, batch{key: key}, incident.SystemActor, due) {
		w.notifyDue(ctx, due) // a run older than notifyVersion
	}
}

// notifyDue tells people what the clock decided, in runs older than
// notifyVersion (notify.go; newer runs record each outcome): one Notify
// per reminder, miss and automatic escalation request, as notice words it
// — scheduled even when nobody is to be told, as those runs did.
func (w *caseWorkflow) notifyDue(ctx workflow.Context, due []incident.Payload) {
	now := w.now(ctx)
	for _, p := range due {
		switch p.(type) {
		case incident.DeadlineReminder, incident.DeadlineMissed, incident.EscalationRequested:
		default:
			continue
		}
		n, _ := w.notice(p, incident.SystemActor, now)
		w.background(ctx, "notify", func(ctx workflow.Context) error {
			return workflow.ExecuteActivity(activity(ctx, deliveryOptions), ActivityNotify, n).Get(ctx, nil)
		})
	}
}

// shouldContinue reports whether this run should hand over to a new one.
func (w *caseWorkflow) shouldContinue(ctx workflow.Context) bool {
	if w.state.Version == 0 {
		return false
	}
	info := workflow.GetInfo(ctx)
	return info.GetContinueAsNewSuggested() ||
		(w.continueAfter > 0 && info.GetCurrentHistoryLength() >= w.continueAfter)
}

// continueAsNew waits for running handlers and notifications, then continues
// with the folded state (whose deadlines the next run re-arms).
func (w *caseWorkflow) continueAsNew(ctx workflow.Context) (incident.Case, error) {
	err := workflow.Await(ctx, func() bool {
		return workflow.AllHandlersFinished(ctx) && w.inflight == 0 && !w.lock.IsLocked()
	})
	if err != nil {
		return w.state, err
	}
	w.clock.stop()
	state := w.state.Clone()
	return state, workflow.NewContinueAsNewError(ctx, WorkflowName, Input{
		CaseID:        w.caseID,
		Policy:        w.policy,
		State:         &state,
		Requests:      append([]HandledRequest(nil), w.handled...),
		ContinueAfter: w.continueAfter,
	})
}
