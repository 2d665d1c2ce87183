package incident

import (
	"fmt"
	"time"
)

// batch collects the events of one decision and folds each into a working
// copy of the case, so later rules of the same decision see earlier ones.
type batch struct {
	c   *Case
	now time.Time
	p   Policy
	out []Payload
	// err is the first event the working copy could not fold: the rules
	// produced an event the fold refuses, a defect of this package.
	err error
}

func newBatch(c Case, now time.Time, p Policy) *batch {
	cc := c.Clone()
	return &batch{c: &cc, now: now, p: p}
}

func (b *batch) add(p Payload) {
	b.out = append(b.out, p)
	if err := Apply(b.c, Event{Type: p.EventType(), At: b.now, Data: p}); err != nil && b.err == nil {
		b.err = fmt.Errorf("fold the decided %s: %w", p.EventType(), err)
	}
}

// startDeadline starts a deadline of kind now, due as the policy says for
// the case's severity (a takedown's as its channel's, deadlinePolicy); its
// id is the kind and its ordinal in the case.
func (b *batch) startDeadline(kind DeadlineKind, ref string) {
	b.startDeadlineSince(kind, ref, time.Time{})
}

// startDeadlineSince starts a deadline whose span began at start, before
// now (zero: now).
func (b *batch) startDeadlineSince(kind DeadlineKind, ref string, start time.Time) {
	from := start
	if from.IsZero() {
		from = b.now
	} else {
		start = start.UTC()
	}
	sev := b.c.Severity
	id := fmt.Sprintf("%s-%d", kind, len(b.c.Deadlines)+1)
	p := b.deadlinePolicy(kind, ref)
	b.add(DeadlineSet{
		DeadlineID:  id,
		Kind:        kind,
		Ref:         ref,
		DueAt:       p.Due(kind, sev, from).UTC(),
		StartedAt:   start,
		WorkingDays: p.Days(kind, sev),
	})
}

// meet settles the pending deadlines of kind (and ref, when given) as met.
func (b *batch) meet(kind DeadlineKind, ref string) {
	for _, d := range b.c.PendingDeadlines() {
		if d.Kind == kind && (ref == "" || d.Ref == ref) {
			b.add(DeadlineMet{DeadlineID: d.ID, Kind: d.Kind})
		}
	}
}

// cancel settles the pending deadlines of kind as cancelled; "" cancels all.
func (b *batch) cancel(kind DeadlineKind) {
	for _, d := range b.c.PendingDeadlines() {
		if kind == "" || d.Kind == kind {
			b.add(DeadlineCancelled{DeadlineID: d.ID, Kind: d.Kind})
		}
	}
}
