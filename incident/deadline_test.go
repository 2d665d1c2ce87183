package incident_test

import (
	"reflect"
	"testing"
	"time"

	"casetrail/incident"
)

const hour = time.Hour

// wantDeadline checks the deadline with id in c.
func wantDeadline(t *testing.T, c incident.Case, id string, kind incident.DeadlineKind, ref string, started, due time.Time, state incident.DeadlineState) {
	t.Helper()
	d := c.Deadline(id)
	if d == nil {
		t.Fatalf("no deadline %s in %+v", id, c.Deadlines)
	}
	if d.Kind != kind || d.Ref != ref || !d.StartedAt.Equal(started) || !d.DueAt.Equal(due) || d.State != state {
		t.Errorf("deadline %s = %+v, want %s ref %q started %v due %v %s", id, *d, kind, ref, started, due, state)
	}
}

func TestReportSetsTriageDeadline(t *testing.T) {
	h := newHistory(t)
	ps := h.do(reporter, validReport(), t0)
	sets := deadlineSets(ps)
	if len(sets) != 1 || sets[0] != (incident.DeadlineSet{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage, DueAt: t0.Add(4 * hour)}) {
		t.Fatalf("deadlines set = %+v", sets)
	}
	wantDeadline(t, h.c, "TRIAGE-1", incident.DeadlineTriage, "", t0, t0.Add(4*hour), incident.StatePending)
}

func TestTriageDeadlinesBySeverity(t *testing.T) {
	tests := []struct {
		sev                incident.Severity
		analysis, resolved time.Duration
	}{
		{incident.Critical, 4 * hour, 48 * hour},
		{incident.High, 12 * hour, 120 * hour},
		{incident.Medium, 24 * hour, 240 * hour},
		{incident.Low, 72 * hour, 480 * hour},
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			h := newHistory(t)
			h.do(reporter, validReport(), t0)
			triagedAt := at(1.5)
			h.do(handler, incident.Triage{Severity: tt.sev, Assignee: handler}, triagedAt)
			wantDeadline(t, h.c, "TRIAGE-1", incident.DeadlineTriage, "", t0, t0.Add(4*hour), incident.StateMet)
			if s := h.c.Deadline("TRIAGE-1").SettledAt; s == nil || !s.Equal(triagedAt) {
				t.Errorf("TRIAGE settled at %v, want %v", s, triagedAt)
			}
			// ANALYSIS runs from the triage; RESOLUTION from the report.
			wantDeadline(t, h.c, "ANALYSIS-2", incident.DeadlineAnalysis, "", triagedAt, triagedAt.Add(tt.analysis), incident.StatePending)
			wantDeadline(t, h.c, "RESOLUTION-3", incident.DeadlineResolution, "", t0, t0.Add(tt.resolved), incident.StatePending)
		})
	}
}

func TestTriageAfterMissedTriageDeadline(t *testing.T) {
	h := newHistory(t)
	h.do(reporter, validReport(), t0)
	h.tick(at(5))
	if d := h.c.Deadline("TRIAGE-1"); d.State != incident.StateMissed {
		t.Fatalf("TRIAGE = %s, want MISSED", d.State)
	}
	ps := h.do(handler, incident.Triage{Severity: incident.Low, Assignee: handler}, at(6))
	for _, p := range ps {
		if _, ok := p.(incident.DeadlineMet); ok {
			t.Errorf("a missed deadline was met later: %+v", p)
		}
	}
	if h.c.Deadline("TRIAGE-1").State != incident.StateMissed {
		t.Errorf("a missed deadline changed state")
	}
}

