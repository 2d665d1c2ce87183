package incident

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Unit is an administrative unit. IDs are path-like ("lai-chau/tan-uyen"),
// but the hierarchy is the explicit Parent links, never id prefixes: units
// are reorganized, so Parent and EscalatesTo are data. EscalatesTo is the
// unit's own setting (possibly empty); UnitTree.EscalationTarget resolves
// the effective target through the ancestors.
//
// The tags are those of the seed file (yaml) and of the admin stream's
// UnitDefined and UnitChanged events (json).
type Unit struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	Parent      string `json:"parent,omitempty" yaml:"parent"`
	EscalatesTo string `json:"escalatesTo,omitempty" yaml:"escalatesTo"`
	// EscalationRoutes route the escalations of some incident kinds to
	// several units, the addressee first (escalation_routes.go); a kind
	// without a route goes to EscalatesTo. In the seed file both are
	// written as escalatesTo (Unit.UnmarshalYAML).
	EscalationRoutes EscalationRoutes `json:"escalationRoutes,omitzero" yaml:"-"`
	// Symbol is the unit's short sign on dispatches, e.g. "UBND-VHTT": the
	// issuer's abbreviation, and the drafting unit's after a hyphen (see
	// DispatchSymbol).
	Symbol string `json:"symbol,omitempty" yaml:"symbol"`

	// The unit as the issuer of office documents (issue 16); all optional.

	// Drafting is the abbreviation of the unit within the issuer that
	// drafts its letters ("VP", "VHTT"), added to a Symbol without a
	// hyphen (DispatchSymbol).
	Drafting string `json:"drafting,omitempty" yaml:"drafting"`
	// Numbering is how the unit numbers the documents it issues:
	// NumberingAuto ("" too: CaseTrail keeps the register) or
	// NumberingManual (the clerk types the number of the office's own
	// register).
	Numbering string `json:"numbering,omitempty" yaml:"numbering"`
	// IssuingBody is the unit's name in a letter's heading, "\n" breaking
	// its lines ("Ủy ban nhân dân\nhuyện Tân Uyên"); Name when empty.
	IssuingBody string `json:"issuingBody,omitempty" yaml:"issuingBody"`
	// ParentBody is the governing body printed above IssuingBody ("UBND
	// tỉnh Lai Châu"); none when empty.
	ParentBody string `json:"parentBody,omitempty" yaml:"parentBody"`
	// Place is the place name of a letter's date line ("Tân Uyên"); Name
	// when empty.
	Place string `json:"place,omitempty" yaml:"place"`
	// Signer is who signs the unit's letters unless the approving leader
	// names someone else.
	Signer Signer `json:"signer,omitzero" yaml:"signer"`

	// ValidFrom is when the unit came into being (issue 17 §5): the date
	// the seed file gives (validFrom), or the time the administration
	// created it; zero when not known (the units of earlier seeds), which
	// reads as "since always". The end of its validity is ClosedAt
	// (ValidTo). Events recorded before the field existed fold as before,
	// with a zero ValidFrom.
	ValidFrom time.Time `json:"validFrom,omitzero" yaml:"-"`
	// ClosedAt is when the unit was closed (the reorganisation of
	// 1/7/2025 merged communes and abolished districts); zero while it is
	// open. A closed unit keeps its cases, readable by whoever is granted
	// on it; new reports to it go to Successor (UnitTree.ReceivingUnit).
	// The administration closes a unit (closeUnit), and so does the seed
	// file's reorganisations, on the date they give: issue 17 §5 lifted
	// the earlier rule that only the administration closes a unit.
	ClosedAt time.Time `json:"closedAt,omitzero" yaml:"-"`
	// Successor is the unit that takes the new reports of a closed unit.
	Successor string `json:"successor,omitempty" yaml:"-"`
}

// Closed reports whether the unit is closed.
func (u Unit) Closed() bool { return !u.ClosedAt.IsZero() }

// ValidTo is when the unit stopped being valid: ClosedAt, zero while it is
// open.
func (u Unit) ValidTo() time.Time { return u.ClosedAt }

// ValidAt reports whether the unit existed at t: not before ValidFrom
// (when known) and before ValidTo (when closed).
func (u Unit) ValidAt(t time.Time) bool {
	return (u.ValidFrom.IsZero() || !t.Before(u.ValidFrom)) && (!u.Closed() || t.Before(u.ClosedAt))
}

// ManualNumbering reports whether the unit's clerk numbers its documents
// in the office's own register.
func (u Unit) ManualNumbering() bool { return u.Numbering == NumberingManual }

// MaxUnitID is the longest unit id, in bytes.
const MaxUnitID = 200

