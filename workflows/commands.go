package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// Request is the argument of every command update: who asks, the idempotency
// key, the optional optimistic-concurrency check and the command itself.
type Request[C incident.Command] struct {
	// Actor is the authenticated subject the events are recorded under.
	Actor string `json:"actor"`
	// RequestID is the idempotency key; the client helpers also use it as
	// the Update ID, so Temporal answers a retried update with the first
	// outcome. Empty means the Update ID.
	RequestID string `json:"requestId,omitempty"`
	// ExpectedVersion, when set, must equal the case's version (CONFLICT otherwise).
	ExpectedVersion *int64 `json:"expectedVersion,omitempty"`
	// Fingerprint identifies the request's body (Fingerprint): the same
	// RequestID with another fingerprint is a reused key, BAD_USER_INPUT.
	// Empty means unknown (no check). Client helpers set it.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Command is what to do.
	Command C `json:"command"`
}

// meta is the command-independent part of a Request.
type meta struct {
	actor       string
	id          string
	expected    *int64
	fingerprint string
}

func metaOf[C incident.Command](ctx workflow.Context, req Request[C]) meta {
	id := req.RequestID
	if id == "" {
		if info := workflow.GetCurrentUpdateInfo(ctx); info != nil {
			id = info.ID
		}
	}
	return meta{actor: req.Actor, id: id, expected: req.ExpectedVersion, fingerprint: req.Fingerprint}
}

// registerCommands installs one update handler per command a person may send.
// (sendEscalation is the workflow's own step after an approval.)
func (w *caseWorkflow) registerCommands(ctx workflow.Context) error {
	return errors.Join(
		register[incident.Report](ctx, w),
		register[incident.MergeReport](ctx, w),
		register[incident.Triage](ctx, w),
		register[incident.Assign](ctx, w),
		register[incident.StartAnalysis](ctx, w),
		register[incident.RecordAnalysis](ctx, w),
		register[incident.AddEvidence](ctx, w),
		register[incident.RequestTakedown](ctx, w),
		register[incident.RecordTakedownResponse](ctx, w),
		register[incident.RequestEscalation](ctx, w),
		register[incident.ApproveEscalation](ctx, w),
		register[incident.DeclineEscalation](ctx, w),
		register[incident.RecordEscalationResponse](ctx, w),
		register[incident.Resolve](ctx, w),
		register[incident.Close](ctx, w),
		register[incident.Reject](ctx, w),
		register[incident.Reopen](ctx, w),
		register[incident.Comment](ctx, w),
		register[incident.CompleteTask](ctx, w),
		register[incident.WaiveTask](ctx, w),
	)
}

// register installs the update named by command C: a validator that rejects
// what the case does not allow, and the handler.
func register[C incident.Command](ctx workflow.Context, w *caseWorkflow) error {
	var zero C
	return workflow.SetUpdateHandlerWithOptions(ctx, zero.Name(),
		func(ctx workflow.Context, req Request[C]) (incident.Case, error) {
			return w.handle(ctx, metaOf(ctx, req), req.Command)
		},
		workflow.UpdateHandlerOptions{
			Validator: func(ctx workflow.Context, req Request[C]) error {
				return w.validate(ctx, metaOf(ctx, req), req.Command)
			},
		})
}

// validate accepts cmd when the handler would apply it (or answer it as a
// repeat). It reads the state only: rejections leave no trace in history.
func (w *caseWorkflow) validate(ctx workflow.Context, m meta, cmd incident.Command) error {
	if repeat, err := w.repeated(m, cmd); repeat || err != nil {
		return updateError(err)
	}
	return updateError(w.check(m, cmd, w.now(ctx)))
}

// maxCatchUps bounds how often one command is decided again after the case
// caught up with its store.
const maxCatchUps = 3