func TestPolicyOverridesSpans(t *testing.T) {
	h := newHistory(t)
	h.p.Triage = 30 * time.Minute
	h.p.Analysis = map[incident.Severity]time.Duration{incident.Low: hour, incident.Medium: 2 * hour, incident.High: 3 * hour, incident.Critical: 4 * hour}
	h.p.Resolution = map[incident.Severity]time.Duration{incident.Low: 10 * hour, incident.Medium: 20 * hour, incident.High: 30 * hour, incident.Critical: 40 * hour}
	h.p.TakedownResponse = 2 * hour
	h.p.EscalationApproval = 15 * time.Minute
	h.p.EscalationResponse = 5 * hour
	h.do(reporter, validReport(), t0)
	wantDeadline(t, h.c, "TRIAGE-1", incident.DeadlineTriage, "", t0, t0.Add(30*time.Minute), incident.StatePending)
	h.do(handler, incident.Triage{Severity: incident.Medium, Assignee: handler}, at(0.25))
	wantDeadline(t, h.c, "ANALYSIS-2", incident.DeadlineAnalysis, "", at(0.25), at(2.25), incident.StatePending)
	wantDeadline(t, h.c, "RESOLUTION-3", incident.DeadlineResolution, "", t0, at(20), incident.StatePending)
	h.do(handler, incident.StartAnalysis{}, at(0.5))
	h.do(handler, incident.RecordAnalysis{Findings: "x"}, at(1))
	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: "r"}, at(1))
	wantDeadline(t, h.c, "TAKEDOWN_RESPONSE-4", incident.DeadlineTakedownResponse, "TD-1", at(1), at(3), incident.StatePending)
	h.do(handler, incident.RequestEscalation{Reason: "r"}, at(1))
	wantDeadline(t, h.c, "ESCALATION_APPROVAL-5", incident.DeadlineEscalationApproval, "", at(1), at(1.25), incident.StatePending)
	h.do(leader, incident.ApproveEscalation{}, at(1.1))
	h.do(incident.SystemActor, incident.SendEscalation{DispatchNumber: "1/UBND"}, at(1.2))
	wantDeadline(t, h.c, "ESCALATION_RESPONSE-6", incident.DeadlineEscalationResponse, "", at(1.2), at(6.2), incident.StatePending)
}

