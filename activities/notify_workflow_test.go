package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"casetrail/activities"
	"casetrail/incident"
	"casetrail/workflows"
)

// caseRun runs IncidentWorkflow in the testsuite (time skipping) on the
// real activities: the event store in PostgreSQL, e-mail to the sink.
type caseRun struct {
	t       *testing.T
	suite   testsuite.WorkflowTestSuite
	env     *testsuite.TestWorkflowEnvironment
	caseID  string
	answers map[string]*updateAnswer
}

type updateAnswer struct {
	done bool
	err  error
	c    incident.Case
}

func newCaseRun(t *testing.T, a *activities.Activities) *caseRun {
	r := &caseRun{t: t, caseID: uuid.NewString(), answers: map[string]*updateAnswer{}}
	r.env = r.suite.NewTestWorkflowEnvironment()
	r.env.SetStartTime(notifyAt)
	r.env.SetTestTimeout(2 * time.Minute)
	// Event ids derive from the workflow id: each case its own.
	r.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.WorkflowID(r.caseID)})
	workflows.Register(r.env)
	activities.Register(r.env, a)
	r.env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
	return r
}

// at sends cmd by actor at offset d.
func (r *caseRun) at(d time.Duration, id, actor string, cmd incident.Command) {
	r.env.RegisterDelayedCallback(func() { r.send(id, actor, nil, cmd) }, d)
}

func (r *caseRun) send(id, actor string, expected *int64, cmd incident.Command) {
	ans := &updateAnswer{}
	r.answers[id] = ans
	r.env.UpdateWorkflow(cmd.Name(), id, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { ans.done, ans.err = true, err },
		OnComplete: func(v any, err error) {
			ans.done, ans.err = true, err
			if ev, ok := v.(converter.EncodedValue); ok {
				_ = ev.Get(&ans.c)
			} else if c, ok := v.(incident.Case); ok {
				ans.c = c
			}
		},
	}, workflows.Request[incident.Command]{Actor: actor, RequestID: id, ExpectedVersion: expected, Command: cmd})
}

// run executes the case's workflow until end.
func (r *caseRun) run(end time.Duration) {
	r.t.Helper()
	r.env.RegisterDelayedCallback(r.env.CancelWorkflow, end)
	r.env.ExecuteWorkflow(workflows.IncidentWorkflow, workflows.Input{CaseID: r.caseID, Policy: incident.DefaultPolicy()})
	if !r.env.IsWorkflowCompleted() {
		r.t.Fatal("workflow did not complete")
	}
	var canceled *temporal.CanceledError
	if err := r.env.GetWorkflowError(); err != nil && !errors.As(err, &canceled) {
		r.t.Fatal(err)
	}
}

// ok returns the case an update answered, failing without one.
func (r *caseRun) ok(id string) incident.Case {
	r.t.Helper()
	a := r.answers[id]
	if a == nil || !a.done || a.err != nil {
		r.t.Fatalf("update %s: %+v (report: %v; workflow: %v)", id, a, r.answers["report"].err, r.env.GetWorkflowError())
	}
	return a.c
}

