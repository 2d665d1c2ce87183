package incident

import "time"

// Missed deadlines whose step is still awaited: what leaders mean by
// "overdue" (issue 15's watch view, stats.missed, the filter
// missedDeadline). The contract's overdue is a PENDING deadline already
// past due, the short instant before the case's clock records the miss;
// once recorded, a deadline stays MISSED for good, also after its step
// happens late (the late step meets nothing: batch.meet settles pending
// deadlines only). This rule tells the two apart.

// MissedDeadlines returns the deadlines of c that were missed and whose
// step has not happened since, in the case's order. A deadline d counts
// when all of these hold:
//
//   - d is MISSED;
//   - the case is open (a RESOLVED, CLOSED or REJECTED case awaits no step);
//   - no later deadline of the case has d's kind and ref (a reopening or a
//     new escalation request restarted that wait: the later deadline
//     speaks for it);
//   - d's step has not happened: TRIAGE the case is still REPORTED;
//     ANALYSIS no analysis was recorded since d started; TAKEDOWN_RESPONSE
//     takedown d.Ref has no response recorded and was not withdrawn;
//     ESCALATION_APPROVAL the escalation still waits for approval;
//     ESCALATION_RESPONSE the escalation has no answer recorded;
//     RESOLUTION (the case is open) always. A kind this rule does not know
//     counts while the case is open.
func (c *Case) MissedDeadlines() []Deadline {
	if !c.Status.Open() {
		return nil
	}
	var out []Deadline
	for i, d := range c.Deadlines {
		if d.State != StateMissed || c.restarted(i) || c.stepDone(d) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// MissedAt returns when the earliest of c's MissedDeadlines was missed (the
// instant its miss was recorded, or its due time if none was), nil when
// there is none.
func (c *Case) MissedAt() *time.Time {
	var out *time.Time
	for _, d := range c.MissedDeadlines() {
		at := d.DueAt
		if d.SettledAt != nil {
			at = *d.SettledAt
		}
		if out == nil || at.Before(*out) {
			t := at
			out = &t
		}
	}
	return out
}

// restarted reports whether a deadline after c.Deadlines[i] has its kind
// and ref.
func (c *Case) restarted(i int) bool {
	d := c.Deadlines[i]
	for _, later := range c.Deadlines[i+1:] {
		if later.Kind == d.Kind && later.Ref == d.Ref {
			return true
		}
	}
	return false
}

// stepDone reports whether the step deadline d waited for has happened.
func (c *Case) stepDone(d Deadline) bool {
	switch d.Kind {
	case DeadlineTriage:
		return c.Status != StatusReported
	case DeadlineAnalysis:
		return c.Analysis != nil && !c.Analysis.RecordedAt.Before(d.StartedAt)
	case DeadlineTakedownResponse:
		t := c.Takedown(d.Ref)
		return t == nil || t.RespondedAt != nil || t.Status == TakedownWithdrawn
	case DeadlineEscalationApproval:
		return c.Escalation == nil || c.Escalation.Status != EscPendingApproval
	case DeadlineEscalationResponse:
		return c.Escalation == nil || c.Escalation.RespondedAt != nil
	}
	return false
}
