package workflows_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"casetrail/workflows"
)

// digestMorning is 07:30 on 27 November 2026 in Vietnam.
var digestMorning = time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)

// digestFakes are the digest's activities in memory: Gather answers
// summaries (failing the first gatherFailures calls), Send records each
// call and fails for the leaders in failFor.
type digestFakes struct {
	mu             sync.Mutex
	summaries      []workflows.DigestSummary
	gatherFailures int
	gathers        []workflows.GatherDigestInput
	sends          []workflows.SendDigestInput
	failFor        map[string]bool
}

func (f *digestFakes) gather(_ context.Context, in workflows.GatherDigestInput) ([]workflows.DigestSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gathers = append(f.gathers, in)
	if len(f.gathers) <= f.gatherFailures {
		return nil, errors.New("database away")
	}
	return f.summaries, nil
}

func (f *digestFakes) send(_ context.Context, in workflows.SendDigestInput) (workflows.SendDigestResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = append(f.sends, in)
	if f.failFor[in.Leader] {
		return workflows.SendDigestResult{}, errors.New("smtp: connection refused")
	}
	return workflows.SendDigestResult{Sent: true, Channels: []string{"log"}, DigestSummary: workflows.DigestSummary{Leader: in.Leader}}, nil
}

// runDigest runs DailyDigest at start in the test suite (time skipping)
// with f as its activities.
func runDigest(t *testing.T, f *digestFakes, start time.Time) (*testsuite.TestWorkflowEnvironment, workflows.DigestResult, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	level := slog.LevelError
	if os.Getenv("CASETRAIL_TEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	suite.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.SetTestTimeout(30 * time.Second)
	workflows.Register(env)
	env.RegisterActivityWithOptions(f.gather, activity.RegisterOptions{Name: workflows.ActivityGatherDigest})
	env.RegisterActivityWithOptions(f.send, activity.RegisterOptions{Name: workflows.ActivitySendDigest})
	env.ExecuteWorkflow(workflows.DigestWorkflowName, workflows.DigestInput{})
	if !env.IsWorkflowCompleted() {
		t.Fatal("DailyDigest did not complete")
	}
	var res workflows.DigestResult
	err := env.GetWorkflowError()
	if err == nil {
		if gerr := env.GetWorkflowResult(&res); gerr != nil {
			t.Fatal(gerr)
		}
	}
	return env, res, err
}

// TestDailyDigestSendsToLeadersWithSomethingToSay: the run gathers once at
// its start time, sends one message per leader with something missed, due
// or waiting (none to the leader with nothing), each with its own key.
func TestDailyDigestSendsToLeadersWithSomethingToSay(t *testing.T) {
	f := &digestFakes{summaries: []workflows.DigestSummary{
		{Leader: "leader1", Missed: 2, DueToday: 1},
		{Leader: "leader2"},
		{Leader: "leader3", PendingApproval: 1},
	}}
	_, res, err := runDigest(t, f, digestMorning)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.gathers) != 1 || !f.gathers[0].At.Equal(digestMorning) {
		t.Fatalf("gathers %+v; want one at %s", f.gathers, digestMorning)
	}
	var leaders, keys []string
	for _, s := range f.sends {
		leaders = append(leaders, s.Leader)
		keys = append(keys, s.Key)
		if !s.At.Equal(digestMorning) {
			t.Errorf("send to %s at %s; want the gathering's %s", s.Leader, s.At, digestMorning)
		}
		if !strings.HasSuffix(s.Key, "/"+s.Leader) {
			t.Errorf("key %q does not name %s", s.Key, s.Leader)
		}
	}
	slices.Sort(leaders)
	if strings.Join(leaders, ",") != "leader1,leader3" {
		t.Fatalf("sent to %v; want leader1 and leader3 (leader2 has nothing)", leaders)
	}
	if keys[0] == keys[1] {
		t.Errorf("two messages with one key %q", keys[0])
	}
	slices.Sort(res.Sent)
	if res.Leaders != 3 || strings.Join(res.Sent, ",") != "leader1,leader3" || len(res.Failed) != 0 || !res.At.Equal(digestMorning) {
		t.Errorf("result %+v", res)
	}
}

