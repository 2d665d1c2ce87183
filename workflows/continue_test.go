package workflows_test

import (
	"slices"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/workflows"
)

// TestContinueAsNew: when the server suggests it (or the history passes the
// test threshold), the workflow continues with the folded state and the
// applied request ids; the next run fires the pending deadline at its
// original instant, with the reminders not yet sent, and treats requests of
// the first run as repeats.
func TestContinueAsNew(t *testing.T) {
	for _, how := range []string{"suggested", "threshold"} {
		t.Run(how, func(t *testing.T) {
			acts := newMemActivities()
			h := newHarness(t, acts, t0)
			in := input()
			at := h.walk(0, toTriaged...) // ANALYSIS due at 1m + 24h
			// Past the 50% reminder (12h01m), before the 80% one (19h13m).
			h.at(13*time.Hour, "comment", handler, incident.Comment{Text: "Đang xác minh"})
			h.env.RegisterDelayedCallback(func() {
				if how == "suggested" {
					h.env.SetContinueAsNewSuggested(true)
				} else {
					h.env.SetCurrentHistoryLength(500)
				}
			}, 13*time.Hour+time.Minute)
			if how == "threshold" {
				in.ContinueAfter = 400
			}
			err := h.run(in, at+30*time.Hour)
			next := continued(t, err)
			handedOver := h.env.Now()
			h.ok("comment")

			if next.State == nil || next.State.Version != int64(len(acts.events(caseID))) || next.CaseID != caseID {
				t.Fatalf("continued with %+v", next.State)
			}
			for _, id := range []string{"report", "triage", "comment"} {
				if !slices.ContainsFunc(next.Requests, func(r workflows.HandledRequest) bool { return r.ID == id }) {
					t.Errorf("request %s not carried over: %v", id, next.Requests)
				}
			}
			if next.ContinueAfter != in.ContinueAfter || next.Policy.Triage != in.Policy.Triage {
				t.Errorf("options not carried over: %+v", next)
			}
			d := lastDeadline(*next.State, incident.DeadlineAnalysis)
			if d == nil || d.State != incident.StatePending || d.Reminders != 1 {
				t.Fatalf("analysis deadline carried over: %+v", d)
			}

			// The next run, on the same store.
			h2 := newHarness(t, acts, handedOver)
			h2.env.RegisterDelayedCallback(func() {
				h2.send("triage", request{Actor: handler, RequestID: "triage", Command: triageCmd()})
				h2.send("report-again", request{Actor: "reporter1", RequestID: "report-again", Command: reportCmd()})
			}, time.Minute)
			var final incident.Case
			h2.env.RegisterDelayedCallback(func() { final = h2.query() }, 14*time.Hour)
			if err := h2.run(next, 15*time.Hour); err != nil {
				t.Fatal(err)
			}
			if c := h2.ok("triage"); c.Version != next.State.Version {
				t.Errorf("a repeated triage changed the case: version %d, want %d", c.Version, next.State.Version)
			}
			if c := h2.ok("report-again"); c.Number != next.State.Number {
				t.Errorf("a repeated report answered %q", c.Number)
			}
			if h2.attrs["CaseStatus"] != "TRIAGED" || h2.attrs["CaseAssignee"] != handler {
				t.Errorf("search attributes not re-asserted by the new run: %v", h2.attrs)
			}

			events := acts.events(caseID)
			if n := countType(events, incident.TypeCaseTriaged); n != 1 {
				t.Errorf("%d CaseTriaged events", n)
			}
			reminders, rem := decoded[incident.DeadlineReminder](t, events)
			var fr []float64
			for i, r := range reminders {
				if r.DeadlineID == d.ID {
					fr = append(fr, r.Fraction)
					if want := d.StartedAt.Add(time.Duration(float64(d.DueAt.Sub(d.StartedAt)) * r.Fraction)); !rem[i].OccurredAt.Equal(want) {
						t.Errorf("reminder %.1f at %v, want %v", r.Fraction, rem[i].OccurredAt, want)
					}
				}
			}
			if !slices.Equal(fr, []float64{0.5, 0.8}) {
				t.Errorf("reminders across the hand-over: %v", fr)
			}
			misses, mis := decoded[incident.DeadlineMissed](t, events)
			if len(misses) != 1 || misses[0].DeadlineID != d.ID || !mis[0].OccurredAt.Equal(d.DueAt) {
				t.Errorf("missed after the hand-over: %+v at %v, want %s at %v", misses, mis, d.ID, d.DueAt)
			}
			if got := final.Deadline(d.ID); got == nil || got.State != incident.StateMissed {
				t.Errorf("final deadline %+v", got)
			}
		})
	}
}

