package workflows_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"casetrail/incident"
	"casetrail/workflows"
)

// deadlineCases brings a case to the start of each deadline kind, and names
// the steps that meet it.
var deadlineCases = []struct {
	kind  incident.DeadlineKind
	setup []step
	meet  []step
	wait  time.Duration // past the due time
}{
	{incident.DeadlineTriage, toReported, []step{{"meet", handler, triageCmd()}}, 5 * time.Hour},
	{incident.DeadlineAnalysis, toTriaged, []step{{"meet0", handler, incident.StartAnalysis{}}, {"meet", handler, analysisCmd()}}, 26 * time.Hour},
	{incident.DeadlineTakedownResponse, toAction, []step{{"meet", handler, responseCmd(incident.OutcomeRemoved)}}, 25 * time.Hour},
	{incident.DeadlineEscalationApproval, toEscalated, []step{{"meet", leader, incident.ApproveEscalation{}}}, 5 * time.Hour},
	{incident.DeadlineEscalationResponse, toSent, []step{{"meet", handler, incident.RecordEscalationResponse{Response: "Đã tiếp nhận"}}}, 49 * time.Hour},
	{incident.DeadlineResolution, toTriaged, []step{
		{"meet0", handler, incident.StartAnalysis{}}, {"meet1", handler, analysisCmd()}, {"meet", handler, incident.Resolve{Resolution: "Đã đính chính"}},
	}, 241 * time.Hour},
}

// TestDeadlineMissed lets every kind of deadline run out: reminders at 50%
// and 80% of its span go to the assignee, the miss (at the due instant, by
// the system) to the assignee and the unit's leaders.
func TestDeadlineMissed(t *testing.T) {
	for _, tc := range deadlineCases {
		t.Run(string(tc.kind), func(t *testing.T) {
			acts := newMemActivities()
			h := newHarness(t, acts, t0)
			h.walk(0, tc.setup...)
			var final incident.Case
			h.env.RegisterDelayedCallback(func() { final = h.query() }, tc.wait)
			if err := h.run(input(), tc.wait+time.Minute); err != nil {
				t.Fatal(err)
			}
			events := acts.events(caseID)
			d := deadlineOf(t, events, tc.kind)
			span := d.due.Sub(d.start)
			base := d.start
			if tc.kind == incident.DeadlineResolution {
				base = t0 // the resolution deadline counts from the report
			}
			if want := base.Add(incident.DefaultPolicy().Span(tc.kind, incident.Medium)); !d.due.Equal(want) {
				t.Errorf("due %v, want %v", d.due, want)
			}

			reminders, rem := decoded[incident.DeadlineReminder](t, events)
			var fractions []float64
			for i, r := range reminders {
				if r.DeadlineID != d.id {
					continue
				}
				fractions = append(fractions, r.Fraction)
				if want := d.start.Add(time.Duration(float64(span) * r.Fraction)); !rem[i].OccurredAt.Equal(want) {
					t.Errorf("reminder %.1f at %v, want %v", r.Fraction, rem[i].OccurredAt, want)
				}
				if rem[i].Actor != incident.SystemActor {
					t.Errorf("reminder by %q", rem[i].Actor)
				}
			}
			if !slices.Equal(fractions, []float64{0.5, 0.8}) {
				t.Errorf("reminders %v, want [0.5 0.8]", fractions)
			}

			misses, mis := decoded[incident.DeadlineMissed](t, events)
			n := 0
			for i, m := range misses {
				if m.DeadlineID != d.id {
					continue
				}
				n++
				if !mis[i].OccurredAt.Equal(d.due) || mis[i].Actor != incident.SystemActor {
					t.Errorf("missed at %v by %q, want at %v by system", mis[i].OccurredAt, mis[i].Actor, d.due)
				}
			}
			if n != 1 {
				t.Errorf("%d misses of %s, want 1", n, d.id)
			}
			if got := lastDeadline(final, tc.kind); got == nil || got.State != incident.StateMissed {
				t.Errorf("deadline in the case: %+v", got)
			}

			var sawReminders, sawMiss int
			for _, n := range acts.notifications() {
				if n.DeadlineKind != tc.kind || n.CaseID != caseID || n.Number == "" {
					continue
				}
				wantTo := []string(nil)
				if final.Assignee != "" {
					wantTo = []string{final.Assignee}
				}
				if !slices.Equal(n.Recipients, wantTo) {
					t.Errorf("%s notified %v, want %v", n.Event, n.Recipients, wantTo)
				}
				switch n.Event {
				case workflows.NotifyReminder:
					sawReminders++
					if n.NotifyLeaders {
						t.Error("a reminder went to the leaders")
					}
				case workflows.NotifyMissed:
					sawMiss++
					if !n.NotifyLeaders || !n.DueAt.Equal(d.due) {
						t.Errorf("miss notification %+v", n)
					}
				}
			}
			// A reminder of a case nobody holds tells nobody: none is sent
			// (notifyVersion); the miss goes to the leaders.
			wantReminders := 2
			if final.Assignee == "" {
				wantReminders = 0
			}
			if sawReminders != wantReminders || sawMiss != 1 {
				t.Errorf("notifications: %d reminders, %d misses; want %d and 1", sawReminders, sawMiss, wantReminders)
			}

			if tc.kind == incident.DeadlineTakedownResponse {
				checkAutoEscalation(t, events, final, acts)
			}
		})
	}
}