// records returns the delivery records stored in the case's stream.
func (r *caseRun) records() []incident.NotificationSent {
	r.t.Helper()
	recs, err := store.ReadStream(context.Background(), incident.StreamOf(r.caseID), 1, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []incident.NotificationSent
	for _, e := range recs {
		if !incident.IsDeliveryRecord(e.Type) {
			continue
		}
		var n incident.NotificationSent
		if err := json.Unmarshal(e.Data, &n); err != nil {
			r.t.Fatal(err)
		}
		if e.Type == incident.TypeNotificationFailed {
			n.Subject = "FAILED " + n.Subject
		}
		if e.Metadata.Actor != incident.SystemActor || e.Metadata.CausationID != n.Key {
			r.t.Errorf("record %s by %s caused by %s", n.Key, e.Metadata.Actor, e.Metadata.CausationID)
		}
		out = append(out, n)
	}
	return out
}

// TestCaseNotificationsByEmail walks a case through the workflow and the
// real activities: the assignment, the approval request, the approval
// deadline's two reminders and its miss, and the resolution each arrive
// once by e-mail to the right people, in Vietnamese, and each is recorded
// once in the case's history.
func TestCaseNotificationsByEmail(t *testing.T) {
	s := newSink(t)
	a, _ := mailActivities(t, s)
	r := newCaseRun(t, a)
	r.at(0, "report", "reporter1", caseReport(r.caseID))
	r.at(time.Minute, "triage", "handler1", incident.Triage{Severity: incident.Medium, Assignee: "handler2"})
	r.at(2*time.Minute, "start", "handler2", incident.StartAnalysis{})
	r.at(3*time.Minute, "analyse", "handler2", incident.RecordAnalysis{Findings: "Trang mạo danh UBND huyện.", Verdict: incident.VerdictFalse})
	r.at(4*time.Minute, "escalate", "handler2", incident.RequestEscalation{Reason: "Nền tảng không phản hồi"})
	r.at(5*time.Hour, "resolve", "handler2", incident.Resolve{Resolution: "Trang đã bị gỡ bỏ"})
	r.run(6 * time.Hour)
	r.ok("resolve")

	subjects := func(addr string) []string {
		var out []string
		for _, m := range s.to(addr) {
			out = append(out, m.Subject)
		}
		return out
	}
	want := map[string][]string{
		"handler2":  {"được giao cho bạn xử lý", "Nhắc hạn: Hạn lãnh đạo duyệt", "Nhắc hạn: Hạn lãnh đạo duyệt", "Quá hạn: Hạn lãnh đạo duyệt"},
		"leader1":   {"Chờ lãnh đạo duyệt", "Quá hạn: Hạn lãnh đạo duyệt"},
		"reporter1": {"Phản ánh của bạn đã được giải quyết"},
		"handler1":  nil, // triaged, did not get anything
		"leaderso":  nil,
	}
	for who, w := range want {
		got := subjects(people[who].Email)
		if len(got) != len(w) {
			t.Errorf("%s got %d e-mails %q, want %d", who, len(got), got, len(w))
			continue
		}
		for i := range w {
			if !strings.Contains(got[i], w[i]) {
				t.Errorf("%s e-mail %d: %q, want %q", who, i, got[i], w[i])
			}
		}
	}
	if n := len(s.received()); n != 7 {
		t.Errorf("%d e-mails in all, want 7", n)
	}

	recs := r.records()
	causes := []string{incident.TypeCaseTriaged, incident.TypeEscalationRequested, incident.TypeDeadlineReminder,
		incident.TypeDeadlineReminder, incident.TypeDeadlineMissed, incident.TypeCaseResolved}
	var got []string
	for _, n := range recs {
		got = append(got, n.Cause)
		if strings.HasPrefix(n.Subject, "FAILED") || len(n.Channels) != 2 || !n.Channels[1].OK || n.Channels[1].Channel != "email" {
			t.Errorf("record %+v", n)
		}
	}
	if !slices.Equal(got, causes) {
		t.Errorf("recorded %v, want %v", got, causes)
	}
	if miss := recs[4]; !slices.Equal(miss.Recipients, []string{"handler2", "leader1", "leader2"}) || !slices.Equal(miss.Channels[1].To, []string{"handler2", "leader1"}) {
		t.Errorf("the miss's record %+v", miss)
	}
}

// TestCaseNotificationSMTPOutage: with the mail server down, the
// assignment's e-mail is tried for the 8 attempts of the delivery policy,
// then recorded as NotificationFailed (the log delivered, the e-mail not,
// with the error); the case moves on meanwhile.
func TestCaseNotificationSMTPOutage(t *testing.T) {
	s := newSink(t)
	a, counted := mailActivities(t, s)
	s.down()
	r := newCaseRun(t, a)
	r.at(0, "report", "reporter1", caseReport(r.caseID))
	r.at(time.Minute, "triage", "handler1", incident.Triage{Severity: incident.Medium, Assignee: "handler2"})
	r.env.RegisterDelayedCallback(func() {
		v := r.ok("triage").Version // the version before the failure's record
		r.send("start", "handler2", &v, incident.StartAnalysis{})
	}, 30*time.Minute)
	r.run(time.Hour)
	if c := r.ok("start"); c.Status != incident.StatusAnalysis {
		t.Errorf("status %s", c.Status)
	}
	if counted.sends != 8 {
		t.Errorf("the e-mail was tried %d times, want 8", counted.sends)
	}
	recs := r.records()
	if len(recs) != 1 {
		t.Fatalf("records %+v", recs)
	}
	n := recs[0]
	if !strings.HasPrefix(n.Subject, "FAILED [CaseTrail] Vụ việc") || n.Cause != incident.TypeCaseTriaged ||
		!slices.Equal(n.Recipients, []string{"handler2"}) || len(n.Channels) != 2 || !n.Channels[0].OK ||
		n.Channels[1].OK || !slices.Equal(n.Channels[1].Failed, []string{"handler2"}) || !strings.Contains(n.Channels[1].Error, "connect") {
		t.Errorf("record %+v", n)
	}
	if len(s.received()) != 0 {
		t.Error("mail while the server was down")
	}
}

// caseReport is the report that opens the case.
func caseReport(caseID string) incident.Report {
	return incident.Report{
		ClientRequestID: "notify-" + caseID,
		Kind:            incident.Impersonation,
		Unit:            "lai-chau/tan-uyen",
		EscalatesTo:     "lai-chau/so-vhttdl",
		Title:           "Trang giả mạo UBND huyện Tân Uyên",
		Description:     "Trang đăng thông báo thu phí giả.",
		Subjects: []incident.SubjectInput{{
			Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.tanuyen.fake/" + caseID, DisplayName: "UBND huyện Tân Uyên",
		}},
	}
}