// TestDuplicateUpdate: the same update id sent twice appends once and both
// callers get the case.
func TestDuplicateUpdate(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toTriaged...)
	dup := &outcome{}
	h.env.RegisterDelayedCallback(func() {
		h.send("comment-1", request{Actor: handler, Command: incident.Comment{Text: "Một lần thôi"}})
	}, at)
	h.env.RegisterDelayedCallback(func() {
		first := h.outcomes["comment-1"]
		h.send("comment-1", request{Actor: handler, Command: incident.Comment{Text: "Một lần thôi"}})
		dup = h.outcomes["comment-1"]
		h.outcomes["comment-1"] = first
	}, at+time.Minute)
	// The same request id under another update id (a client retry after a
	// lost answer that the server no longer deduplicates).
	h.at(at+2*time.Minute, "comment-1-retry", handler, incident.Comment{Text: "Một lần thôi"})
	h.env.RegisterDelayedCallback(func() {
		h.send("other-update", request{Actor: handler, RequestID: "comment-1", Command: incident.Comment{Text: "Một lần thôi"}})
	}, at+3*time.Minute)
	if err := h.run(input(), at+4*time.Minute); err != nil {
		t.Fatal(err)
	}
	first := h.ok("comment-1")
	if !dup.completed || dup.err != nil || dup.c.Version != first.Version {
		t.Errorf("duplicate answered %+v", dup)
	}
	if c := h.ok("other-update"); c.Version != h.ok("comment-1-retry").Version {
		t.Errorf("request id repeated under another update id changed the case: v%d", c.Version)
	}
	// comment-1-retry has its own request id: it is a second comment.
	if n := countType(acts.events(caseID), incident.TypeCommentAdded); n != 2 {
		t.Errorf("%d comments stored, want 2", n)
	}
}

// TestReportRepeated: a report of an existing case with the same client
// request id returns the case; with another one it is a CONFLICT.
func TestReportRepeated(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toReported...)
	h.at(at, "again", "reporter1", reportCmd())
	other := reportCmd()
	other.ClientRequestID = "client-req-9"
	h.at(at+time.Minute, "other", "reporter1", other)
	if err := h.run(input(), at+2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if c := h.ok("again"); c.Version != h.ok("report").Version {
		t.Errorf("repeated report changed the case")
	}
	if e := h.refused("other"); e.Code != incident.CodeConflict {
		t.Errorf("another report on the case: %s", e.Code)
	}
	if acts.allocCalls != 1 || countType(acts.events(caseID), incident.TypeCaseReported) != 1 {
		t.Errorf("numbers allocated %d times", acts.allocCalls)
	}
}

// TestReportRejected: a workflow whose report is refused allocates no number
// and ends with no case after the grace period.
func TestReportRejected(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	bad := reportCmd()
	bad.Subjects[0].URL = "not a url"
	h.at(0, "report", "reporter1", bad)
	h.env.ExecuteWorkflow(workflows.IncidentWorkflow, input())
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow still running")
	}
	var c incident.Case
	if err := h.env.GetWorkflowResult(&c); err != nil || c.Version != 0 {
		t.Fatalf("result %+v, %v", c, err)
	}
	if e := h.refused("report"); e.Code != incident.CodeBadUserInput || e.Field != "subjects[0].url" {
		t.Errorf("refused with %s %q", e.Code, e.Field)
	}
	if acts.allocCalls != 0 {
		t.Error("a refused report used a case number")
	}
}

