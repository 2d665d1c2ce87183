package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// caseWorkflow is the state of one run of IncidentWorkflow.
type caseWorkflow struct {
	workflowID    string
	caseID        string
	policy        incident.Policy
	state         incident.Case
	handled       []string
	continueAfter int

	lock        workflow.Mutex // serialises handlers and the clock
	clock       deadlineClock
	attrs       searchAttrs
	inflight    int  // notifications and deliveries still running
	dispatching bool // a background retry of the escalation dispatch runs
}

func newCaseWorkflow(ctx workflow.Context, in Input) (*caseWorkflow, error) {
	info := workflow.GetInfo(ctx)
	w := &caseWorkflow{
		workflowID:    info.WorkflowExecution.ID,
		caseID:        in.CaseID,
		policy:        in.Policy,
		handled:       append([]string(nil), in.Handled...),
		continueAfter: in.ContinueAfter,
		lock:          workflow.NewMutex(ctx),
	}
	if w.caseID == "" {
		w.caseID = strings.TrimPrefix(w.workflowID, "case-")
	}
	if err := w.policy.Validate(); err != nil {
		workflow.GetLogger(ctx).Warn("invalid deadline policy; using the defaults", "error", err)
		w.policy = incident.DefaultPolicy()
	}
	if in.State != nil {
		w.state = in.State.Clone()
	}
	if err := workflow.SetQueryHandler(ctx, QueryCase, func() (incident.Case, error) {
		return w.state, nil
	}); err != nil {
		return nil, fmt.Errorf("set query handler: %w", err)
	}
	if err := w.registerCommands(ctx); err != nil {
		return nil, err
	}
	w.attrs.sync(ctx, &w.state)
	w.keepDispatching(ctx)
	return w, nil
}

// vietnam is the zone case numbers and dispatch numbers count years in.
var vietnam = time.FixedZone("ICT", 7*60*60)

// now is the workflow's clock in UTC.
func (w *caseWorkflow) now(ctx workflow.Context) time.Time { return workflow.Now(ctx).UTC() }

// localTime formats t in Vietnam time for people.
func localTime(t time.Time) string { return t.In(vietnam).Format("15:04 02/01/2006") }

// seen reports whether request id was already applied.
func (w *caseWorkflow) seen(id string) bool {
	for _, h := range w.handled {
		if h == id {
			return true
		}
	}
	return false
}

// remember records request id as applied, keeping the latest maxHandled.
func (w *caseWorkflow) remember(id string) {
	w.handled = append(w.handled, id)
	if n := len(w.handled) - maxHandled; n > 0 {
		w.handled = append([]string(nil), w.handled[n:]...)
	}
}

// background runs f beside the case (notifications, deliveries): its failure
// is logged and never blocks or fails a command. Continue-as-new waits for it.
func (w *caseWorkflow) background(ctx workflow.Context, what string, f func(workflow.Context) error) {
	w.inflight++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { w.inflight-- }()
		if err := f(ctx); err != nil {
			workflow.GetLogger(ctx).Warn(what+" failed", "case", w.caseID, "error", err)
		}
	})
}

// activity returns ctx with the options of one of the activity classes below.
func activity(ctx workflow.Context, o workflow.ActivityOptions) workflow.Context {
	return workflow.WithActivityOptions(ctx, o)
}

// local returns ctx for the short database activities (the event store and
// the numbering tables), run as local activities: in the worker that runs the
// workflow, without a round trip through the server's task queues. This
// cuts a command from about 45 ms to about 12 ms on the test server (see
// BenchmarkCommand). Transient failures are retried quickly, typed errors
// (CONFLICT) are not.
func local(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second,
		},
	})
}

var (
	// lookupOptions: reads that may fail without harm (the official-account registry).
	lookupOptions = workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second,
		},
	}
	// deliveryOptions: notifications and takedown requests, retried for a while.
	deliveryOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 8,
		},
	}
	// dispatchOptions: the escalation dispatch the approveEscalation update waits for.
	dispatchOptions = workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
		},
	}
)