func TestCommandDeadlines(t *testing.T) {
	t.Run("recordAnalysis meets ANALYSIS", func(t *testing.T) {
		h := fixture(t, fxAnalysed)
		wantDeadline(t, h.c, "ANALYSIS-2", incident.DeadlineAnalysis, "", at(1), at(13), incident.StateMet)
		if h.c.Deadline("RESOLUTION-3").State != incident.StatePending {
			t.Error("RESOLUTION settled by recordAnalysis")
		}
	})
	t.Run("requestTakedown sets TAKEDOWN_RESPONSE with the takedown as ref", func(t *testing.T) {
		h := fixture(t, fxAction)
		wantDeadline(t, h.c, "TAKEDOWN_RESPONSE-4", incident.DeadlineTakedownResponse, "TD-1", at(4), at(28), incident.StatePending)
		if td := h.c.Takedown("TD-1"); !td.DueAt.Equal(at(28)) {
			t.Errorf("takedown due %v, want %v", td.DueAt, at(28))
		}
	})
	t.Run("the response meets only its own takedown's deadline", func(t *testing.T) {
		h := fixture(t, fxAction)
		h.do(handler, incident.RequestTakedown{Platform: incident.TikTok, TargetURL: "https://tiktok.com/@x", Reason: "r"}, at(5))
		wantDeadline(t, h.c, "TAKEDOWN_RESPONSE-5", incident.DeadlineTakedownResponse, "TD-2", at(5), at(29), incident.StatePending)
		ps := h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-2", Outcome: incident.OutcomeRemoved}, at(6))
		if !reflect.DeepEqual(ps[1], incident.DeadlineMet{DeadlineID: "TAKEDOWN_RESPONSE-5", Kind: incident.DeadlineTakedownResponse}) {
			t.Errorf("met = %+v", ps[1])
		}
		if h.c.Deadline("TAKEDOWN_RESPONSE-4").State != incident.StatePending {
			t.Error("TD-1's deadline was settled by TD-2's response")
		}
	})
	t.Run("escalation approval deadline set and met by approval", func(t *testing.T) {
		h := fixture(t, fxEscPending)
		wantDeadline(t, h.c, "ESCALATION_APPROVAL-5", incident.DeadlineEscalationApproval, "", at(5), at(9), incident.StatePending)
		h.do(leader, incident.ApproveEscalation{}, at(6))
		wantDeadline(t, h.c, "ESCALATION_APPROVAL-5", incident.DeadlineEscalationApproval, "", at(5), at(9), incident.StateMet)
	})
	t.Run("escalation approval deadline met by decline", func(t *testing.T) {
		h := fixture(t, fxEscPending)
		h.do(leader, incident.DeclineEscalation{Reason: "không"}, at(6))
		wantDeadline(t, h.c, "ESCALATION_APPROVAL-5", incident.DeadlineEscalationApproval, "", at(5), at(9), incident.StateMet)
	})
	t.Run("escalation response deadline set when sent and met by the response", func(t *testing.T) {
		h := fixture(t, fxEscSent)
		wantDeadline(t, h.c, "ESCALATION_RESPONSE-6", incident.DeadlineEscalationResponse, "", at(7), at(55), incident.StatePending)
		h.do(handler, incident.RecordEscalationResponse{Response: "ok"}, at(8))
		wantDeadline(t, h.c, "ESCALATION_RESPONSE-6", incident.DeadlineEscalationResponse, "", at(7), at(55), incident.StateMet)
	})
	t.Run("resolve meets RESOLUTION and cancels the rest", func(t *testing.T) {
		h := fixture(t, fxEscSent)
		ps := h.do(handler, incident.Resolve{Resolution: "xong"}, at(9))
		want := []incident.Payload{
			incident.CaseResolved{Resolution: "xong"},
			incident.DeadlineMet{DeadlineID: "RESOLUTION-3", Kind: incident.DeadlineResolution},
			incident.DeadlineCancelled{DeadlineID: "TAKEDOWN_RESPONSE-4", Kind: incident.DeadlineTakedownResponse},
			incident.DeadlineCancelled{DeadlineID: "ESCALATION_RESPONSE-6", Kind: incident.DeadlineEscalationResponse},
		}
		if !reflect.DeepEqual(ps, want) {
			t.Errorf("events = %+v, want %+v", ps, want)
		}
		for _, d := range h.c.Deadlines {
			if d.State == incident.StatePending || d.SettledAt == nil {
				t.Errorf("deadline %s still %s", d.ID, d.State)
			}
		}
	})
	t.Run("resolve after a missed RESOLUTION", func(t *testing.T) {
		h := fixture(t, fxAnalysed)
		h.tick(at(121)) // RESOLUTION (HIGH) was due 120 h after the report
		wantDeadline(t, h.c, "RESOLUTION-3", incident.DeadlineResolution, "", t0, at(120), incident.StateMissed)
		ps := h.do(handler, incident.Resolve{Resolution: "muộn"}, at(122))
		if got := types(ps); !sameStrings(got, []string{incident.TypeCaseResolved}) {
			t.Errorf("events = %v, want only CaseResolved", got)
		}
	})
	t.Run("reject cancels every pending deadline", func(t *testing.T) {
		h := fixture(t, fxTriaged)
		ps := h.do(handler, incident.Reject{Reason: "không"}, at(2))
		want := []incident.Payload{
			incident.CaseRejected{Reason: "không"},
			incident.DeadlineCancelled{DeadlineID: "ANALYSIS-2", Kind: incident.DeadlineAnalysis},
			incident.DeadlineCancelled{DeadlineID: "RESOLUTION-3", Kind: incident.DeadlineResolution},
		}
		if !reflect.DeepEqual(ps, want) {
			t.Errorf("events = %+v, want %+v", ps, want)
		}
		if p := pendingKinds(h.c); p != "" {
			t.Errorf("pending after reject: %s", p)
		}
	})
	t.Run("reopen sets new ANALYSIS and RESOLUTION from now", func(t *testing.T) {
		h := fixture(t, fxClosed) // severity HIGH
		reopened := at(30)
		ps := h.do(handler, incident.Reopen{Reason: "lại"}, reopened)
		want := []incident.Payload{
			incident.CaseReopened{Reason: "lại"},
			incident.DeadlineSet{DeadlineID: "ANALYSIS-5", Kind: incident.DeadlineAnalysis, DueAt: reopened.Add(12 * hour)},
			incident.DeadlineSet{DeadlineID: "RESOLUTION-6", Kind: incident.DeadlineResolution, DueAt: reopened.Add(120 * hour)},
		}
		if !reflect.DeepEqual(ps, want) {
			t.Errorf("events = %+v, want %+v", ps, want)
		}
	})
	t.Run("reopen of a case rejected before triage goes back to triage", func(t *testing.T) {
		h := fixture(t, fxReported)
		h.do(handler, incident.Reject{Reason: "không"}, at(1))
		h.do(handler, incident.Reopen{Reason: "lại"}, at(2))
		if h.c.Status != incident.StatusReported {
			t.Fatalf("status = %s, want REPORTED (never triaged)", h.c.Status)
		}
		wantDeadline(t, h.c, "TRIAGE-2", incident.DeadlineTriage, "", at(2), at(6), incident.StatePending)
		if n := len(h.c.PendingDeadlines()); n != 1 {
			t.Errorf("pending deadlines = %d, want only TRIAGE", n)
		}
		h.do(handler, incident.Triage{Severity: incident.Low, Assignee: "handler1"}, at(3))
		wantDeadline(t, h.c, "ANALYSIS-3", incident.DeadlineAnalysis, "", at(3), at(75), incident.StatePending)
	})
	t.Run("deadlines are UTC whatever the caller's zone", func(t *testing.T) {
		h := newHistory(t)
		ict := time.FixedZone("ICT", 7*3600)
		ps := h.do(reporter, validReport(), t0.In(ict))
		if d := ps[1].(incident.DeadlineSet).DueAt; d.Location() != time.UTC || !d.Equal(t0.Add(4*hour)) {
			t.Errorf("dueAt = %v, want %v in UTC", d, t0.Add(4*hour))
		}
	})
}