// ValidUnitID reports whether id is a path-like unit id: non-empty segments
// separated by "/", no spaces or control characters, at most MaxUnitID bytes.
func ValidUnitID(id string) bool {
	if id == "" || len(id) > MaxUnitID {
		return false
	}
	for seg := range strings.SplitSeq(id, "/") {
		if seg == "" {
			return false
		}
	}
	return !strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// newUnitID is the shape of the id of a unit the administration creates:
// lower-case slugs separated by "/".
var newUnitID = regexp.MustCompile(`^[a-z0-9-]+(/[a-z0-9-]+)*$`)

// ValidNewUnitID reports whether id can name a unit created now: a
// lower-case path-like slug ("lai-chau/tan-uyen/xa-phuc-khoa": letters a-z,
// digits and hyphens, segments separated by "/"), at most MaxUnitID bytes.
// Units of older seed files may have ids of the wider ValidUnitID.
func ValidNewUnitID(id string) bool {
	return len(id) <= MaxUnitID && newUnitID.MatchString(id)
}

// CheckUnitSymbol returns nil when s ("" for none) can be a unit's Symbol:
// the issuer's abbreviation, optionally a hyphen and the drafting unit's
// ("UBND-VHTT"), in letters (Vietnamese ones too), digits, hyphens, '.' or
// '&', without spaces or slashes (DispatchSymbol), and BAD_USER_INPUT on
// field otherwise.
func CheckUnitSymbol(field, s string) error {
	if s == "" || validSymbol(s) && !strings.HasPrefix(s, "-") && !strings.HasSuffix(s, "-") {
		return nil
	}
	return BadInput(field, "%q: an abbreviation such as UBND or UBND-VHTT (letters, digits, '-', '.' or '&'; no spaces or slashes)", s)
}

// CleanUnit checks and normalizes one unit on its own: id, parent and
// escalation target trimmed, the id path-like, name (required) and symbol
// cleaned as text, the escalation routes cleaned (CleanRoute), and the
// unit neither its own parent nor its own escalation target. Failures are
// BAD_USER_INPUT naming the field. Whether the parent and the target exist, and whether parents loop, depends on the
// other units (UnitTree.Check, and the registry's constraints).
func CleanUnit(u Unit) (Unit, error) {
	u.ID = strings.TrimSpace(u.ID)
	if !ValidUnitID(u.ID) {
		return u, BadInput("id", "%q is not a path-like unit id", u.ID)
	}
	var err error
	if u.Name, err = CleanText("name", u.Name, true, MaxShortText); err != nil {
		return u, err
	}
	if u.Symbol, err = CleanText("symbol", u.Symbol, false, MaxShortText); err != nil {
		return u, err
	}
	if u.Drafting, err = CleanText("drafting", strings.TrimSpace(u.Drafting), false, MaxShortText); err != nil {
		return u, err
	}
	if u.Drafting != "" && (!validSymbol(u.Drafting) || strings.Contains(u.Drafting, "-")) {
		return u, BadInput("drafting", "%q: an abbreviation such as VHTT, without spaces, slashes or hyphens", u.Drafting)
	}
	switch u.Numbering = strings.ToLower(strings.TrimSpace(u.Numbering)); u.Numbering {
	case "", NumberingAuto, NumberingManual:
	default:
		return u, BadInput("numbering", "%q is neither %s nor %s", u.Numbering, NumberingAuto, NumberingManual)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"issuingBody", &u.IssuingBody}, {"parentBody", &u.ParentBody}, {"place", &u.Place}} {
		if *f.v, err = CleanText(f.name, strings.TrimSpace(*f.v), false, MaxShortText); err != nil {
			return u, err
		}
	}
	if !u.Signer.IsZero() {
		if u.Signer, err = CleanSigner("signer", u.Signer); err != nil {
			return u, err
		}
	}
	u.Parent, u.EscalatesTo = strings.TrimSpace(u.Parent), strings.TrimSpace(u.EscalatesTo)
	u.Successor = strings.TrimSpace(u.Successor)
	if u.Parent == u.ID {
		return u, BadInput("parent", "a unit cannot be its own parent")
	}
	if u.EscalatesTo == u.ID {
		return u, BadInput("escalatesTo", "a unit cannot escalate to itself")
	}
	if u.EscalationRoutes, err = cleanRoutes(u); err != nil {
		return u, err
	}
	if u.Successor == u.ID {
		return u, BadInput("successor", "a unit cannot succeed itself")
	}
	if u.Successor != "" && !u.Closed() {
		return u, BadInput("successor", "only a closed unit has a successor")
	}
	// Stored with microseconds in UTC, so that a unit read back equals the
	// unit written.
	u.ClosedAt = u.ClosedAt.UTC().Truncate(time.Microsecond)
	if !u.ValidFrom.IsZero() {
		u.ValidFrom = u.ValidFrom.UTC().Truncate(time.Microsecond)
	}
	if u.Closed() && !u.ValidFrom.IsZero() && u.ClosedAt.Before(u.ValidFrom) {
		return u, BadInput("validTo", "the unit would close (%s) before it came into being (%s)",
			u.ClosedAt.Format(time.RFC3339), u.ValidFrom.Format(time.RFC3339))
	}
	return u, nil
}

