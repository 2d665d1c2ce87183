package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// Register registers IncidentWorkflow under WorkflowName and the leaders'
// DailyDigest under DigestWorkflowName on a worker.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(IncidentWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterWorkflowWithOptions(DailyDigest, workflow.RegisterOptions{Name: DigestWorkflowName})
}

// Report opens case caseID with req (update-with-start: the workflow is
// started if it does not run yet, under policy) and returns the new case. The
// Update ID is req.RequestID (a new one when empty), so a retry is answered
// with the first outcome; a report with the client request id of the case
// returns the case unchanged. Errors are *incident.Error (see DomainError).
func Report(ctx context.Context, c client.Client, caseID string, req Request[incident.Report], policy incident.Policy) (incident.Case, error) {
	if req.RequestID == "" {
		req.RequestID = uuid.NewString()
	}
	req.Command.CaseID = caseID
	start := c.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       WorkflowID(caseID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, WorkflowName, Input{CaseID: caseID, Policy: policy})
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateID:     req.RequestID,
			UpdateName:   incident.CmdReportIncident,
			Args:         []any{req},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	return updateResult(ctx, h, err)
}

// Execute sends command req.Command to case caseID as the Workflow Update of
// its name and returns the new case. C may be a concrete command or the
// interface incident.Command itself (the update is named by the dynamic
// command). req.RequestID is the idempotency key (a new one when empty): the
// same key and body is answered with the first outcome and applied once; the
// same key with another body is BAD_USER_INPUT. Errors are *incident.Error
// (see DomainError).
func Execute[C incident.Command](ctx context.Context, c client.Client, caseID string, req Request[C]) (incident.Case, error) {
	if any(req.Command) == nil {
		return incident.Case{}, incident.BadInput("command", "is required")
	}
	if req.RequestID == "" {
		req.RequestID = uuid.NewString()
	}
	req.Fingerprint = Fingerprint(req.Command, req.ExpectedVersion)
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: WorkflowID(caseID),
		// Temporal answers a repeated Update ID with the first outcome
		// without asking the workflow; with the fingerprint in it, only
		// the very same request is answered so, and the workflow sees a
		// reused key with another body.
		UpdateID:     req.RequestID + "/" + req.Fingerprint,
		UpdateName:   req.Command.Name(),
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	return updateResult(ctx, h, err)
}

func updateResult(ctx context.Context, h client.WorkflowUpdateHandle, err error) (incident.Case, error) {
	if err != nil {
		return incident.Case{}, DomainError(err)
	}
	var out incident.Case
	if err := h.Get(ctx, &out); err != nil {
		return incident.Case{}, DomainError(err)
	}
	return out, nil
}

// Commands runs commands through the case workflows on Client: what the
// graph (schema.Commands) and the intake (intake.Commands) send commands
// with. New cases start under Policy.
type Commands struct {
	Client client.Client
	Policy incident.Policy
}

// Report opens case caseID through its workflow (Report, update-with-start).
func (c Commands) Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error) {
	ctx, cancel := commandContext(ctx)
	defer cancel()
	return Report(ctx, c.Client, caseID, Request[incident.Report]{Actor: actor, RequestID: requestID, Command: r}, c.Policy)
}

// Execute sends cmd to the workflow of case caseID as the Update of its name
// (Execute).
func (c Commands) Execute(ctx context.Context, caseID, actor, requestID string, expectedVersion *int64, cmd incident.Command) (incident.Case, error) {
	ctx, cancel := commandContext(ctx)
	defer cancel()
	return Execute(ctx, c.Client, caseID, Request[incident.Command]{
		Actor: actor, RequestID: requestID, ExpectedVersion: expectedVersion, Command: cmd,
	})
}

// commandAnswerTime is what a request keeps, after it stops waiting for a
// command, to answer that the command's outcome is not known yet
// (incident.ErrOutcomeUnknown) before the request's own timeout cuts it off.
const commandAnswerTime = 2 * time.Second

// commandContext is ctx with its deadline, if any, commandAnswerTime earlier.
func commandContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) <= 2*commandAnswerTime {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-commandAnswerTime))
}

// DomainError turns an error of a client call to a case workflow (update,
// update-with-start, query) back into an *incident.Error: the contract code
// and field the workflow sent, NOT_FOUND when the case's workflow does not
// exist, INTERNAL for anything else (with a message that leaks nothing). It
// returns nil for nil.
func DomainError(err error) error {
	if err == nil {
		return nil
	}
	var de *incident.Error
	if errors.As(err, &de) {
		return de
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && incident.IsCode(app.Type()) {
		field := ""
		_ = app.Details(&field)
		return &incident.Error{Code: app.Type(), Field: field, Message: app.Message()}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) && strings.Contains(notFound.Error(), "update was aborted") {
		// The run closed (continued as new) before it took the update.
		return incident.ErrOutcomeUnknown
	}
	if errors.As(err, &notFound) {
		return incident.Errorf(incident.CodeNotFound, "case not found")
	}
	if outcomeUnknown(err) {
		return incident.ErrOutcomeUnknown
	}
	return incident.Errorf(incident.CodeInternal, "internal error")
}

// outcomeUnknown reports whether err means the command may have been handed
// over but its outcome was not learned: the caller's time ran out, the
// engine was unreachable, or it dropped the update (it is redelivered).
func outcomeUnknown(err error) bool {
	var (
		deadline    *serviceerror.DeadlineExceeded
		unavailable *serviceerror.Unavailable
		canceled    *serviceerror.Canceled
	)
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &deadline) || errors.As(err, &unavailable) || errors.As(err, &canceled)
}

// Fingerprint returns the fingerprint of a command request's body: the
// command's name and content and the expected version, hashed.
func Fingerprint(cmd incident.Command, expected *int64) string {
	b, err := json.Marshal(struct {
		Name     string           `json:"name"`
		Command  incident.Command `json:"command"`
		Expected *int64           `json:"expected,omitempty"`
	}{cmd.Name(), cmd, expected})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
