package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"casetrail/eventstore"
	"casetrail/incident"
	"casetrail/workflows"
)

// taskLoser fails the workflow task in which the result of every failEvery-th
// append reaches the workflow (a panic in workflow code: the worker fails the
// task, the server schedules it again and the worker replays the history),
// at most maxLosses times. It also counts how often AppendEvents ran.
type taskLoser struct {
	interceptor.WorkerInterceptorBase
	failEvery int64
	maxLosses int64

	appendsSeen atomic.Int64 // append results the workflow received (not replayed)
	losses      atomic.Int64 // workflow tasks failed
	executions  atomic.Int64 // AppendEvents executions of commands' batches in the worker
}

func (l *taskLoser) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &loserInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, l: l}
}

func (l *taskLoser) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &loserActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, l: l}
}

type loserActivity struct {
	interceptor.ActivityInboundInterceptorBase
	l *taskLoser
}

func (a *loserActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	// A command's append runs once; what the case writes on its own (the
	// clock, delivery records) is a local activity that runs again when its
	// task is lost, and the store answers the stored batch (its events are
	// counted once below).
	if activity.GetInfo(ctx).ActivityType.Name == workflows.ActivityAppendEvents && len(in.Args) == 1 {
		if ai, ok := in.Args[0].(workflows.AppendInput); ok && len(ai.Events) > 0 && strings.HasPrefix(ai.Events[0].CorrelationID, "req:") {
			a.l.executions.Add(1)
		}
	}
	return a.Next.ExecuteActivity(ctx, in)
}

type loserInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	l *taskLoser
}

func (i *loserInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&loserOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, l: i.l})
}

type loserOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	l *taskLoser
}

func (o *loserOutbound) ExecuteActivity(ctx workflow.Context, name string, args ...any) workflow.Future {
	return o.wrap(name, o.Next.ExecuteActivity(ctx, name, args...))
}

func (o *loserOutbound) ExecuteLocalActivity(ctx workflow.Context, name string, args ...any) workflow.Future {
	return o.wrap(name, o.Next.ExecuteLocalActivity(ctx, name, args...))
}

func (o *loserOutbound) wrap(name string, f workflow.Future) workflow.Future {
	if name != workflows.ActivityAppendEvents {
		return f
	}
	return losingFuture{Future: f, l: o.l}
}

// losingFuture is an append's future whose Get loses the workflow task.
type losingFuture struct {
	workflow.Future
	l *taskLoser
}

func (f losingFuture) Get(ctx workflow.Context, out any) error {
	err := f.Future.Get(ctx, out)
	// A task the server sent again after a loss is not lost again: the
	// server backs off from a workflow whose tasks keep failing.
	if err == nil && !workflow.IsReplaying(ctx) && workflow.GetInfo(ctx).Attempt == 1 &&
		f.l.appendsSeen.Add(1)%f.l.failEvery == 0 && f.l.losses.Load() < f.l.maxLosses {
		f.l.losses.Add(1)
		panic("test: the workflow task is lost right after an append")
	}
	return err
}