func TestNextWake(t *testing.T) {
	h := newHistory(t)
	if _, ok := incident.NextWake(&h.c, h.p); ok {
		t.Fatal("an empty case has a wake-up")
	}
	h.do(reporter, validReport(), t0) // TRIAGE: 4 h, reminders at 2 h and 3.2 h
	steps := []struct {
		now  float64 // tick at (hours; <0: do not tick)
		want float64
	}{
		{-1, 2},
		{2, 3.2},
		{3.2, 4},
	}
	for _, s := range steps {
		if s.now >= 0 {
			h.tick(at(s.now))
		}
		got, ok := incident.NextWake(&h.c, h.p)
		if !ok || !got.Equal(at(s.want)) {
			t.Fatalf("after tick at %vh: NextWake = %v, %v; want %v", s.now, got, ok, at(s.want))
		}
	}
	h.tick(at(4))
	if got, ok := incident.NextWake(&h.c, h.p); ok {
		t.Fatalf("nothing pending but NextWake = %v", got)
	}
	// The earliest of several deadlines wins: ANALYSIS (CRITICAL, 4 h from
	// triage at 5 h) reminds at 7 h, before RESOLUTION (48 h from report) at 24 h.
	h.do(handler, incident.Triage{Severity: incident.Critical, Assignee: handler}, at(5))
	if got, _ := incident.NextWake(&h.c, h.p); !got.Equal(at(7)) {
		t.Errorf("NextWake = %v, want %v", got, at(7))
	}
	h.do(handler, incident.StartAnalysis{}, at(6))
	h.do(handler, incident.RecordAnalysis{Findings: "x"}, at(6))
	// RESOLUTION runs from the report (0 h), not the triage (5 h), to 48 h:
	// its first reminder is at 24 h.
	if got, _ := incident.NextWake(&h.c, h.p); !got.Equal(at(24)) {
		t.Errorf("NextWake = %v, want %v", got, at(24))
	}
	// Without reminders, the wake-up is the due time.
	p := h.p
	p.Reminders = nil
	if got, _ := incident.NextWake(&h.c, p); !got.Equal(at(48)) {
		t.Errorf("NextWake without reminders = %v, want %v", got, at(48))
	}
}