// checkAutoEscalation: a missed takedown response opens an escalation by the
// system, with its approval deadline, and asks the leaders.
func checkAutoEscalation(t *testing.T, events []workflows.StoredEvent, final incident.Case, acts *memActivities) {
	t.Helper()
	reqs, es := decoded[incident.EscalationRequested](t, events)
	if len(reqs) != 1 || es[0].Actor != incident.SystemActor || reqs[0].To != "lai-chau/so-vhttdl" {
		t.Fatalf("automatic escalation: %+v", reqs)
	}
	if final.Status != incident.StatusEscalated || final.Escalation.Status != incident.EscPendingApproval || final.Takedowns[0].Status != incident.TakedownExpired {
		t.Errorf("after the miss: status %s escalation %+v takedown %s", final.Status, final.Escalation, final.Takedowns[0].Status)
	}
	if d := lastDeadline(final, incident.DeadlineEscalationApproval); d == nil || d.State != incident.StatePending {
		t.Errorf("no ESCALATION_APPROVAL deadline: %+v", final.Deadlines)
	}
	asked := false
	for _, n := range acts.notifications() {
		if n.Event == workflows.NotifyEscalation && n.NotifyLeaders {
			asked = true
		}
	}
	if !asked {
		t.Error("the leaders were not asked to approve the automatic escalation")
	}
}

// TestDeadlineMet meets every kind of deadline in time: DeadlineMet, and
// neither reminder nor miss afterwards.
func TestDeadlineMet(t *testing.T) {
	for _, tc := range deadlineCases {
		t.Run(string(tc.kind), func(t *testing.T) {
			acts := newMemActivities()
			h := newHarness(t, acts, t0)
			h.walk(0, then(tc.setup, tc.meet...)...)
			if err := h.run(input(), tc.wait+time.Minute); err != nil {
				t.Fatal(err)
			}
			met := h.ok("meet")
			events := acts.events(caseID)
			d := deadlineOf(t, events, tc.kind)
			if got := met.Deadline(d.id); got == nil || got.State != incident.StateMet {
				t.Errorf("deadline after the meeting command: %+v", got)
			}
			mets, _ := decoded[incident.DeadlineMet](t, events)
			if !slices.ContainsFunc(mets, func(m incident.DeadlineMet) bool { return m.DeadlineID == d.id }) {
				t.Errorf("no DeadlineMet for %s", d.id)
			}
			reminders, _ := decoded[incident.DeadlineReminder](t, events)
			misses, _ := decoded[incident.DeadlineMissed](t, events)
			for _, r := range reminders {
				if r.DeadlineID == d.id {
					t.Errorf("reminder of a met deadline: %+v", r)
				}
			}
			for _, m := range misses {
				if m.DeadlineID == d.id {
					t.Errorf("miss of a met deadline: %+v", m)
				}
			}
		})
	}
}

