package workflows_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/workflows"
)

// notifyWalk: reported by reporter1, triaged by handler1 for handler2,
// analysed, escalated by handler2 at 4 min; the leaders let the approval
// deadline (4 h) run out; handler2 resolves at 5 h.
func notifyWalk(h *harness) {
	h.walk(0,
		step{"report", "reporter1", reportCmd()},
		step{"triage", handler, incident.Triage{Severity: incident.Medium, Assignee: "handler2"}},
		step{"start", "handler2", incident.StartAnalysis{}},
		step{"analyse", "handler2", analysisCmd()},
		step{"escalate", "handler2", incident.RequestEscalation{Reason: "Nền tảng không phản hồi"}},
	)
	h.at(5*time.Hour, "resolve", "handler2", incident.Resolve{Resolution: "Trang đã bị gỡ"})
}

// TestNotificationsRecorded: the assignment, the person's escalation
// request, the approval deadline's reminders and miss and the resolution
// each schedule one Notify with the right recipients, keyed by the id of
// the event that caused it, and each outcome becomes one NotificationSent
// after its cause.
func TestNotificationsRecorded(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	notifyWalk(h)
	if err := h.run(input(), 6*time.Hour); err != nil {
		t.Fatal(err)
	}
	h.ok("resolve")
	events := acts.events(caseID)
	byID := map[string]workflows.StoredEvent{}
	for _, e := range events {
		byID[e.ID] = e
	}

	type want struct {
		event   string
		kind    incident.DeadlineKind
		to      []string
		leaders bool
	}
	wants := []want{
		{incident.TypeCaseTriaged, "", []string{"handler2"}, false},
		{incident.TypeEscalationRequested, "", nil, true},
		{incident.TypeDeadlineReminder, incident.DeadlineEscalationApproval, []string{"handler2"}, false},
		{incident.TypeDeadlineReminder, incident.DeadlineEscalationApproval, []string{"handler2"}, false},
		{incident.TypeDeadlineMissed, incident.DeadlineEscalationApproval, []string{"handler2"}, true},
		{incident.TypeCaseResolved, "", []string{"reporter1"}, false},
	}
	got := acts.notifications()
	if len(got) != len(wants) {
		for _, n := range got {
			t.Logf("notified %s %s %v leaders=%v", n.Event, n.DeadlineKind, n.Recipients, n.NotifyLeaders)
		}
		t.Fatalf("%d notifications, want %d", len(got), len(wants))
	}
	keys := map[string]bool{}
	for i, w := range wants {
		n := got[i]
		if n.Event != w.event || n.DeadlineKind != w.kind || !slices.Equal(n.Recipients, w.to) || n.NotifyLeaders != w.leaders {
			t.Errorf("notification %d: %s %s %v leaders=%v; want %s %s %v leaders=%v",
				i, n.Event, n.DeadlineKind, n.Recipients, n.NotifyLeaders, w.event, w.kind, w.to, w.leaders)
		}
		cause, ok := byID[n.Key]
		if !ok || cause.Type != n.Event {
			t.Errorf("notification %d: key %q is not the id of its %s event (%+v)", i, n.Key, n.Event, cause)
		}
		if keys[n.Key] {
			t.Errorf("notification %d: key %q used twice", i, n.Key)
		}
		keys[n.Key] = true
		if n.CaseID != caseID || n.Number == "" || n.Title == "" || n.Unit != "lai-chau/tan-uyen" || n.At.IsZero() {
			t.Errorf("notification %d lacks the case: %+v", i, n)
		}
	}
	if esc := got[1]; esc.Actor != "handler2" || esc.To != "lai-chau/so-vhttdl" || esc.Reason != "Nền tảng không phản hồi" {
		t.Errorf("the approval request: %+v", esc)
	}
	if res := got[5]; res.Actor != "handler2" || res.Reason != "Trang đã bị gỡ" {
		t.Errorf("the resolution: %+v", res)
	}

	// One record per notification, after its cause, by the system.
	sent, es := decoded[incident.NotificationSent](t, events)
	if len(sent) != len(wants) {
		t.Fatalf("%d NotificationSent, want %d: %v", len(sent), len(wants), eventTypes(events))
	}
	for i, s := range sent {
		cause, ok := byID[s.Key]
		if !ok || !keys[s.Key] || s.Cause != cause.Type || cause.Version >= es[i].Version || es[i].Actor != incident.SystemActor {
			t.Errorf("record %d: %+v (event %d by %s) for cause %+v", i, s, es[i].Version, es[i].Actor, cause)
		}
		if len(s.Channels) != 1 || !s.Channels[0].OK || s.Channels[0].Channel != "log" {
			t.Errorf("record %d channels %+v", i, s.Channels)
		}
	}
	if failed, _ := decoded[incident.NotificationFailed](t, events); len(failed) != 0 {
		t.Errorf("failed records %+v", failed)
	}
}

