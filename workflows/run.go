package workflows

import (
	"fmt"
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
	handled       []HandledRequest
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
		handled:       append([]HandledRequest(nil), in.Requests...),
		continueAfter: in.ContinueAfter,
		lock:          workflow.NewMutex(ctx),
	}
	for _, id := range in.Handled {
		w.handled = append(w.handled, HandledRequest{ID: id, At: workflow.Now(ctx).UTC()})
	}
	if w.caseID == "" {
		// Older starts left the case id out; the workflow id is the case's
		// stream name (WorkflowID).
		w.caseID = w.workflowID
		if id, ok := incident.CaseIDOf(w.workflowID); ok {
			w.caseID = id
		}
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

// HandledRequest is a request the case applied: its id (the caller-scoped
// idempotency key), the fingerprint of its body and when it was applied.
type HandledRequest struct {
	ID          string    `json:"id"`
	Fingerprint string    `json:"fp,omitempty"`
	At          time.Time `json:"at"`
}

// seen returns the applied request with id, if any.
func (w *caseWorkflow) seen(id string) (HandledRequest, bool) {
	for _, h := range w.handled {
		if h.ID == id {
			return h, true
		}
	}
	return HandledRequest{}, false
}

// remember records request m as applied at now, forgetting those older
// than requestMemory and keeping at most maxHandled.
func (w *caseWorkflow) remember(m meta, now time.Time) {
	keep := w.handled[:0]
	for _, h := range w.handled {
		if now.Sub(h.At) < requestMemory {
			keep = append(keep, h)
		}
	}
	w.handled = append(keep, HandledRequest{ID: m.id, Fingerprint: m.fingerprint, At: now})
	if n := len(w.handled) - maxHandled; n > 0 {
		w.handled = append([]HandledRequest(nil), w.handled[n:]...)
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

// storeVersion is the workflow.GetVersion change that moved the event-store
// activities (AppendEvents, ReadEvents) from local to regular activities.
// Runs started before it keep the local ones.
const storeVersion = "store-as-regular-activity"

// systemLocalVersion is the workflow.GetVersion change that stores what the
// case writes on its own (batch.system: the deadline clock's events and the
// records of notifications) by a local activity, inside the workflow task
// that decided it, instead of a regular activity: a deadline firing then
// costs the Temporal server one workflow task instead of two, and a
// notification's record one instead of two (issue 19's deadline storm).
//
// What the package doc says of commands does not bind these: no caller waits
// for their answer, and their event ids derive from the case's version
// ("clock:<version>") or the notification ("notify:<key>"). If the task that
// stored them is lost (it timed out, the worker died), the task that replaces
// it runs the same decision on the same case and the store answers the
// stored batch; should that task decide otherwise (a command came first),
// append finds the store ahead, folds what it holds and the command is
// decided again on it — the path the package doc describes for older runs.
const systemLocalVersion = "system-writes-local"

// store runs an event-store activity and decodes its result into out.
// Commands' writes (system false) go by a regular activity: it is scheduled
// by a completed workflow task, so no append can happen in a task the server
// later drops (see the package doc). What the case writes on its own goes by
// a local activity in runs since systemLocalVersion. Histories recorded
// before storeVersion replay their local activities.
func (w *caseWorkflow) store(ctx workflow.Context, system bool, name string, in, out any) error {
	if workflow.GetVersion(ctx, storeVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return workflow.ExecuteLocalActivity(local(ctx), name, in).Get(ctx, out)
	}
	if system && workflow.GetVersion(ctx, systemLocalVersion, workflow.DefaultVersion, 1) == 1 {
		return workflow.ExecuteLocalActivity(local(ctx), name, in).Get(ctx, out)
	}
	return workflow.ExecuteActivity(activity(ctx, storeOptions), name, in).Get(ctx, out)
}

// local returns ctx for local activities, run in the worker that runs the
// workflow without a round trip through the server: case numbers (whose
// allocation is keyed by the case, so running it again in a replayed task
// returns the same number) and, in runs older than storeVersion, the event
// store. A failure the database may recover from is retried until it does:
// a command never ends in an error that is not its answer.
func local(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         storeRetryPolicy,
	})
}

// storeRetryPolicy retries a database activity quickly at first, then every
// 5 s, with no limit; typed errors (CONFLICT, refused events) are not retried.
var storeRetryPolicy = &temporal.RetryPolicy{
	InitialInterval: 200 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 5 * time.Second,
}

var (
	// storeOptions: the event store. No overall limit: while the database is
	// away the command waits for it (its caller may time out and retry with
	// the same Idempotency-Key, which joins this update).
	storeOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         storeRetryPolicy,
	}
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