// TestDailyDigestNothingDue: when no leader has anything, nothing is sent
// and the run succeeds.
func TestDailyDigestNothingDue(t *testing.T) {
	for name, sums := range map[string][]workflows.DigestSummary{
		"no leaders":         nil,
		"leaders, all quiet": {{Leader: "leader1"}, {Leader: "leader2"}},
	} {
		t.Run(name, func(t *testing.T) {
			f := &digestFakes{summaries: sums}
			_, res, err := runDigest(t, f, digestMorning)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.gathers) != 1 || len(f.sends) != 0 || len(res.Sent) != 0 || res.Leaders != len(sums) {
				t.Fatalf("gathers %d, sends %v, result %+v; want one gathering and no message", len(f.gathers), f.sends, res)
			}
		})
	}
}

// TestDailyDigestRetries: the gathering is retried while the database is
// away (time skipping runs the back-off); a send that keeps failing is
// retried up to its limit, the others are delivered, and the run fails as
// DIGEST_NOT_DELIVERED naming the leader, its result in the details.
func TestDailyDigestRetries(t *testing.T) {
	f := &digestFakes{gatherFailures: 3, failFor: map[string]bool{"leader3": true}, summaries: []workflows.DigestSummary{
		{Leader: "leader1", Missed: 1},
		{Leader: "leader3", DueToday: 4},
	}}
	env, _, err := runDigest(t, f, digestMorning)
	if len(f.gathers) != 4 {
		t.Errorf("%d gatherings; want 4 (3 failed)", len(f.gathers))
	}
	// The back-off of 1 s, 2 s, 4 s passed in skipped time.
	if got := f.gathers[3].At; !got.Equal(digestMorning) {
		t.Errorf("the retried gathering asked for %s; want the run's %s", got, digestMorning)
	}
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != "DIGEST_NOT_DELIVERED" || !strings.Contains(app.Error(), "leader3") {
		t.Fatalf("run error %v; want DIGEST_NOT_DELIVERED naming leader3", err)
	}
	var res workflows.DigestResult
	if derr := app.Details(&res); derr != nil {
		t.Fatal(derr)
	}
	if strings.Join(res.Sent, ",") != "leader1" || strings.Join(res.Failed, ",") != "leader3" {
		t.Errorf("result %+v; want leader1 sent, leader3 failed", res)
	}
	var tries int
	for _, s := range f.sends {
		if s.Leader == "leader3" {
			tries++
		}
	}
	if tries != 8 {
		t.Errorf("leader3's message tried %d times; want the 8 attempts of its retry policy", tries)
	}
	if env.Now().Sub(digestMorning) < time.Minute {
		t.Errorf("the run took %s of workflow time; the retries' back-off should have passed", env.Now().Sub(digestMorning))
	}
}

// TestDigestAt reads CASETRAIL_DIGEST_AT's values.
func TestDigestAt(t *testing.T) {
	for in, want := range map[string]string{"": "07:30", "07:30": "07:30", "7:05": "07:05", " 23:59 ": "23:59", "00:00": "00:00", "off": "off", "OFF": "off"} {
		got, err := workflows.ParseDigestAt(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseDigestAt(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"24:00", "7", "07:3", "07:60", "-1:00", "7h30", "07:30:00", "sáng"} {
		if got, err := workflows.ParseDigestAt(in); err == nil {
			t.Errorf("ParseDigestAt(%q) = %v; want an error", in, got)
		}
	}
	at, _ := workflows.ParseDigestAt("07:30")
	spec := at.Spec()
	if spec.TimeZoneName != "Asia/Ho_Chi_Minh" || len(spec.Calendars) != 1 || !workflows.CalendarAt(spec.Calendars[0], 7, 30) {
		t.Errorf("spec %+v; want 07:30:00 every day in Asia/Ho_Chi_Minh", spec)
	}
	if workflows.CalendarAt(spec.Calendars[0], 7, 31) {
		t.Error("CalendarAt matches another minute")
	}
}