// TestLostWorkflowTasks sends 30 concurrent commands of three kinds from three
// subjects to one case, in two waves (after a deadline's reminder and when
// it is missed), while workflow tasks are lost right after appends, and checks what issue 11 asks: every
// command answered with success, each stored exactly once, the reminder and
// the miss stored once each, every command's append executed once (none
// runs inside a task that is then lost), and the workflow's case equal to
// the fold of its stream.
func TestLostWorkflowTasks(t *testing.T) {
	loser := &taskLoser{failEvery: 3, maxLosses: 8}
	it := newIntegration(t, worker.Options{
		Interceptors:        []interceptor.WorkerInterceptor{loser},
		WorkflowPanicPolicy: worker.BlockWorkflow, // a panic fails the task, not the workflow
	})
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "lost-" + caseID
	// The analysis deadline reminds at 2 s and is missed at 4 s after the
	// triage. The clock decides on the time it runs: a reminder that comes
	// after its deadline has passed is not sent, only the miss. Commands
	// queued ahead of the clock could delay the reminder that long on a
	// loaded machine, so half of them start once the reminder is stored and
	// half when the deadline is due: the miss races them, and its delivery
	// records go in among them, however fast the machine is.
	policy := incident.DefaultPolicy()
	policy.Analysis = map[incident.Severity]time.Duration{incident.Low: 4 * time.Second, incident.Medium: 4 * time.Second, incident.High: 4 * time.Second, incident.Critical: 4 * time.Second}
	policy.Reminders = []float64{0.5}
	if _, err := workflows.Report(it.ctx, it.client, caseID,
		workflows.Request[incident.Report]{Actor: "reporter1", RequestID: "report-" + caseID, Command: rep}, policy); err != nil {
		t.Fatal(err)
	}
	triaged := cmd(it, caseID, handler, triageCmd())
	var due time.Time
	for _, d := range triaged.Deadlines {
		if d.Kind == incident.DeadlineAnalysis && d.State == incident.StatePending {
			due = d.DueAt
		}
	}
	if due.IsZero() {
		t.Fatalf("no pending analysis deadline after the triage: %+v", triaged.Deadlines)
	}
	before := len(caseEvents(it.events(caseID)))
	it.eventually(20*time.Second, "the analysis deadline's reminder", func() bool {
		return slices.Contains(recordedTypes(it.events(caseID)), incident.TypeDeadlineReminder)
	})

	const n = 30
	actors := []string{"reporter1", handler, leader}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 1 {
				time.Sleep(time.Until(due))
			}
			actor := actors[i%len(actors)]
			var c incident.Command = incident.Comment{Text: fmt.Sprintf("ý kiến %d", i)}
			switch i % 5 {
			case 3:
				c = incident.Assign{Assignee: fmt.Sprintf("handler-%d", i)}
			case 4:
				c = incident.AddEvidence{Description: fmt.Sprintf("chứng cứ %d", i), MediaType: "text/plain",
					SHA256: fmt.Sprintf("%064x", i), SizeBytes: 1}
			}
			_, errs[i] = workflows.Execute(it.ctx, it.client, caseID,
				workflows.Request[incident.Command]{Actor: actor, RequestID: fmt.Sprintf("cmd-%d", i), Command: c})
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	for i, err := range errs {
		if err != nil {
			t.Errorf("command %d: %v", i, err)
		}
	}
	if loser.losses.Load() == 0 {
		t.Fatal("no workflow task was lost: the test did not test anything")
	}
	it.eventually(20*time.Second, "the analysis deadline missed", func() bool {
		return slices.Contains(recordedTypes(it.events(caseID)), incident.TypeDeadlineMissed)
	})

	// The miss's notification is recorded after it, and the last commands'
	// may be after that: compare the workflow's case with a read of the
	// stream at the same version.
	it.eventually(20*time.Second, "the miss's delivery record", func() bool {
		_, ok := deliveryRecord(it.events(caseID), incident.TypeDeadlineMissed)
		return ok
	})
	var recs []eventstore.RecordedEvent
	var got incident.Case
	it.eventually(20*time.Second, "the workflow's case and its stream at one version", func() bool {
		var err error
		if got, err = queryCase(it.ctx, it.client, caseID); err != nil {
			t.Fatal(err)
		}
		recs = it.events(caseID)
		return len(recs) > 0 && recs[len(recs)-1].Version == got.Version
	})
	clock := map[string]int{}
	for _, r := range caseEvents(recs)[before:] {
		if r.Type == incident.TypeDeadlineReminder || r.Type == incident.TypeDeadlineMissed {
			clock[r.Type]++
		}
	}
	if clock[incident.TypeDeadlineReminder] != 1 || clock[incident.TypeDeadlineMissed] != 1 {
		t.Errorf("the clock stored %v, want one reminder and one miss", clock)
	}
	if want := before + n + 2; len(caseEvents(recs)) != want {
		t.Errorf("%d events stored besides delivery records, want %d: %v", len(caseEvents(recs)), want, recordedTypes(recs))
	}
	seen := map[string]int{}
	commands := 0
	for _, r := range recs {
		seen[r.Metadata.CorrelationID]++
		if strings.HasPrefix(r.Metadata.CorrelationID, "req:") && seen[r.Metadata.CorrelationID] == 1 {
			commands++
		}
	}
	for i := range n {
		if k := fmt.Sprintf("req:cmd-%d", i); seen[k] != 1 {
			t.Errorf("command %d stored %d times", i, seen[k])
		}
	}
	if got, want := loser.executions.Load(), int64(commands); got != want {
		t.Errorf("AppendEvents ran %d times for %d stored commands' batches: an append ran again", got, want)
	}

	if want := foldStream(t, recs); !sameCase(t, got, want) {
		t.Errorf("the workflow's case differs from the fold of its stream:\nworkflow %+v\nstream   %+v", got, want)
	}
	if rep, err := it.store.Verify(it.ctx, incident.StreamOf(caseID)); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
	t.Logf("%d workflow tasks lost, %d appends; the commands took %v", loser.losses.Load(), loser.executions.Load(), took.Round(time.Millisecond))
	it.finish(caseID, "")
}

// foldStream folds stored events into a case with the one fold, incident.Apply.
func foldStream(t *testing.T, recs []eventstore.RecordedEvent) incident.Case {
	t.Helper()
	var c incident.Case
	for _, r := range recs {
		p, err := incident.DecodePayload(r.Type, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		ev := incident.Event{ID: r.ID, Type: r.Type, Actor: r.Metadata.Actor, At: r.OccurredAt.UTC(), Data: p,
			Version: r.Version, GlobalPosition: r.GlobalPosition}
		if err := incident.Apply(&c, ev); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// sameCase compares two cases by their JSON.
func sameCase(t *testing.T, a, b incident.Case) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