func TestDueEventsReminders(t *testing.T) {
	remind := func(f float64) incident.Payload {
		return incident.DeadlineReminder{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage, Fraction: f, DueAt: at(4)}
	}
	missed := incident.DeadlineMissed{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage}
	tests := []struct {
		name  string
		ticks []float64 // earlier ticks, recorded
		now   float64
		want  []incident.Payload
	}{
		{"nothing before 50%", nil, 1.99, nil},
		{"first reminder at 50%", nil, 2, []incident.Payload{remind(0.5)}},
		{"first reminder between 50% and 80%", nil, 3, []incident.Payload{remind(0.5)}},
		{"both reminders when woken late", nil, 3.5, []incident.Payload{remind(0.5), remind(0.8)}},
		{"reminder not repeated", []float64{2}, 3, nil},
		{"second reminder at 80%", []float64{2}, 3.2, []incident.Payload{remind(0.8)}},
		{"no reminder at the due time, only the miss", nil, 4, []incident.Payload{missed}},
		{"miss after both reminders", []float64{2, 3.2}, 4, []incident.Payload{missed}},
		{"miss long after", []float64{2}, 100, []incident.Payload{missed}},
		{"nothing after a miss", []float64{4}, 100, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory(t)
			h.do(reporter, validReport(), t0)
			for _, tick := range tt.ticks {
				h.tick(at(tick))
			}
			got := incident.DueEvents(h.c, at(tt.now), h.p)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DueEvents at %vh = %+v, want %+v", tt.now, got, tt.want)
			}
		})
	}
}

func TestDueEventsFoldsIntoState(t *testing.T) {
	h := newHistory(t)
	h.do(reporter, validReport(), t0)
	h.tick(at(3.5))
	if d := h.c.Deadline("TRIAGE-1"); d.Reminders != 2 || d.State != incident.StatePending {
		t.Fatalf("after two reminders: %+v", *d)
	}
	if h.c.Overdue(at(3.9)) || !h.c.Overdue(at(4)) {
		t.Error("Overdue must turn true exactly at the due time")
	}
	h.tick(at(4))
	d := h.c.Deadline("TRIAGE-1")
	if d.State != incident.StateMissed || d.SettledAt == nil || !d.SettledAt.Equal(at(4)) {
		t.Fatalf("after the miss: %+v", *d)
	}
	if h.c.Overdue(at(5)) {
		t.Error("a missed deadline still counts as overdue")
	}
	last := h.events[len(h.events)-1]
	if last.Actor != incident.SystemActor || last.Type != incident.TypeDeadlineMissed {
		t.Errorf("last event = %s by %s", last.Type, last.Actor)
	}
}

func TestDueEventsSkipsSettledDeadlines(t *testing.T) {
	h := fixture(t, fxResolved)
	if got := incident.DueEvents(h.c, at(10000), h.p); got != nil {
		t.Errorf("a resolved case has due events: %+v", got)
	}
}

