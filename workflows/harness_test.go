package workflows_test

import (
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
	"casetrail/workflows"
	"casetrail/workflows/internal/fixture"
)

// t0 is when every test case is reported: 08:00 in Vietnam.
var t0 = time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)

const (
	caseID  = "0c6c1d7e-5a43-4f8e-9d5f-0a1b2c3d4e5f"
	handler = "handler1"
	leader  = "leader1"
)

// harness runs IncidentWorkflow in the testsuite (time skipping) against the
// in-memory activities, sends updates at given offsets and records outcomes.
type harness struct {
	t        *testing.T
	suite    testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	acts     *memActivities
	outcomes map[string]*outcome
	attrs    map[string]string // search attributes as last upserted
	upserts  int
}

// outcome is what became of one update.
type outcome struct {
	rejected  bool
	completed bool
	c         incident.Case
	err       error
}

func newHarness(t *testing.T, acts *memActivities, start time.Time) *harness {
	t.Helper()
	h := &harness{t: t, acts: acts, outcomes: map[string]*outcome{}, attrs: map[string]string{}}
	h.suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))))
	h.env = h.suite.NewTestWorkflowEnvironment()
	h.env.SetStartTime(start)
	h.env.SetTestTimeout(30 * time.Second)
	workflows.Register(h.env)
	h.env.RegisterActivity(acts)
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		h.upserts++
		for _, k := range workflows.SearchAttributeKeys {
			if v, ok := sa.GetKeyword(k); ok {
				h.attrs[k.GetName()] = v
			} else if sa.ContainsKey(k) {
				delete(h.attrs, k.GetName())
			}
		}
	})
	return h
}

// logLevel is Warn, or Debug with CASETRAIL_TEST_DEBUG set.
func logLevel() slog.Level {
	if os.Getenv("CASETRAIL_TEST_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// request is what the harness sends: the JSON of Request[C] for any command.
type request = workflows.Request[incident.Command]

// at sends cmd as actor at offset d from the start, with update id id.
func (h *harness) at(d time.Duration, id, actor string, cmd incident.Command) {
	h.atReq(d, id, request{Actor: actor, RequestID: id, Command: cmd})
}

// atReq sends req at offset d with update id id.
func (h *harness) atReq(d time.Duration, id string, req request) {
	h.env.RegisterDelayedCallback(func() { h.send(id, req) }, d)
}

// send sends req now (from inside a delayed callback).
func (h *harness) send(id string, req request) {
	o := &outcome{}
	h.outcomes[id] = o
	h.env.UpdateWorkflow(req.Command.Name(), id, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { o.rejected, o.err = true, err },
		OnComplete: func(v any, err error) {
			o.completed, o.err = true, err
			switch x := v.(type) {
			case incident.Case:
				o.c = x
			case converter.EncodedValue:
				_ = x.Get(&o.c)
			}
		},
	}, req)
}

// query returns the current case (from inside a delayed callback).
func (h *harness) query() incident.Case {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryCase)
	if err != nil {
		h.t.Fatalf("query: %v", err)
	}
	var c incident.Case
	if err := v.Get(&c); err != nil {
		h.t.Fatalf("query result: %v", err)
	}
	return c
}

// run executes the workflow with in and cancels it at offset end; it returns
// the workflow's error (nil, a cancellation or a continue-as-new).
func (h *harness) run(in workflows.Input, end time.Duration) error {
	h.env.RegisterDelayedCallback(h.env.CancelWorkflow, end)
	h.env.ExecuteWorkflow(workflows.IncidentWorkflow, in)
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	err := h.env.GetWorkflowError()
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) {
		return nil
	}
	return err
}

// ok returns the case an update returned, failing the test if it did not succeed.
func (h *harness) ok(id string) incident.Case {
	h.t.Helper()
	o := h.outcomes[id]
	switch {
	case o == nil:
		h.t.Fatalf("update %s was never sent", id)
	case o.rejected || o.err != nil:
		h.t.Fatalf("update %s failed: %v", id, o.err)
	case !o.completed:
		h.t.Fatalf("update %s did not complete", id)
	}
	return o.c
}

// refused returns the domain error of an update that must have failed.
func (h *harness) refused(id string) *incident.Error {
	h.t.Helper()
	o := h.outcomes[id]
	if o == nil {
		h.t.Fatalf("update %s was never sent", id)
	}
	if o.err == nil {
		h.t.Fatalf("update %s succeeded, want an error", id)
	}
	var de *incident.Error
	if !errors.As(workflows.DomainError(o.err), &de) {
		h.t.Fatalf("update %s: DomainError(%v) is not an *incident.Error", id, o.err)
	}
	return de
}

// continued returns the input of the next run after a continue-as-new.
func continued(t *testing.T, err error) workflows.Input {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	if can.WorkflowType.Name != workflows.WorkflowName {
		t.Fatalf("continued as %q", can.WorkflowType.Name)
	}
	var in workflows.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

// eventTypes lists the types of events.
func eventTypes(events []workflows.StoredEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// decoded returns the payloads of the events of type typ.
func decoded[P incident.Payload](t *testing.T, events []workflows.StoredEvent) ([]P, []workflows.StoredEvent) {
	t.Helper()
	var ps []P
	var es []workflows.StoredEvent
	for _, e := range events {
		p, err := incident.DecodePayload(e.Type, e.Data)
		if err != nil {
			t.Fatal(err)
		}
		if x, ok := p.(P); ok {
			ps = append(ps, x)
			es = append(es, e)
		}
	}
	return ps, es
}

var (
	reportCmd   = fixture.Report
	triageCmd   = fixture.Triage
	analysisCmd = fixture.Analysis
	takedownCmd = fixture.Takedown
	responseCmd = fixture.Response
)

// step is one command of a scripted walk.
type step struct {
	id    string
	actor string
	cmd   incident.Command
}

// walk sends steps one minute apart from offset from, and returns the
// offset after the last one.
func (h *harness) walk(from time.Duration, steps ...step) time.Duration {
	for i, s := range steps {
		h.at(from+time.Duration(i)*time.Minute, s.id, s.actor, s.cmd)
	}
	return from + time.Duration(len(steps))*time.Minute
}

// then returns base followed by more, never sharing base's array.
func then(base []step, more ...step) []step {
	return append(append([]step(nil), base...), more...)
}

// The walks that bring a case to each point of its life.
var (
	toReported  = []step{{"report", "reporter1", reportCmd()}}
	toTriaged   = then(toReported, step{"triage", handler, triageCmd()})
	toAnalysis  = then(toTriaged, step{"start", handler, incident.StartAnalysis{}})
	toAnalysed  = then(toAnalysis, step{"analyse", handler, analysisCmd()})
	toAction    = then(toAnalysed, step{"takedown", handler, takedownCmd()})
	toEscalated = then(toAction, step{"escalate", handler, incident.RequestEscalation{Reason: "Nền tảng không phản hồi"}})
	toSent      = then(toEscalated, step{"approve", leader, incident.ApproveEscalation{Note: "Đồng ý"}})
	toResolved  = then(toAction, step{"resolve", handler, incident.Resolve{Resolution: "Bài viết đã bị gỡ"}})
)
