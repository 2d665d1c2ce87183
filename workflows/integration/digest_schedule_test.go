package integration

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"casetrail/workflows"
)

// TestDigestSchedule runs the digest's Schedule on the real Temporal test
// server: EnsureDigestSchedule creates it (07:30 every day in
// Asia/Ho_Chi_Minh: the server's next times are 00:30 UTC, a day apart),
// leaves it alone when unchanged, updates it when the time changes
// (keeping an operator's pause), and deletes it with "off". Triggering it
// starts DailyDigest on the case task queue, which gathers and sends once.
func TestDigestSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs the Temporal test server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ts := temporaltest.NewServer(temporaltest.WithT(t), dynamicConfig())
	c := ts.GetDefaultClient()

	var mu sync.Mutex
	var gathers, sends []string
	w := worker.New(c, workflows.TaskQueue, worker.Options{})
	workflows.Register(w)
	w.RegisterActivityWithOptions(func(_ context.Context, in workflows.GatherDigestInput) ([]workflows.DigestSummary, error) {
		mu.Lock()
		defer mu.Unlock()
		gathers = append(gathers, in.At.String())
		return []workflows.DigestSummary{{Leader: "leader1", Missed: 1}, {Leader: "leader2"}}, nil
	}, activity.RegisterOptions{Name: workflows.ActivityGatherDigest})
	w.RegisterActivityWithOptions(func(_ context.Context, in workflows.SendDigestInput) (workflows.SendDigestResult, error) {
		mu.Lock()
		defer mu.Unlock()
		sends = append(sends, in.Leader)
		return workflows.SendDigestResult{Sent: true, DigestSummary: workflows.DigestSummary{Leader: in.Leader, Missed: 1}}, nil
	}, activity.RegisterOptions{Name: workflows.ActivitySendDigest})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ensure := func(s, want string) {
		t.Helper()
		at, err := workflows.ParseDigestAt(s)
		if err != nil {
			t.Fatal(err)
		}
		did, err := workflows.EnsureDigestSchedule(ctx, c, at)
		if err != nil || did != want {
			t.Fatalf("EnsureDigestSchedule(%s) = %q, %v; want %q", s, did, err, want)
		}
	}
	h := c.ScheduleClient().GetHandle(ctx, workflows.DigestScheduleID)
	describe := func() *client.ScheduleDescription {
		t.Helper()
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// wantAt checks the spec and the server's next action times.
	wantAt := func(d *client.ScheduleDescription, hour, minute int) {
		t.Helper()
		spec := d.Schedule.Spec
		if spec.TimeZoneName != "Asia/Ho_Chi_Minh" || len(spec.Calendars) != 1 || !workflows.CalendarAt(spec.Calendars[0], hour, minute) {
			t.Fatalf("spec %+v; want %02d:%02d every day in Asia/Ho_Chi_Minh", spec, hour, minute)
		}
		next := d.Info.NextActionTimes
		if len(next) < 2 {
			t.Fatalf("next action times %v", next)
		}
		for i, n := range next {
			local := n.In(time.FixedZone("ICT", 7*3600))
			if local.Hour() != hour || local.Minute() != minute || local.Second() != 0 {
				t.Errorf("next action %s is %s in Vietnam; want %02d:%02d", n, local.Format("15:04:05"), hour, minute)
			}
			if i > 0 && n.Sub(next[i-1]) != 24*time.Hour {
				t.Errorf("next actions %s and %s are not a day apart", next[i-1], n)
			}
		}
	}

	ensure("07:30", workflows.ScheduleCreated)
	ensure("07:30", workflows.ScheduleUnchanged) // a restart
	d := describe()
	wantAt(d, 7, 30)
	act, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	if !ok || act.Workflow != workflows.DigestWorkflowName || act.TaskQueue != workflows.TaskQueue {
		t.Fatalf("action %+v; want DailyDigest on %s", d.Schedule.Action, workflows.TaskQueue)
	}
	if p := d.Schedule.Policy; p.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_SKIP || p.CatchupWindow != workflows.DigestCatchupWindow {
		t.Errorf("policies %+v", p)
	}

	// An operator pauses it; a start with another time updates the time
	// and leaves the pause.
	if err := h.Pause(ctx, client.SchedulePauseOptions{Note: "nghỉ Tết"}); err != nil {
		t.Fatal(err)
	}
	ensure("6:45", workflows.ScheduleUpdated)
	ensure("06:45", workflows.ScheduleUnchanged)
	d = describe()
	if !d.Schedule.State.Paused {
		t.Error("the update unpaused the schedule")
	}
	if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{}); err != nil {
		t.Fatal(err)
	}
	wantAt(describe(), 6, 45)

	// Triggered, it runs the digest once.
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var runID string
	for deadline := time.Now().Add(30 * time.Second); runID == ""; {
		if d := describe(); len(d.Info.RecentActions) > 0 {
			runID = d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the triggered schedule started no workflow")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.HasPrefix(runID, workflows.DigestScheduleID) {
		t.Errorf("workflow id %q", runID)
	}
	var res workflows.DigestResult
	if err := c.GetWorkflow(ctx, runID, "").Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(gathers) != 1 || strings.Join(sends, ",") != "leader1" {
		t.Errorf("gathers %v, sends %v; want one gathering and one message, to leader1", gathers, sends)
	}
	mu.Unlock()
	if res.Leaders != 2 || strings.Join(res.Sent, ",") != "leader1" {
		t.Errorf("result %+v", res)
	}

	ensure("off", workflows.ScheduleDeleted)
	var nf *serviceerror.NotFound
	if _, err := h.Describe(ctx); !errors.As(err, &nf) {
		t.Errorf("Describe after off: %v; want not found", err)
	}
	ensure("off", workflows.ScheduleAbsent)
}