func TestAutoEscalation(t *testing.T) {
	escalation := func(td string, to string) incident.Payload {
		return incident.EscalationRequested{Reason: "Takedown " + td + " was not answered within 24h0m0s (automatic escalation)", To: to}
	}
	tdMissed := func(id, ref string) incident.Payload {
		return incident.DeadlineMissed{DeadlineID: id, Kind: incident.DeadlineTakedownResponse, Ref: ref}
	}
	t.Run("from ACTION", func(t *testing.T) {
		h := fixture(t, fxAction) // TD-1 requested at 4 h, due at 28 h
		if got := incident.DueEvents(h.c, at(27.99), h.p); len(got) != 2 || got[0].EventType() != incident.TypeDeadlineReminder {
			t.Fatalf("before due: %+v, want the two reminders only", got)
		}
		got := h.tick(at(28))
		want := []incident.Payload{
			tdMissed("TAKEDOWN_RESPONSE-4", "TD-1"),
			escalation("TD-1", "lai-chau/so-vhttdl"),
			incident.DeadlineSet{DeadlineID: "ESCALATION_APPROVAL-5", Kind: incident.DeadlineEscalationApproval, DueAt: at(32)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DueEvents = %+v, want %+v", got, want)
		}
		c := h.c
		if c.Status != incident.StatusEscalated || c.Escalation.Status != incident.EscPendingApproval || c.Escalation.RequestedBy != incident.SystemActor || c.BeforeEscalation != incident.StatusAction {
			t.Errorf("case = %s, escalation = %+v, before = %s", c.Status, c.Escalation, c.BeforeEscalation)
		}
		if td := c.Takedown("TD-1"); td.Status != incident.TakedownExpired {
			t.Errorf("takedown = %s, want EXPIRED", td.Status)
		}
		// A late answer is still recorded; the deadline stays missed.
		ps := h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved}, at(30))
		if got := types(ps); !sameStrings(got, []string{incident.TypeTakedownResponded}) {
			t.Errorf("late answer events = %v", got)
		}
		if c := h.c; c.Takedown("TD-1").Status != incident.TakedownRemoved || c.Deadline("TAKEDOWN_RESPONSE-4").State != incident.StateMissed {
			t.Errorf("after late answer: takedown %s, deadline %s", c.Takedown("TD-1").Status, c.Deadline("TAKEDOWN_RESPONSE-4").State)
		}
	})
	t.Run("from ANALYSIS", func(t *testing.T) {
		// No command leaves a pending takedown in ANALYSIS (a takedown moves
		// the case to ACTION), so the state is built by hand: the rule of the
		// clock is that ANALYSIS escalates too.
		h := fixture(t, fxAction)
		h.c.Status = incident.StatusAnalysis
		got := h.tick(at(28))
		if ts := types(got); !sameStrings(ts, []string{incident.TypeDeadlineMissed, incident.TypeEscalationRequested, dSet}) {
			t.Fatalf("DueEvents = %v", ts)
		}
		if h.c.Status != incident.StatusEscalated || h.c.BeforeEscalation != incident.StatusAnalysis {
			t.Errorf("status = %s (before %s)", h.c.Status, h.c.BeforeEscalation)
		}
	})
	t.Run("not when already ESCALATED", func(t *testing.T) {
		h := fixture(t, fxEscSent)
		got := incident.DueEvents(h.c, at(28), h.p)
		want := []incident.Payload{tdMissed("TAKEDOWN_RESPONSE-4", "TD-1")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DueEvents = %+v, want %+v", got, want)
		}
	})
	t.Run("not when the unit escalates nowhere", func(t *testing.T) {
		h := newHistory(t)
		r := validReport()
		r.EscalatesTo = ""
		h.do(reporter, r, t0)
		h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(1))
		h.do(handler, incident.StartAnalysis{}, at(2))
		h.do(handler, incident.RecordAnalysis{Findings: "x"}, at(3))
		h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: "r"}, at(4))
		got := h.tick(at(28))
		want := []incident.Payload{tdMissed("TAKEDOWN_RESPONSE-4", "TD-1")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DueEvents = %+v, want %+v", got, want)
		}
		if h.c.Status != incident.StatusAction {
			t.Errorf("status = %s, want ACTION", h.c.Status)
		}
	})
	t.Run("not when the policy says no", func(t *testing.T) {
		h := fixture(t, fxAction)
		h.p.AutoEscalateOnTakedownMiss = false
		got := incident.DueEvents(h.c, at(28), h.p)
		want := []incident.Payload{tdMissed("TAKEDOWN_RESPONSE-4", "TD-1")}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DueEvents = %+v, want %+v", got, want)
		}
	})
	t.Run("not for other deadlines", func(t *testing.T) {
		h := fixture(t, fxAnalysis)
		got := incident.DueEvents(h.c, at(13), h.p) // ANALYSIS (HIGH) due 12 h after triage
		want := []incident.Payload{incident.DeadlineMissed{DeadlineID: "ANALYSIS-2", Kind: incident.DeadlineAnalysis}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DueEvents = %+v, want %+v", got, want)
		}
	})
	t.Run("two takedowns missing at once escalate once", func(t *testing.T) {
		h := fixture(t, fxAction)
		h.do(handler, incident.RequestTakedown{Platform: incident.TikTok, TargetURL: "https://tiktok.com/@x", Reason: "r"}, at(4.5))
		got := h.tick(at(40))
		want := []incident.Payload{
			tdMissed("TAKEDOWN_RESPONSE-4", "TD-1"),
			escalation("TD-1", "lai-chau/so-vhttdl"),
			incident.DeadlineSet{DeadlineID: "ESCALATION_APPROVAL-6", Kind: incident.DeadlineEscalationApproval, DueAt: at(44)},
			tdMissed("TAKEDOWN_RESPONSE-5", "TD-2"),
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DueEvents = %+v, want %+v", got, want)
		}
		if h.c.Takedown("TD-1").Status != incident.TakedownExpired || h.c.Takedown("TD-2").Status != incident.TakedownExpired {
			t.Error("both takedowns must be EXPIRED")
		}
		// The new approval deadline is the clock's next concern.
		if next, _ := incident.NextWake(&h.c, h.p); !next.Equal(at(42)) {
			t.Errorf("NextWake = %v, want the approval reminder at %v", next, at(42))
		}
	})
}