// TestNoAutoEscalation: with autoEscalateOnTakedownMiss off, a missed
// takedown response is only recorded and notified.
func TestNoAutoEscalation(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	h.walk(0, toAction...)
	in := input()
	in.Policy.AutoEscalateOnTakedownMiss = false
	var final incident.Case
	h.env.RegisterDelayedCallback(func() { final = h.query() }, 25*time.Hour)
	if err := h.run(in, 26*time.Hour); err != nil {
		t.Fatal(err)
	}
	if reqs, _ := decoded[incident.EscalationRequested](t, acts.events(caseID)); len(reqs) != 0 {
		t.Errorf("escalated although the policy says not to: %+v", reqs)
	}
	if final.Status != incident.StatusAction || final.Takedowns[0].Status != incident.TakedownExpired {
		t.Errorf("status %s takedown %s", final.Status, final.Takedowns[0].Status)
	}
}

// TestNotifyNeverBlocks: notifications that keep failing hold nothing back:
// the miss is stored and later commands go through.
func TestNotifyNeverBlocks(t *testing.T) {
	acts := newMemActivities()
	acts.notifyErr = true
	h := newHarness(t, acts, t0)
	h.walk(0, toReported...)
	h.at(5*time.Hour, "triage", handler, triageCmd())
	if err := h.run(input(), 6*time.Hour); err != nil {
		t.Fatal(err)
	}
	if c := h.ok("triage"); c.Status != incident.StatusTriaged {
		t.Errorf("status %s", c.Status)
	}
	if misses, _ := decoded[incident.DeadlineMissed](t, acts.events(caseID)); len(misses) != 1 {
		t.Errorf("misses %+v", misses)
	}
	if acts.notifyCalls < 2 {
		t.Errorf("notify was tried %d times; failures must be retried", acts.notifyCalls)
	}
}

// deadline is a DeadlineSet as stored.
type deadline struct {
	id         string
	start, due time.Time
}

// deadlineOf returns the last deadline of kind set in events.
func deadlineOf(t *testing.T, events []workflows.StoredEvent, kind incident.DeadlineKind) deadline {
	t.Helper()
	sets, es := decoded[incident.DeadlineSet](t, events)
	for i := len(sets) - 1; i >= 0; i-- {
		if sets[i].Kind == kind {
			d := deadline{id: sets[i].DeadlineID, start: es[i].OccurredAt, due: sets[i].DueAt}
			// A deadline may count from before it was set (RESOLUTION counts
			// from the report).
			var started struct {
				StartedAt time.Time `json:"startedAt"`
			}
			if err := json.Unmarshal(es[i].Data, &started); err == nil && !started.StartedAt.IsZero() {
				d.start = started.StartedAt
			}
			return d
		}
	}
	t.Fatalf("no %s deadline was set", kind)
	return deadline{}
}

