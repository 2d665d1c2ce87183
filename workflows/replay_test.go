package workflows_test

import (
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
	"casetrail/workflows"
)

// The histories were recorded from the real Temporal test server by
// `go test ./workflows/integration -args -record-history`; re-record them
// only for a deliberate, versioned (workflow.GetVersion) change.
// escalation-v0 is an escalation approved and sent by the code before
// letterVersion (commit 250c87c, the same walk as the integration's
// "escalation letter"): it replays SendEscalation's numbering. notified
// is a case whose notifications are recorded as delivery events
// (notifyVersion; the integration's "notifications").
func histories(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.history.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded histories in testdata (%v)", err)
	}
	return files
}

// TestReplay replays recorded histories of real case workflows with the
// current code: a non-deterministic change to IncidentWorkflow fails here.
func TestReplay(t *testing.T) {
	for _, f := range histories(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			workflows.Register(r)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Errorf("replay: %v", err)
			}
		})
	}
}

// TestReplayDetectsChange proves the replay test can fail: a workflow that
// starts with an extra timer no longer matches any recorded history.
func TestReplayDetectsChange(t *testing.T) {
	changed := func(ctx workflow.Context, in workflows.Input) (incident.Case, error) {
		if err := workflow.Sleep(ctx, time.Minute); err != nil {
			return incident.Case{}, err
		}
		return workflows.IncidentWorkflow(ctx, in)
	}
	for _, f := range histories(t) {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(changed, workflow.RegisterOptions{Name: workflows.WorkflowName})
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err == nil {
			t.Errorf("%s: a changed workflow replayed without error", filepath.Base(f))
		}
	}
}
