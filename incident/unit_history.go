package incident

import "time"

// Units as they were (issue 17 §5): units are renamed, moved and closed,
// and a case's past state, a periodic report of an earlier period, show
// them as they were at the time. The admin stream records every change of
// a unit with the whole unit as the change left it (UnitDefined,
// UnitChanged, UnitClosed); UnitHistory folds those records, and is the one
// place that says what a unit was at a moment.

// UnitRecord is one recorded change of a unit: the unit as the change left
// it, and when the change was recorded.
type UnitRecord struct {
	At   time.Time
	Unit Unit
}

// UnitHistory is the units' states over time, folded from their records.
// It is immutable and safe for concurrent use; a nil *UnitHistory knows no
// unit.
type UnitHistory struct {
	order []string                // ids in the order of their first record
	byID  map[string][]UnitRecord // each id's records, in the order given
}

// NewUnitHistory returns the history of recs, given in the order they were
// recorded (the admin stream's version order).
func NewUnitHistory(recs []UnitRecord) *UnitHistory {
	h := &UnitHistory{byID: map[string][]UnitRecord{}}
	for _, r := range recs {
		if _, seen := h.byID[r.Unit.ID]; !seen {
			h.order = append(h.order, r.Unit.ID)
		}
		h.byID[r.Unit.ID] = append(h.byID[r.Unit.ID], r)
	}
	return h
}

// UnitAt returns unit id as it was at t:
//
//   - its name, parent, escalation target and every other setting are
//     those of its last record made at or before t; before its first
//     record, those of the first (what the unit was called before anyone
//     recorded it is not known better than that: the units of a seed file
//     are recorded when the seed is first applied, after the cases an
//     import may have brought);
//   - it is closed, with its successor, when a record closes it at or
//     before t, even a record made after t: a reorganisation the seed file
//     dates back (ClosedAt earlier than the record) took effect on its date;
//   - it did not exist (ok false) before its ValidFrom, when that is known,
//     nor when the history has no record of it.
func (h *UnitHistory) UnitAt(id string, t time.Time) (u Unit, ok bool) {
	if h == nil {
		return Unit{}, false
	}
	recs := h.byID[id]
	if len(recs) == 0 {
		return Unit{}, false
	}
	u = recs[0].Unit
	for _, r := range recs[1:] {
		if !r.At.After(t) {
			u = r.Unit
		}
	}
	if !u.ValidFrom.IsZero() && t.Before(u.ValidFrom) {
		return Unit{}, false
	}
	u.ClosedAt, u.Successor = time.Time{}, ""
	for _, r := range recs {
		if c := r.Unit; c.Closed() && !c.ClosedAt.After(t) {
			u.ClosedAt, u.Successor = c.ClosedAt, c.Successor
		}
	}
	return u, true
}

// TreeAt returns the tree of the units as they were at t (UnitAt), in the
// order of their first records: the parents, escalation targets and
// closings of that moment.
func (h *UnitHistory) TreeAt(t time.Time) *UnitTree {
	if h == nil {
		return NewUnitTree(nil)
	}
	units := make([]Unit, 0, len(h.order))
	for _, id := range h.order {
		if u, ok := h.UnitAt(id, t); ok {
			units = append(units, u)
		}
	}
	return NewUnitTree(units)
}

// UnitsAsOf folds the recorded changes recs (in the order recorded) up to
// t into the tree of the units as they were then: NewUnitHistory(recs).TreeAt(t).
func UnitsAsOf(recs []UnitRecord, t time.Time) *UnitTree {
	return NewUnitHistory(recs).TreeAt(t)
}

// NameAt returns the name unit id had at t (UnitAt), or ok false when the
// history does not know the unit at t.
func (h *UnitHistory) NameAt(id string, t time.Time) (name string, ok bool) {
	u, ok := h.UnitAt(id, t)
	return u.Name, ok
}
