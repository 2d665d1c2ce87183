package incident

import (
	"slices"
	"time"
)

// The periodic report (báo cáo định kỳ, issue 16): for a unit and a
// ReportPeriod, one row per direct sub-unit (its whole subtree), a row for
// the cases filed on the unit itself when it has any, and the totals. The
// rules of what each column counts are here, on the case as Apply folds it
// up to the period's end (PeriodFold), so every reader of the figures —
// the read model that computes them, the documents that print them — shares
// one meaning:
//
//   - Received: cases reported in the period [from, to), by kind (the
//     figures of stats for the same window: total, byKind).
//   - Resolved: cases whose resolution, as it stood at the period's end,
//     was reached in the period (resolved there and not reopened by the
//     end; they may be closed since). MedianResolveHours is the median, over
//     them, of the hours from report to that resolution.
//   - Closed, Rejected: cases that were CLOSED, REJECTED at the period's
//     end and reached that status in the period.
//   - OpenAtEnd: cases reported before the period's end that were open
//     (REPORTED … ESCALATED) at its end, those of earlier periods included.
//   - Overdue: the contract's overdue at the period's end: cases with a
//     deadline still PENDING at the end although due before it.
//   - Missed: as stats.missed, the one figure taken now rather than at the
//     period's end: cases reported in the period that have now a deadline
//     missed whose step has not happened yet (Case.MissedDeadlines).
//   - TakedownsSent: takedown requests made in the period (the sum of
//     stats.takedownsByPlatform); of them, as they stood at the period's
//     end: Removed (REMOVED), Refused (REJECTED by the platform) and
//     Unanswered (no response recorded: SENT or EXPIRED). Acknowledged and
//     withdrawn requests are in none of the three.
//   - EscalationsSent: escalations sent to the higher authority (the
//     letter dispatched) in the period.
//   - DeadlineMetRatio: MET / (MET + MISSED) over the deadlines settled in
//     the period (stats.deadlineMetRatio); nil when none.
//
// "At the period's end" is at AsOf: the end of the period, or the moment
// the report was made when the period has not ended yet.

// PeriodicReport is the báo cáo định kỳ of Unit's subtree for Period.
type PeriodicReport struct {
	Unit   ReportUnit   `json:"unit"`
	Period ReportPeriod `json:"period"`
	// AsOf is when "at the period's end" is taken: the period's end, or
	// MadeAt when the period was still running.
	AsOf time.Time `json:"asOf"`
	// MadeAt is when the figures were read.
	MadeAt time.Time `json:"generatedAt"`
	// Rows are the direct sub-units by name, then the unit's own cases
	// (Direct) when it has any.
	Rows   []ReportRow `json:"rows"`
	Totals ReportRow   `json:"totals"`
}

// ReportUnit names the unit of a row.
type ReportUnit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// KindCount is a count of one kind of incident.
type KindCount struct {
	Kind  Kind `json:"kind"`
	Count int  `json:"count"`
}

// ReportRow is one row of a periodic report (see the rules above).
type ReportRow struct {
	Unit ReportUnit `json:"unit"`
	// Direct marks the row of the cases filed on the report's unit itself.
	Direct              bool        `json:"direct"`
	Received            int         `json:"received"`
	ReceivedByKind      []KindCount `json:"receivedByKind"`
	Resolved            int         `json:"resolved"`
	Closed              int         `json:"closed"`
	Rejected            int         `json:"rejected"`
	OpenAtEnd           int         `json:"openAtEnd"`
	Overdue             int         `json:"overdue"`
	Missed              int         `json:"missed"`
	TakedownsSent       int         `json:"takedownsSent"`
	TakedownsRemoved    int         `json:"takedownsRemoved"`
	TakedownsRefused    int         `json:"takedownsRefused"`
	TakedownsUnanswered int         `json:"takedownsUnanswered"`
	EscalationsSent     int         `json:"escalationsSent"`
	DeadlineMetRatio    *float64    `json:"deadlineMetRatio"`
	MedianResolveHours  *float64    `json:"medianResolveHours"`
}

// ByKind returns the count received of kind k.
func (r ReportRow) ByKind(k Kind) int {
	for _, c := range r.ReceivedByKind {
		if c.Kind == k {
			return c.Count
		}
	}
	return 0
}

// PeriodFold folds one case's events, in order and up to AsOf, with Apply,
// noting what the case's state alone does not keep: when it last changed
// status and how many escalations it sent in [From, To).
type PeriodFold struct {
	From, To, AsOf time.Time
	Case           Case
	// statusAt is when the case last changed status.
	statusAt        time.Time
	escalationsSent int
}

// Apply folds e (which must have occurred before AsOf) into the case.
func (f *PeriodFold) Apply(e Event) error {
	before := f.Case.Status
	var sentBefore *time.Time
	if f.Case.Escalation != nil {
		sentBefore = f.Case.Escalation.SentAt
	}
	if err := Apply(&f.Case, e); err != nil {
		return err
	}
	if f.Case.Status != before {
		f.statusAt = e.At
	}
	if esc := f.Case.Escalation; esc != nil && esc.SentAt != nil && (sentBefore == nil || !sentBefore.Equal(*esc.SentAt)) &&
		f.within(*esc.SentAt) {
		f.escalationsSent++
	}
	return nil
}