// TestNotifyNotForOneself: a handler who triages the case to themself, and
// a reporter who rejects their own report, are not told.
func TestNotifyNotForOneself(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	h.walk(0,
		step{"report", handler, reportCmd()},
		step{"triage", handler, triageCmd()},
		step{"reject", handler, incident.Reject{Reason: "Không phải sự cố"}},
	)
	if err := h.run(input(), time.Hour); err != nil {
		t.Fatal(err)
	}
	h.ok("reject")
	if n := acts.notifications(); len(n) != 0 {
		t.Errorf("notified %+v", n)
	}
	if types := eventTypes(acts.events(caseID)); slices.Contains(types, incident.TypeNotificationSent) {
		t.Errorf("events %v", types)
	}
}

// TestNotificationFailedRecorded: a Notify that keeps failing is tried
// until its retries run out, then recorded as NotificationFailed with the
// error; the case moves on (a command sent with the version the case had
// before the record still applies).
func TestNotificationFailedRecorded(t *testing.T) {
	acts := newMemActivities()
	acts.notifyErr = true
	h := newHarness(t, acts, t0)
	h.walk(0,
		step{"report", "reporter1", reportCmd()},
		step{"triage", handler, incident.Triage{Severity: incident.Medium, Assignee: "handler2"}},
	)
	var triaged incident.Case
	h.env.RegisterDelayedCallback(func() {
		triaged = h.ok("triage")
		// The assignment's notification failed for 8 attempts (about 2
		// minutes) and was recorded meanwhile; the command below was
		// written against the version the triage returned.
		v := triaged.Version
		h.send("start", request{Actor: "handler2", RequestID: "start", ExpectedVersion: &v, Command: incident.StartAnalysis{}})
	}, 30*time.Minute)
	if err := h.run(input(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if c := h.ok("start"); c.Status != incident.StatusAnalysis {
		t.Errorf("status %s", c.Status)
	}
	if acts.notifyCalls != 8 {
		t.Errorf("Notify tried %d times, want the 8 attempts of its retry policy", acts.notifyCalls)
	}
	events := acts.events(caseID)
	failed, es := decoded[incident.NotificationFailed](t, events)
	if len(failed) != 1 {
		t.Fatalf("failed records %+v in %v", failed, eventTypes(events))
	}
	f := failed[0]
	if f.Cause != incident.TypeCaseTriaged || !slices.Equal(f.Recipients, []string{"handler2"}) || len(f.Channels) != 1 ||
		f.Channels[0].OK || !strings.Contains(f.Channels[0].Error, "webhook unreachable") || es[0].Version != triaged.Version+1 {
		t.Errorf("record %+v at version %d (triage at %d)", f, es[0].Version, triaged.Version)
	}
	if sent, _ := decoded[incident.NotificationSent](t, events); len(sent) != 0 {
		t.Errorf("sent records %+v", sent)
	}
}

// TestStaleVersionStillConflicts: only delivery records are skipped over;
// a version older than the last change is a CONFLICT.
func TestStaleVersionStillConflicts(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	h.walk(0,
		step{"report", "reporter1", reportCmd()},
		step{"triage", handler, incident.Triage{Severity: incident.Medium, Assignee: "handler2"}},
	)
	h.env.RegisterDelayedCallback(func() {
		v := h.ok("report").Version
		h.send("start", request{Actor: "handler2", RequestID: "start", ExpectedVersion: &v, Command: incident.StartAnalysis{}})
	}, 10*time.Minute)
	if err := h.run(input(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if de := h.refused("start"); de.Code != incident.CodeConflict {
		t.Errorf("code %s", de.Code)
	}
}