// UnitTree is the hierarchy of a list of units: the one place that follows
// parent links. It is immutable and safe for concurrent use; a nil
// *UnitTree is an empty tree.
//
// NewUnitTree accepts any list, and every query stays defined on a list
// that is not a proper tree: the first unit of a duplicated id wins, a
// parent the list lacks ends the chain of ancestors (it is no ancestor),
// and a chain that comes back to a unit it passed stops there (the units
// of a cycle are within each other). Check reports such lists.
type UnitTree struct {
	given     []Unit
	units     []Unit         // first unit of each id, in the given order
	index     map[string]int // id -> position in units
	ancestors map[string][]string
	loops     map[string]bool // the parent chain comes back on itself
	children  map[string][]string
}

// NewUnitTree returns the tree of units.
func NewUnitTree(units []Unit) *UnitTree {
	t := &UnitTree{
		given:     slices.Clone(units),
		index:     make(map[string]int, len(units)),
		ancestors: make(map[string][]string, len(units)),
		loops:     map[string]bool{},
		children:  map[string][]string{},
	}
	for _, u := range units {
		if _, dup := t.index[u.ID]; dup {
			continue
		}
		t.index[u.ID] = len(t.units)
		t.units = append(t.units, u)
	}
	for _, u := range t.units {
		if _, ok := t.index[u.Parent]; ok && u.Parent != "" {
			t.children[u.Parent] = append(t.children[u.Parent], u.ID)
		}
		var chain []string
		for p := u.Parent; p != ""; {
			i, ok := t.index[p]
			if !ok {
				break
			}
			if p == u.ID || slices.Contains(chain, p) {
				t.loops[u.ID] = true
				break
			}
			chain = append(chain, p)
			p = t.units[i].Parent
		}
		if chain != nil {
			t.ancestors[u.ID] = chain
		}
	}
	for _, c := range t.children {
		slices.Sort(c)
	}
	return t
}

// Check reports the first reason the list is not a proper tree: a unit
// with an empty id, an id listed twice, a parent that is not in the list,
// a unit that is its own ancestor, or an escalation route to a unit that
// is not in the list.
func (t *UnitTree) Check() error {
	if t == nil {
		return nil
	}
	seen := make(map[string]bool, len(t.given))
	for _, u := range t.given {
		if u.ID == "" {
			return errors.New("unit with empty id")
		}
		if seen[u.ID] {
			return fmt.Errorf("unit %q listed twice", u.ID)
		}
		seen[u.ID] = true
	}
	for _, u := range t.units {
		if u.Parent == "" {
			continue
		}
		if _, ok := t.index[u.Parent]; !ok {
			return fmt.Errorf("unit %q: parent %q is not a unit", u.ID, u.Parent)
		}
		if t.loops[u.ID] {
			return fmt.Errorf("unit %q is its own ancestor", u.ID)
		}
	}
	return t.checkRoutes()
}

// Units returns the units of the tree (the first of a duplicated id), in
// the order given.
func (t *UnitTree) Units() []Unit {
	if t == nil {
		return nil
	}
	return slices.Clone(t.units)
}

// Unit returns the unit with id.
func (t *UnitTree) Unit(id string) (Unit, bool) {
	if t == nil {
		return Unit{}, false
	}
	i, ok := t.index[id]
	if !ok {
		return Unit{}, false
	}
	return t.units[i], true
}

// Ancestors returns the ancestors of id, nearest first (none for a root or
// an unknown unit). A chain that loops stops before it repeats a unit.
func (t *UnitTree) Ancestors(id string) []string {
	if t == nil {
		return nil
	}
	return slices.Clone(t.ancestors[id])
}

// Loops reports whether the parent chain of id comes back to a unit it
// passed: id is in a cycle or below one.
func (t *UnitTree) Loops(id string) bool {
	return t != nil && t.loops[id]
}

// Within reports whether id is ancestor or lies below it. A unit is within
// itself, also when the tree does not have it; otherwise an unknown unit is
// within nothing.
func (t *UnitTree) Within(id, ancestor string) bool {
	if id == ancestor {
		return true
	}
	if t == nil {
		return false
	}
	return slices.Contains(t.ancestors[id], ancestor)
}

// Subtree returns id and every unit within it, id first, then level by
// level with the children of each unit sorted; id alone when the tree does
// not have it.
func (t *UnitTree) Subtree(id string) []string {
	out := []string{id}
	if t == nil {
		return out
	}
	// A unit has one parent, so the walk meets a unit twice only when id
	// is in a cycle, and then only id itself.
	for i := 0; i < len(out); i++ {
		for _, c := range t.children[out[i]] {
			if c != id {
				out = append(out, c)
			}
		}
	}
	return out
}

// EscalationTarget returns where cases of unit id escalate to: the unit's
// own EscalatesTo, or that of its nearest ancestor that has one; "" when
// none has or the tree does not have id.
func (t *UnitTree) EscalationTarget(id string) string {
	u, ok := t.Unit(id)
	if !ok {
		return ""
	}
	if u.EscalatesTo != "" {
		return u.EscalatesTo
	}
	for _, a := range t.ancestors[id] {
		if e := t.units[t.index[a]].EscalatesTo; e != "" {
			return e
		}
	}
	return ""
}