// handle applies cmd: serialised with other handlers and the clock, it
// re-checks cmd on the current state, runs the steps the command needs before
// and after its events, appends and folds them, and returns the new case.
func (w *caseWorkflow) handle(ctx workflow.Context, m meta, cmd incident.Command) (incident.Case, error) {
	if err := w.lock.Lock(ctx); err != nil {
		return incident.Case{}, w.fail(ctx, cmd, err)
	}
	defer w.lock.Unlock()
	if repeat, err := w.repeated(m, cmd); err != nil {
		return incident.Case{}, w.fail(ctx, cmd, err)
	} else if repeat {
		return w.state.Clone(), nil
	}
	for attempt := 1; ; attempt++ {
		now := w.now(ctx)
		if err := w.check(m, cmd, now); err != nil {
			return incident.Case{}, w.fail(ctx, cmd, err)
		}
		decided, err := w.before(ctx, m, cmd, now)
		if err != nil {
			return incident.Case{}, w.fail(ctx, cmd, err)
		}
		events, err := incident.Decide(w.state, decided, now, w.policy)
		if err != nil {
			return incident.Case{}, w.fail(ctx, cmd, err)
		}
		b := batch{key: "req:" + m.id, fingerprint: m.fingerprint}
		err = w.append(ctx, b, m.actor, cmd.Name(), events, now)
		if errors.Is(err, errCaughtUp) && attempt < maxCatchUps {
			continue
		}
		if err != nil {
			return incident.Case{}, w.fail(ctx, cmd, err)
		}
		w.remember(m, now)
		w.attrs.sync(ctx, &w.state)
		w.notifyEvents(ctx, b, m.actor, events) // notify.go
		w.after(ctx, decided)
		return w.state.Clone(), nil
	}
}

// repeated reports whether cmd was already applied: the same request id, or
// a report of this very case (same client request id) sent again. A request
// id applied with another body is a reused key: BAD_USER_INPUT. (A report's
// key is its clientRequestId, whose repeat returns the case whatever the body.)
func (w *caseWorkflow) repeated(m meta, cmd incident.Command) (bool, error) {
	if m.id != "" {
		if h, ok := w.seen(m.id); ok {
			if h.Fingerprint != "" && m.fingerprint != "" && h.Fingerprint != m.fingerprint && !isReport(cmd) {
				return false, incident.BadInput("Idempotency-Key",
					"was already used for a different request; use a new key for a new request")
			}
			return true, nil
		}
	}
	r, ok := cmd.(incident.Report)
	return ok && w.state.Version > 0 && r.ClientRequestID != "" &&
		strings.TrimSpace(r.ClientRequestID) == strings.TrimSpace(w.state.ClientRequestID), nil
}

// isReport reports whether cmd is a report (opened or merged).
func isReport(cmd incident.Command) bool {
	switch cmd.(type) {
	case incident.Report, incident.MergeReport:
		return true
	}
	return false
}

// check returns why cmd must be refused on the current state, if it must.
func (w *caseWorkflow) check(m meta, cmd incident.Command, now time.Time) error {
	if strings.TrimSpace(m.actor) == "" {
		return incident.BadInput("actor", "is required")
	}
	// A version the case had before only delivery records were added is
	// still current (incident.Case.AtVersion).
	if m.expected != nil && !w.state.AtVersion(*m.expected) {
		return incident.Errorf(incident.CodeConflict,
			"the case is at version %d, not the expected %d; reload it and try again", w.state.Version, *m.expected)
	}
	if r, ok := cmd.(incident.Report); ok {
		// The number is allocated only once the report is known to be valid.
		r.CaseID = w.caseID
		cmd = r
	}
	return incident.Validate(w.state, cmd, now, w.policy)
}

// fail logs an error the caller will only see as INTERNAL and returns the
// error to send.
func (w *caseWorkflow) fail(ctx workflow.Context, cmd incident.Command, err error) error {
	out := updateError(err)
	var app *temporal.ApplicationError
	if errors.As(out, &app) && app.Type() == incident.CodeInternal {
		workflow.GetLogger(ctx).Error("command failed", "case", w.caseID, "command", cmd.Name(), "error", err)
	}
	return out
}

// updateError turns an error into what crosses Temporal to the caller: a
// non-retryable ApplicationError whose type is the contract code and whose
// detail is the offending field. Anything without a code is INTERNAL and its
// text stays in the workflow's log.
func updateError(err error) error {
	if err == nil {
		return nil
	}
	var de *incident.Error
	if errors.As(err, &de) {
		return temporal.NewNonRetryableApplicationError(de.Message, de.Code, nil, de.Field)
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && incident.IsCode(app.Type()) {
		field := ""
		_ = app.Details(&field)
		return temporal.NewNonRetryableApplicationError(app.Message(), app.Type(), nil, field)
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return temporal.NewNonRetryableApplicationError("the case workflow is shutting down; try again", incident.CodeInternal, nil, "")
	}
	return temporal.NewNonRetryableApplicationError("internal error", incident.CodeInternal, nil, "")
}