// TestWorkingDayDeadline runs a triage deadline of one working day reported
// on a Friday at 16:00 (+07:00): the reminders fall on working time (half of
// it on Monday 04:00, 80 % on Monday 11:12) and the miss on Monday 16:00,
// nothing over the weekend.
func TestWorkingDayDeadline(t *testing.T) {
	friday := time.Date(2026, 12, 4, 16, 0, 0, 0, incident.VietnamTime)
	in := input()
	in.Policy.WorkingDays = map[incident.DeadlineKind]map[incident.Severity]int{
		incident.DeadlineTriage: {incident.Low: 1, incident.Medium: 1, incident.High: 1, incident.Critical: 1},
	}
	acts := newMemActivities()
	h := newHarness(t, acts, friday)
	h.walk(0, toReported...)
	if err := h.run(in, 4*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	events := acts.events(caseID)
	d := deadlineOf(t, events, incident.DeadlineTriage)
	monday := time.Date(2026, 12, 7, 16, 0, 0, 0, incident.VietnamTime)
	if !d.due.Equal(monday) {
		t.Fatalf("due %v, want Monday 16:00", d.due.In(incident.VietnamTime))
	}
	var got []string
	for _, e := range events {
		if e.Type == "DeadlineReminder" || e.Type == "DeadlineMissed" {
			got = append(got, e.Type+"@"+e.OccurredAt.In(incident.VietnamTime).Format("Mon 15:04"))
		}
	}
	want := []string{"DeadlineReminder@Mon 04:00", "DeadlineReminder@Mon 11:12", "DeadlineMissed@Mon 16:00"}
	if !slices.Equal(got, want) {
		t.Fatalf("clock events %v, want %v", got, want)
	}
}

// TestClockWritesLocally: the deadline clock stores its events by a local
// activity inside the workflow task that decided them (systemLocalVersion),
// commands still by regular activities. A clock write whose answer is lost
// (the task that replaces a lost one runs the same decision) is sent again
// with the same event ids, and each reminder and the miss are stored once;
// the next command lands on the version the store holds.
func TestClockWritesLocally(t *testing.T) {
	eachLostAnswer(t, func(t *testing.T, terminal bool) {
		acts := newMemActivities()
		h := newHarness(t, acts, t0)
		var local, regular []string
		h.env.SetOnLocalActivityStartedListener(func(info *activity.Info, _ context.Context, _ []any) {
			local = append(local, info.ActivityType.Name)
		})
		h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
			regular = append(regular, info.ActivityType.Name)
		})
		at := h.walk(0, toReported...)
		appendsBefore := -1
		h.env.RegisterDelayedCallback(func() {
			acts.mu.Lock()
			acts.loseAppendResponses, acts.loseTerminally = 1, terminal
			acts.mu.Unlock()
			appendsBefore = len(regular)
		}, at+time.Minute)
		h.at(5*time.Hour, "comment", handler, incident.Comment{Text: "sau hạn"})
		if err := h.run(input(), 6*time.Hour); err != nil {
			t.Fatal(err)
		}
		events := acts.events(caseID)
		d := deadlineOf(t, events, incident.DeadlineTriage)
		reminders, _ := decoded[incident.DeadlineReminder](t, events)
		seen := map[float64]int{}
		for _, r := range reminders {
			if r.DeadlineID == d.id {
				seen[r.Fraction]++
			}
		}
		if seen[0.5] != 1 || seen[0.8] != 1 {
			t.Errorf("reminders stored %v, want 0.5 and 0.8 once each", seen)
		}
		if n := countType(events, incident.TypeDeadlineMissed); n != 1 {
			t.Errorf("%d misses stored, want 1", n)
		}
		if c := h.ok("comment"); c.Version != int64(len(events)) {
			t.Errorf("the command after the clock answered v%d, the store holds %d events", c.Version, len(events))
		}
		for i, e := range events {
			if e.Version != int64(i+1) {
				t.Fatalf("event %d has version %d", i, e.Version)
			}
		}
		// After the set-up's commands, only the comment's append (and no
		// clock write) went by a regular activity.
		if appendsBefore < 0 || countName(regular[appendsBefore:], workflows.ActivityAppendEvents) != 1 {
			t.Errorf("regular activities after the set-up: %v", regular[max(appendsBefore, 0):])
		}
		if n := countName(local, workflows.ActivityAppendEvents); n < 3 {
			t.Errorf("%d local appends, want the two reminders' and the miss's (activities: %v)", n, local)
		}
	})
}

func countName(names []string, name string) int {
	n := 0
	for _, s := range names {
		if s == name {
			n++
		}
	}
	return n
}
