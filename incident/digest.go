package incident

import (
	"cmp"
	"slices"
	"time"
)

// The leaders' daily digest (issue 18): each morning a leader hears of the
// cases of the units they lead (and their sub-units) that need them — the
// deadlines missed whose step has not happened yet (MissedDeadlines), the
// deadlines due by the end of the day, the escalations waiting for their
// approval. The read model gathers the cases, DigestItems says what each
// case adds, and the activities render and send it.

// DigestLimit is the most items a digest lists under each heading; the
// totals count the rest.
const DigestLimit = 50

// DigestItem is one line of a digest: a case and what it waits for — a
// deadline (missed or due) or an escalation waiting for approval.
type DigestItem struct {
	CaseID   string   `json:"caseId"`
	Number   string   `json:"number"`
	Title    string   `json:"title"`
	Unit     string   `json:"unit"`
	Status   Status   `json:"status"`
	Severity Severity `json:"severity,omitempty"`
	Assignee string   `json:"assignee,omitempty"`

	// DeadlineKind and DueAt name the deadline (empty for an escalation).
	DeadlineKind DeadlineKind `json:"deadlineKind,omitempty"`
	DueAt        time.Time    `json:"dueAt,omitzero"`
	// MissedAt is when a missed deadline's miss was recorded (its due time
	// if none was); zero for the others.
	MissedAt time.Time `json:"missedAt,omitzero"`

	// The escalation waiting for approval (empty for a deadline).
	EscalationReason string    `json:"escalationReason,omitempty"`
	EscalationTo     string    `json:"escalationTo,omitempty"`
	RequestedBy      string    `json:"requestedBy,omitempty"`
	RequestedAt      time.Time `json:"requestedAt,omitzero"`
}

// Digest is one leader's digest of one day.
type Digest struct {
	// Leader is the subject holding LEADER on Units.
	Leader string `json:"leader"`
	// Units are the units of the leader's LEADER grants (each covers its
	// sub-units), sorted.
	Units []string `json:"units"`
	// At is the instant the digest is of; From and To bound its day,
	// [From, To): midnight to midnight in VietnamTime.
	At   time.Time `json:"at"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Missed lists the deadlines missed whose step has not happened yet,
	// missed longest ago first.
	Missed []DigestItem `json:"missed,omitempty"`
	// DueToday lists the deadlines still running that fall due before To
	// (those already past due but not yet recorded as missed included),
	// soonest first.
	DueToday []DigestItem `json:"dueToday,omitempty"`
	// PendingApproval lists the escalations waiting for approval, oldest
	// request first.
	PendingApproval []DigestItem `json:"pendingApproval,omitempty"`
	// The totals of the three lists before they were cut to DigestLimit.
	MissedTotal          int `json:"missedTotal"`
	DueTodayTotal        int `json:"dueTodayTotal"`
	PendingApprovalTotal int `json:"pendingApprovalTotal"`
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool {
	return d.MissedTotal+d.DueTodayTotal+d.PendingApprovalTotal == 0
}

// DigestDay returns the day at falls in, in VietnamTime: [midnight, next
// midnight), in UTC.
func DigestDay(at time.Time) (from, to time.Time) {
	l := at.In(VietnamTime)
	from = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, VietnamTime)
	return from.UTC(), from.AddDate(0, 0, 1).UTC()
}

// DigestItems returns what c adds to a digest of a day ending at to: its
// missed deadlines whose step has not happened (MissedDeadlines), its
// running deadlines due before to, and its escalation when it waits for
// approval. A case that is not open adds nothing.
func (c *Case) DigestItems(to time.Time) (missed, due []DigestItem, pending *DigestItem) {
	if !c.Status.Open() {
		return nil, nil, nil
	}
	base := DigestItem{CaseID: c.ID, Number: c.Number, Title: c.Title, Unit: c.Unit, Status: c.Status,
		Severity: c.Severity, Assignee: c.Assignee}
	for _, d := range c.MissedDeadlines() {
		it := base
		it.DeadlineKind, it.DueAt, it.MissedAt = d.Kind, d.DueAt, d.DueAt
		if d.SettledAt != nil {
			it.MissedAt = *d.SettledAt
		}
		missed = append(missed, it)
	}
	for _, d := range c.Deadlines {
		if d.State == StatePending && d.DueAt.Before(to) {
			it := base
			it.DeadlineKind, it.DueAt = d.Kind, d.DueAt
			due = append(due, it)
		}
	}
	if e := c.Escalation; e != nil && e.Status == EscPendingApproval {
		it := base
		it.EscalationReason, it.EscalationTo, it.RequestedBy, it.RequestedAt = e.Reason, e.To, e.RequestedBy, e.RequestedAt
		pending = &it
	}
	return missed, due, pending
}

// Add puts what c adds to the digest (DigestItems for d.To) into d's
// lists, uncut; Finish orders and cuts them.
func (d *Digest) Add(c *Case) {
	missed, due, pending := c.DigestItems(d.To)
	d.Missed = append(d.Missed, missed...)
	d.DueToday = append(d.DueToday, due...)
	if pending != nil {
		d.PendingApproval = append(d.PendingApproval, *pending)
	}
}

// Finish orders the lists (the longest missed, the soonest due, the oldest
// request first; ties by case number and deadline), sets the totals and
// cuts each list to DigestLimit.
func (d *Digest) Finish() {
	byNumber := func(a, b DigestItem) int {
		return cmp.Or(cmp.Compare(a.Number, b.Number), cmp.Compare(a.CaseID, b.CaseID), cmp.Compare(a.DeadlineKind, b.DeadlineKind))
	}
	slices.SortFunc(d.Missed, func(a, b DigestItem) int { return cmp.Or(a.MissedAt.Compare(b.MissedAt), byNumber(a, b)) })
	slices.SortFunc(d.DueToday, func(a, b DigestItem) int { return cmp.Or(a.DueAt.Compare(b.DueAt), byNumber(a, b)) })
	slices.SortFunc(d.PendingApproval, func(a, b DigestItem) int { return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), byNumber(a, b)) })
	d.MissedTotal, d.DueTodayTotal, d.PendingApprovalTotal = len(d.Missed), len(d.DueToday), len(d.PendingApproval)
	cut := func(s []DigestItem) []DigestItem {
		if len(s) > DigestLimit {
			return s[:DigestLimit:DigestLimit]
		}
		return s
	}
	d.Missed, d.DueToday, d.PendingApproval = cut(d.Missed), cut(d.DueToday), cut(d.PendingApproval)
}
