package incident

import (
	"fmt"
	"slices"
	"time"
)

// Policy holds the deadline spans and reminder fractions a case runs under.
// A case keeps the policy it was opened with (it is part of its workflow
// input), so changing the file affects new cases only.
type Policy struct {
	Triage                     time.Duration              `json:"triage"`
	Analysis                   map[Severity]time.Duration `json:"analysis"`
	TakedownResponse           time.Duration              `json:"takedownResponse"`
	EscalationApproval         time.Duration              `json:"escalationApproval"`
	EscalationResponse         time.Duration              `json:"escalationResponse"`
	Resolution                 map[Severity]time.Duration `json:"resolution"`
	Reminders                  []float64                  `json:"reminders"`
	AutoEscalateOnTakedownMiss bool                       `json:"autoEscalateOnTakedownMiss"`
	// WorkingDays holds the deadlines counted in working days of Calendar
	// rather than clock time: a positive count for a kind and severity
	// replaces that span (a kind with one span has the same count for every
	// severity). Both are left out of the JSON when unused, so the input of
	// a case opened before working days existed reads the same.
	WorkingDays map[DeadlineKind]map[Severity]int `json:"workingDays,omitempty"`
	Calendar    Calendar                          `json:"calendar,omitzero"`
	// TakedownResponseByChannel gives the TAKEDOWN_RESPONSE span of the
	// takedowns of a channel (takedown_channel.go, ForChannel); a channel
	// without one keeps TakedownResponse. Left out of the JSON when unused,
	// so the input of a case opened before channels existed reads the same.
	TakedownResponseByChannel map[TakedownChannel]ChannelSpan `json:"takedownResponseByChannel,omitempty"`
	// Playbooks are the tasks per kind instantiated at triage (playbook.go).
	Playbooks map[Kind][]PlaybookTask `json:"playbooks,omitempty"`
}

// DefaultPolicy returns the defaults of docs/ARCHITECTURE.md ("Deadlines").
func DefaultPolicy() Policy {
	h := time.Hour
	return Policy{
		Triage:                     4 * h,
		Analysis:                   map[Severity]time.Duration{Critical: 4 * h, High: 12 * h, Medium: 24 * h, Low: 72 * h},
		TakedownResponse:           24 * h,
		EscalationApproval:         4 * h,
		EscalationResponse:         48 * h,
		Resolution:                 map[Severity]time.Duration{Critical: 48 * h, High: 120 * h, Medium: 240 * h, Low: 480 * h},
		Reminders:                  []float64{0.5, 0.8},
		AutoEscalateOnTakedownMiss: true,
		Playbooks:                  DefaultPlaybooks(),
	}
}

// Span returns how long a deadline of kind lasts for a case of severity sev
// (MEDIUM when the case has none yet).
func (p Policy) Span(kind DeadlineKind, sev Severity) time.Duration {
	if sev == "" {
		sev = Medium
	}
	switch kind {
	case DeadlineTriage:
		return p.Triage
	case DeadlineAnalysis:
		return p.Analysis[sev]
	case DeadlineTakedownResponse:
		return p.TakedownResponse
	case DeadlineEscalationApproval:
		return p.EscalationApproval
	case DeadlineEscalationResponse:
		return p.EscalationResponse
	case DeadlineResolution:
		return p.Resolution[sev]
	}
	return 0
}

// Days returns the working days a deadline of kind lasts for a case of
// severity sev, 0 when it runs on clock time (Span).
func (p Policy) Days(kind DeadlineKind, sev Severity) int {
	if sev == "" {
		sev = Medium
	}
	return p.WorkingDays[kind][sev]
}

// Due returns when a deadline of kind for a case of severity sev whose span
// begins at start is due: start plus Span, or Days working days of the
// calendar later.
func (p Policy) Due(kind DeadlineKind, sev Severity, start time.Time) time.Time {
	if n := p.Days(kind, sev); n > 0 {
		return p.Calendar.AddWorkingDays(start, n)
	}
	return start.Add(p.Span(kind, sev))
}

// SpanText says how long a deadline of kind lasts, for messages: "24h0m0s"
// or "1 working day(s)".
func (p Policy) SpanText(kind DeadlineKind, sev Severity) string {
	if n := p.Days(kind, sev); n > 0 {
		return fmt.Sprintf("%d working day(s)", n)
	}
	return p.Span(kind, sev).String()
}