func (f *PeriodFold) within(t time.Time) bool { return !t.Before(f.From) && t.Before(f.To) }

// ReportTally adds up the cases of one row.
type ReportTally struct {
	row          ReportRow
	byKind       map[Kind]int
	met, settled int
	resolveHours []float64
}

// AddFolded adds the case f folded (all its events before f.AsOf);
// missedNow tells whether the case has now a missed deadline whose step is
// still awaited (the projection's Case.MissedAt).
func (t *ReportTally) AddFolded(f *PeriodFold, missedNow bool) {
	c := &f.Case
	if c.Version == 0 || !c.ReportedAt.Before(f.AsOf) {
		return
	}
	r := &t.row
	if f.within(c.ReportedAt) {
		r.Received++
		if t.byKind == nil {
			t.byKind = map[Kind]int{}
		}
		t.byKind[c.Kind]++
		if missedNow {
			r.Missed++
		}
	}
	if c.ResolvedAt != nil && f.within(*c.ResolvedAt) {
		r.Resolved++
		t.resolveHours = append(t.resolveHours, c.ResolvedAt.Sub(c.ReportedAt).Seconds()/3600)
	}
	switch {
	case c.Status == StatusClosed && f.within(f.statusAt):
		r.Closed++
	case c.Status == StatusRejected && f.within(f.statusAt):
		r.Rejected++
	}
	if c.Status.Open() {
		r.OpenAtEnd++
	}
	for _, d := range c.Deadlines {
		if d.State == StatePending && d.DueAt.Before(f.AsOf) {
			r.Overdue++
			break
		}
	}
	for _, d := range c.Deadlines {
		if (d.State == StateMet || d.State == StateMissed) && d.SettledAt != nil && f.within(*d.SettledAt) {
			t.settled++
			if d.State == StateMet {
				t.met++
			}
		}
	}
	for _, td := range c.Takedowns {
		if !f.within(td.RequestedAt) {
			continue
		}
		r.TakedownsSent++
		switch {
		case td.Status == TakedownRemoved:
			r.TakedownsRemoved++
		case td.Status == TakedownRejected:
			r.TakedownsRefused++
		case td.RespondedAt == nil && td.Status != TakedownWithdrawn:
			r.TakedownsUnanswered++
		}
	}
	r.EscalationsSent += f.escalationsSent
}

// AddDormant adds cases that had no event from the period's start on:
// their state at the end is the state before it, so they count only in
// OpenAtEnd (open ones) and Overdue (those with a pending deadline due
// before the end).
func (t *ReportTally) AddDormant(open, overdue int) {
	t.row.OpenAtEnd += open
	t.row.Overdue += overdue
}

// Merge adds the cases of o.
func (t *ReportTally) Merge(o *ReportTally) {
	a, b := &t.row, &o.row
	a.Received += b.Received
	a.Resolved += b.Resolved
	a.Closed += b.Closed
	a.Rejected += b.Rejected
	a.OpenAtEnd += b.OpenAtEnd
	a.Overdue += b.Overdue
	a.Missed += b.Missed
	a.TakedownsSent += b.TakedownsSent
	a.TakedownsRemoved += b.TakedownsRemoved
	a.TakedownsRefused += b.TakedownsRefused
	a.TakedownsUnanswered += b.TakedownsUnanswered
	a.EscalationsSent += b.EscalationsSent
	for k, n := range o.byKind {
		if t.byKind == nil {
			t.byKind = map[Kind]int{}
		}
		t.byKind[k] += n
	}
	t.met += o.met
	t.settled += o.settled
	t.resolveHours = append(t.resolveHours, o.resolveHours...)
}

// Row returns the row of the cases added, for unit: every kind in
// ReceivedByKind (Kinds' order, zeros included), the ratio and the median
// (nil without deadlines settled, cases resolved).
func (t *ReportTally) Row(unit ReportUnit, direct bool) ReportRow {
	r := t.row
	r.Unit, r.Direct = unit, direct
	r.ReceivedByKind = make([]KindCount, len(Kinds))
	for i, k := range Kinds {
		r.ReceivedByKind[i] = KindCount{Kind: k, Count: t.byKind[k]}
	}
	if t.settled > 0 {
		ratio := float64(t.met) / float64(t.settled)
		r.DeadlineMetRatio = &ratio
	}
	r.MedianResolveHours = Median(t.resolveHours)
	return r
}

// Empty reports whether no case was added (or only cases that count
// nowhere).
func (t *ReportTally) Empty() bool {
	r := t.row
	return r.Received == 0 && r.Resolved == 0 && r.Closed == 0 && r.Rejected == 0 && r.OpenAtEnd == 0 &&
		r.Overdue == 0 && r.Missed == 0 && r.TakedownsSent == 0 && r.EscalationsSent == 0 &&
		t.settled == 0 && len(t.resolveHours) == 0
}

// Median returns the median of vs as PostgreSQL's percentile_cont(0.5)
// gives it (the mean of the two middle values of an even count); nil for
// none.
func Median(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	pos := 0.5 * float64(len(s)-1)
	lo := int(pos)
	m := s[lo]
	if hi := lo + 1; hi < len(s) && pos > float64(lo) {
		m += (s[hi] - m) * (pos - float64(lo))
	}
	return &m
}
