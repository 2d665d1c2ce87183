package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The rules of changing the unit tree (the administration's units, issue
// 15): what a new unit, a changed unit and the closing of a unit must
// satisfy given the other units, and where a report to a closed unit goes.
// The registry applies them to the stored tree under its lock; the API and
// the command line reach them only through it.

// CheckNewUnit checks u, cleaned by CleanUnit, as a unit to add to the
// tree: its id a new lower-case slug (ValidNewUnitID) no unit has, its
// symbol valid (CheckUnitSymbol), its parent, escalation target and the
// units of its escalation routes, when given, existing and open. It is not
// closed. Failures are BAD_USER_INPUT
// naming the field of the input.
func (t *UnitTree) CheckNewUnit(u Unit) error {
	if !ValidNewUnitID(u.ID) {
		return BadInput("id", "%q: lower-case letters a-z, digits and hyphens, in segments separated by \"/\" (e.g. lai-chau/tan-uyen/xa-phuc-khoa)", u.ID)
	}
	if old, ok := t.Unit(u.ID); ok {
		return BadInput("id", "unit %s already exists (%s)", u.ID, old.Name)
	}
	if u.Closed() || u.Successor != "" {
		return BadInput("id", "a new unit is open")
	}
	if err := CheckUnitSymbol("symbol", u.Symbol); err != nil {
		return err
	}
	if err := t.openUnit("parent", u.Parent); err != nil {
		return err
	}
	if err := t.openUnits("escalationRoutes", u.routeUnits()); err != nil {
		return err
	}
	return t.openUnit("escalatesTo", u.EscalatesTo)
}

// CheckUnitChange checks u, cleaned by CleanUnit, as the new state of the
// unit with its id: the unit exists (NOT_FOUND otherwise); its symbol is
// valid; a parent or escalation target that changes exists and is open,
// one that stays may be anything it was (and so for the units of its
// escalation routes); the parents form no cycle (Check
// on the tree with u in place); closing and its successor do not change
// here (CheckClose). Failures are BAD_USER_INPUT naming the field.
func (t *UnitTree) CheckUnitChange(u Unit) error {
	old, ok := t.Unit(u.ID)
	if !ok {
		return Errorf(CodeNotFound, "unit %s not found", u.ID)
	}
	if u.ClosedAt != old.ClosedAt || u.Successor != old.Successor {
		return BadInput("id", "closing a unit is a change of its own (closeUnit)")
	}
	if err := CheckUnitSymbol("symbol", u.Symbol); err != nil {
		return err
	}
	if u.Parent != old.Parent {
		if err := t.openUnit("parent", u.Parent); err != nil {
			return err
		}
		if u.Parent != "" && t.Within(u.Parent, u.ID) {
			return BadInput("parent", "%s is within %s: the unit would be its own ancestor", u.Parent, u.ID)
		}
	}
	if u.EscalatesTo != old.EscalatesTo {
		if err := t.openUnit("escalatesTo", u.EscalatesTo); err != nil {
			return err
		}
	}
	if u.EscalationRoutes != old.EscalationRoutes {
		// Units a route already named may stay, closed or not; a unit it
		// adds must be open.
		var added []string
		for _, id := range u.routeUnits() {
			if !slices.Contains(old.routeUnits(), id) {
				added = append(added, id)
			}
		}
		if err := t.openUnits("escalationRoutes", added); err != nil {
			return err
		}
	}
	if err := t.Replace(u).Check(); err != nil {
		return BadInput("parent", "%v", err)
	}
	return nil
}

// CheckClose checks that unit id may be closed with successor taking its
// new reports: the unit exists (NOT_FOUND otherwise) and is open, no unit
// below it is open (they are named), and the successor exists, is open,
// and is neither the unit nor within it. Failures are BAD_USER_INPUT.
func (t *UnitTree) CheckClose(id, successor string) error {
	u, ok := t.Unit(id)
	if !ok {
		return Errorf(CodeNotFound, "unit %s not found", id)
	}
	if u.Closed() {
		return BadInput("id", "unit %s was already closed on %s (successor %s)", id, u.ClosedAt.Format("2006-01-02"), u.Successor)
	}
	var open []string
	for _, sub := range t.Subtree(id)[1:] {
		if s, _ := t.Unit(sub); !s.Closed() {
			open = append(open, sub)
		}
	}
	if len(open) > 0 {
		const most = 10
		more := ""
		if len(open) > most {
			more = fmt.Sprintf(" and %d more", len(open)-most)
			open = open[:most]
		}
		return BadInput("id", "unit %s has open sub-units: %s%s; close them (or move them elsewhere) first", id, strings.Join(open, ", "), more)
	}
	switch {
	case successor == "":
		return BadInput("successor", "is required: the unit that takes the closed unit's new reports")
	case successor == id:
		return BadInput("successor", "a unit cannot succeed itself")
	case t.Within(successor, id):
		return BadInput("successor", "%s is within %s, which is being closed", successor, id)
	}
	return t.openUnit("successor", successor)
}

// CheckCloseOn checks, as CheckClose does, that unit id may be closed with
// successor taking its new reports, closed at a moment at that is not
// after now (a reorganisation takes effect on its day, not before), not
// before the unit came into being, and not before its successor did: the
// successor takes the reports from at on. Failures are BAD_USER_INPUT.
func (t *UnitTree) CheckCloseOn(id, successor string, at, now time.Time) error {
	if err := t.CheckClose(id, successor); err != nil {
		return err
	}
	day := func(t time.Time) string { return t.In(VietnamTime).Format("2006-01-02") }
	if at.After(now) {
		return BadInput("validTo", "%s is in the future: a unit is closed on its day, not before", day(at))
	}
	if u, _ := t.Unit(id); !u.ValidFrom.IsZero() && at.Before(u.ValidFrom) {
		return BadInput("validTo", "unit %s came into being on %s, after %s", id, day(u.ValidFrom), day(at))
	}
	if s, _ := t.Unit(successor); !s.ValidFrom.IsZero() && at.Before(s.ValidFrom) {
		return BadInput("successor", "unit %s comes into being on %s, after %s when it should take the reports of %s",
			successor, day(s.ValidFrom), day(at), id)
	}
	return nil
}

// ReceivingUnit returns the unit that takes a new report addressed to unit
// id: id itself while it is open (or unknown to the tree: whether it exists
// is the caller's check); for a closed unit its Successor, followed through
// every closed successor to the first open unit. A chain that reaches a
// closed unit without a successor, a unit the tree lacks, or comes back to
// a unit it passed has no open end: BAD_USER_INPUT on "unit".
func (t *UnitTree) ReceivingUnit(id string) (string, error) {
	seen := map[string]bool{}
	at := id
	for {
		u, ok := t.Unit(at)
		if !ok {
			if at == id {
				return id, nil
			}
			return "", BadInput("unit", "unit %s is closed and its successor %s is not a unit", id, at)
		}
		if !u.Closed() {
			return at, nil
		}
		seen[at] = true
		switch {
		case u.Successor == "":
			return "", BadInput("unit", "unit %s is closed and no open unit succeeds it (%s has no successor)", id, at)
		case seen[u.Successor]:
			return "", BadInput("unit", "unit %s is closed and its successors come back to %s without an open unit", id, u.Successor)
		}
		at = u.Successor
	}
}

// Replace returns the tree with u in place of the unit with its id (added
// when the tree has none), leaving t as it is.
func (t *UnitTree) Replace(u Unit) *UnitTree {
	var units []Unit
	if t != nil {
		units = make([]Unit, 0, len(t.given)+1)
		units = append(units, t.given...)
	}
	for i := range units {
		if units[i].ID == u.ID {
			units[i] = u
			return NewUnitTree(units)
		}
	}
	return NewUnitTree(append(units, u))
}

// openUnits is openUnit on each of ids.
func (t *UnitTree) openUnits(field string, ids []string) error {
	for _, id := range ids {
		if err := t.openUnit(field, id); err != nil {
			return err
		}
	}
	return nil
}

// openUnit returns nil when id is "" or an open unit of the tree, and
// BAD_USER_INPUT on field otherwise.
func (t *UnitTree) openUnit(field, id string) error {
	if id == "" {
		return nil
	}
	u, ok := t.Unit(id)
	if !ok {
		return BadInput(field, "unit %s does not exist", id)
	}
	if u.Closed() {
		return BadInput(field, "unit %s was closed on %s; its successor is %s", id, u.ClosedAt.Format("2006-01-02"), u.Successor)
	}
	return nil
}