// Validate checks that every span is positive (a duration, or a count of
// working days), the calendar is valid, and reminders are increasing
// fractions strictly between 0 and 1.
func (p Policy) Validate() error {
	for k, bySev := range p.WorkingDays {
		if !slices.Contains(DeadlineKinds, k) {
			return fmt.Errorf("policy: working days for unknown deadline kind %q", k)
		}
		for s, n := range bySev {
			if !slices.Contains(Severities, s) || n < 0 {
				return fmt.Errorf("policy: %s: %d working days for %q", k, n, s)
			}
		}
	}
	for _, k := range DeadlineKinds {
		for _, s := range Severities {
			if p.Span(k, s) <= 0 && p.Days(k, s) <= 0 {
				return fmt.Errorf("policy: %s deadline for %s must be a positive duration or number of working days", k, s)
			}
		}
	}
	if err := p.Calendar.Validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if err := p.validateChannelSpans(); err != nil {
		return err
	}
	if err := ValidatePlaybooks(p.Playbooks, nil); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	prev := 0.0
	for _, f := range p.Reminders {
		if f <= prev || f >= 1 {
			return fmt.Errorf("policy: reminders must be increasing fractions between 0 and 1, got %v", p.Reminders)
		}
		prev = f
	}
	return nil
}

// reminderAt is when reminder i of d is due: at its fraction of the
// deadline's span, of working time when the deadline counts working days.
func (p Policy) reminderAt(d Deadline, i int) time.Time {
	if d.WorkingDays > 0 {
		return p.Calendar.WorkingPoint(d.StartedAt, d.DueAt, p.Reminders[i])
	}
	span := d.DueAt.Sub(d.StartedAt)
	return d.StartedAt.Add(time.Duration(float64(span) * p.Reminders[i]))
}

// NextWake returns the earliest instant at which DueEvents will produce an
// event for c (a reminder or a miss); ok is false when nothing is pending.
// The workflow sleeps until then, or until a command changes the case.
func NextWake(c *Case, p Policy) (at time.Time, ok bool) {
	for _, d := range c.Deadlines {
		if d.State != StatePending {
			continue
		}
		t := d.DueAt
		if d.Reminders < len(p.Reminders) {
			if r := p.reminderAt(d, d.Reminders); r.Before(t) {
				t = r
			}
		}
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	return at, ok
}

// DueEvents returns what the clock decides at now: reminders whose time has
// come (only while the deadline is not yet due), misses of deadlines past
// due, and, when the policy says so, an escalation request for a missed
// takedown response. Its events are the system's (actor SystemActor).
func DueEvents(c Case, now time.Time, p Policy) []Payload {
	b := newBatch(c, now, p)
	for _, d := range c.Deadlines {
		if d.State != StatePending {
			continue
		}
		if !now.Before(d.DueAt) {
			b.add(DeadlineMissed{DeadlineID: d.ID, Kind: d.Kind, Ref: d.Ref})
			if d.Kind == DeadlineTakedownResponse && p.AutoEscalateOnTakedownMiss {
				b.autoEscalate(d)
			}
			continue
		}
		for i := d.Reminders; i < len(p.Reminders); i++ {
			if now.Before(p.reminderAt(d, i)) {
				break
			}
			b.add(DeadlineReminder{DeadlineID: d.ID, Kind: d.Kind, Fraction: p.Reminders[i], DueAt: d.DueAt})
		}
	}
	if b.err != nil {
		// The clock's events come from c's own deadlines: a fold that
		// refuses them is a defect here, not a state to decide on.
		panic("incident: " + b.err.Error())
	}
	return b.out
}

func (b *batch) autoEscalate(d Deadline) {
	c := b.c
	if c.Status != StatusAnalysis && c.Status != StatusAction {
		return // already escalated, or no longer open for escalation
	}
	if c.EscalatesTo == "" {
		return // nowhere to escalate to; the miss itself is recorded and notified
	}
	b.add(EscalationRequested{
		Reason:     fmt.Sprintf("Takedown %s was not answered within %s (automatic escalation)", d.Ref, b.deadlinePolicy(d.Kind, d.Ref).SpanText(DeadlineTakedownResponse, c.Severity)),
		To:         c.EscalatesTo,
		Recipients: recipientsOf(c),
	})
	b.startDeadline(DeadlineEscalationApproval, "")
}