// TestAppendRetried: an append whose answer is lost is retried with the same
// event ids and the store answers with the events already stored; when the
// failure is final the workflow reads the stream back. Either way the events
// are stored once and the command succeeds.
func TestAppendRetried(t *testing.T) {
	eachLostAnswer(t, func(t *testing.T, terminal bool) {
		acts := newMemActivities()
		h := newHarness(t, acts, t0)
		at := h.walk(0, toReported...)
		h.env.RegisterDelayedCallback(func() {
			acts.mu.Lock()
			acts.loseAppendResponses, acts.loseTerminally = 1, terminal
			acts.mu.Unlock()
			h.send("triage", request{Actor: handler, Command: triageCmd()})
		}, at)
		h.at(at+time.Minute, "comment", handler, incident.Comment{Text: "sau đó"})
		if err := h.run(input(), at+2*time.Minute); err != nil {
			t.Fatal(err)
		}
		if c := h.ok("triage"); c.Status != incident.StatusTriaged || c.Version != 6 {
			t.Errorf("triage answered %s v%d", c.Status, c.Version)
		}
		if c := h.ok("comment"); c.Version != 7 {
			t.Errorf("next command at version %d", c.Version)
		}
		if n := countType(acts.events(caseID), incident.TypeCaseTriaged); n != 1 {
			t.Errorf("%d CaseTriaged stored", n)
		}
	})
}

// eachLostAnswer runs f as two subtests: an append whose answer is lost
// once and retried, and one whose loss is final, so the workflow must read
// the stream back (memActivities.loseTerminally).
func eachLostAnswer(t *testing.T, f func(t *testing.T, terminal bool)) {
	for _, terminal := range []bool{false, true} {
		name := "retried"
		if terminal {
			name = "read back"
		}
		t.Run(name, func(t *testing.T) { f(t, terminal) })
	}
}

// TestEscalationDispatch: approval numbers and sends the escalation in the
// same update; when the dispatch fails the approval stands and the workflow
// keeps trying in the background.
func TestEscalationDispatch(t *testing.T) {
	acts := newMemActivities()
	acts.failDispatch = 1
	h := newHarness(t, acts, t0)
	at := h.walk(0, toSent...)
	var later incident.Case
	h.env.RegisterDelayedCallback(func() { later = h.query() }, at+10*time.Minute)
	if err := h.run(input(), at+11*time.Minute); err != nil {
		t.Fatal(err)
	}
	if c := h.ok("approve"); c.Escalation.Status != incident.EscApproved {
		t.Errorf("approval with a failed dispatch answered %+v", c.Escalation)
	}
	if later.Escalation.Status != incident.EscSent || later.Escalation.DispatchNumber != "01/UBND-VHTT" {
		t.Errorf("escalation after the retry %+v", later.Escalation)
	}
	if len(acts.issued) != 2 || acts.issued[0].Key != acts.issued[1].Key || len(acts.escalations) != 0 {
		t.Errorf("dispatch attempts %+v (and by the old numbering %+v)", acts.issued, acts.escalations)
	}
	_, sent := decoded[incident.EscalationSent](t, acts.events(caseID))
	if len(sent) != 1 || sent[0].Actor != leader {
		t.Errorf("EscalationSent %+v", sent)
	}
}

// TestImpersonationMatch: recording the analysis of an impersonation asks the
// registry for the official account the subject resembles.
func TestImpersonationMatch(t *testing.T) {
	acts := newMemActivities()
	acts.match = workflows.MatchResult{
		Account:    &incident.OfficialAccountRef{ID: "oa-1", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"},
		Similarity: 0.92,
	}
	h := newHarness(t, acts, t0)
	r := reportCmd()
	r.Kind = incident.Impersonation
	steps := then([]step{{"report", "reporter1", r}}, toAnalysed[1:]...)
	at := h.walk(0, steps...)
	if err := h.run(input(), at+time.Minute); err != nil {
		t.Fatal(err)
	}
	a := h.ok("analyse").Analysis
	if a == nil || a.ImpersonatedAccount == nil || a.ImpersonatedAccount.ID != "oa-1" || a.Similarity == nil || *a.Similarity != 0.92 {
		t.Fatalf("analysis %+v", a)
	}
	if acts.matches != 1 {
		t.Errorf("registry asked %d times", acts.matches)
	}
}

func countType(events []workflows.StoredEvent, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}
