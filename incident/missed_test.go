package incident_test

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// missedKinds lists the kinds of c.MissedDeadlines() ("TRIAGE,ANALYSIS").
func missedKinds(c incident.Case) string {
	var out []string
	for _, d := range c.MissedDeadlines() {
		out = append(out, string(d.Kind))
	}
	return strings.Join(out, ",")
}

func wantMissed(t *testing.T, what string, h *history, kinds string, since *time.Time) {
	t.Helper()
	if got := missedKinds(h.c); got != kinds {
		t.Errorf("%s: missed and awaited %q, want %q", what, got, kinds)
	}
	got := h.c.MissedAt()
	switch {
	case since == nil && got != nil:
		t.Errorf("%s: MissedAt %s, want none", what, got)
	case since != nil && (got == nil || !got.Equal(*since)):
		t.Errorf("%s: MissedAt %v, want %s", what, got, since)
	}
}

func tp(x time.Time) *time.Time { return &x }

// Each kind of deadline counts from its recorded miss until its step
// happens; a closed case awaits nothing.
func TestMissedDeadlinesUntilTheStep(t *testing.T) {
	h := newHistory(t)
	h.do(reporter, validReport(), t0)
	wantMissed(t, "reported", h, "", nil)
	h.tick(at(5)) // TRIAGE (4 h) missed, recorded at 5 h
	wantMissed(t, "triage missed", h, "TRIAGE", tp(at(5)))
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(6)) // ANALYSIS due at 18 h
	wantMissed(t, "triaged late", h, "", nil)
	if st := h.c.Deadline("TRIAGE-1").State; st != incident.StateMissed {
		t.Fatalf("TRIAGE-1 is %s: the late triage must leave it MISSED", st)
	}
	h.tick(at(19))
	wantMissed(t, "analysis missed", h, "ANALYSIS", tp(at(19)))
	h.do(handler, incident.StartAnalysis{}, at(20))
	wantMissed(t, "analysis started, not recorded", h, "ANALYSIS", tp(at(19)))
	h.do(handler, incident.RecordAnalysis{Findings: "Mạo danh", Verdict: incident.VerdictFalse}, at(21))
	wantMissed(t, "analysis recorded", h, "", nil)

	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/gia", Reason: "Mạo danh"}, at(22))
	h.tick(at(47)) // TAKEDOWN_RESPONSE (24 h) missed; the system asks for an escalation
	wantMissed(t, "takedown missed", h, "TAKEDOWN_RESPONSE", tp(at(47)))
	if h.c.Escalation == nil || h.c.Escalation.Status != incident.EscPendingApproval {
		t.Fatalf("no automatic escalation: %+v", h.c.Escalation)
	}
	h.tick(at(52)) // ESCALATION_APPROVAL (4 h) missed
	wantMissed(t, "approval missed", h, "TAKEDOWN_RESPONSE,ESCALATION_APPROVAL", tp(at(47)))
	h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRejected}, at(53))
	wantMissed(t, "platform answered late", h, "ESCALATION_APPROVAL", tp(at(52)))
	h.do(leader, incident.ApproveEscalation{}, at(54))
	wantMissed(t, "approved late", h, "", nil)
	h.do(incident.SystemActor, incident.SendEscalation{DispatchNumber: "12/UBND-VHTT"}, at(55))
	h.tick(at(104)) // ESCALATION_RESPONSE (48 h) missed at 104; RESOLUTION (120 h from the report) not yet
	wantMissed(t, "response missed", h, "ESCALATION_RESPONSE", tp(at(104)))
	h.tick(at(121))
	wantMissed(t, "resolution missed", h, "RESOLUTION,ESCALATION_RESPONSE", tp(at(104)))
	h.do(handler, incident.RecordEscalationResponse{Response: "Đã tiếp nhận"}, at(122))
	wantMissed(t, "answered late", h, "RESOLUTION", tp(at(121)))
	h.do(handler, incident.Resolve{Resolution: "Đã gỡ"}, at(123))
	wantMissed(t, "resolved", h, "", nil)
}

// A case that is no longer open awaits nothing; reopening restarts the
// waits with new deadlines, which speak for the old ones.
func TestMissedDeadlinesClosedAndReopened(t *testing.T) {
	h := newHistory(t)
	h.do(reporter, validReport(), t0)
	h.tick(at(5))
	h.do(handler, incident.Reject{Reason: "Ngoài phạm vi"}, at(6))
	wantMissed(t, "rejected", h, "", nil)
	h.do(handler, incident.Reopen{Reason: "Có thêm thông tin"}, at(7)) // back to REPORTED with TRIAGE-2
	wantMissed(t, "reopened", h, "", nil)
	h.tick(at(12))
	wantMissed(t, "reopened, triage missed again", h, "TRIAGE", tp(at(12)))
	if ds := h.c.MissedDeadlines(); len(ds) != 1 || ds[0].ID != "TRIAGE-2" {
		t.Errorf("missed and awaited: %+v, want only TRIAGE-2", ds)
	}
}
