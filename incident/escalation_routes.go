package incident

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Escalation routing by kind, to several recipients (issue 17, §3). A unit
// escalates every kind to its EscalatesTo (one addressee), unless its
// EscalationRoutes give the case's kind a list of units: the first is the
// addressee ("Kính gửi"), the others receive the letter for coordination
// or for information. A kind the routes lack falls back to EscalatesTo, and
// a unit with neither to its nearest ancestor's setting
// (UnitTree.EscalationRecipients).
//
// The recipients of a case are resolved when it is reported, as its
// EscalatesTo is (Report.EscalationRecipients); an escalation records them
// (EscalationRequested.Recipients), each is sent the letter, and a response
// is recorded per recipient. Only the addressee's response moves the
// escalation (ACKNOWLEDGED, RESOLVED) and meets its ESCALATION_RESPONSE
// deadline; the others' are recorded on them and change nothing else.

// RecipientRole is why a unit receives an escalation.
type RecipientRole string

// The roles of an escalation's recipients.
const (
	// RecipientAddressee is the unit the letter is addressed to ("Kính
	// gửi"): its answer settles the escalation.
	RecipientAddressee RecipientRole = "ADDRESSEE"
	// RecipientCoordination receives the letter to coordinate ("để phối
	// hợp").
	RecipientCoordination RecipientRole = "COORDINATION"
	// RecipientInformation receives the letter for information ("để
	// biết").
	RecipientInformation RecipientRole = "INFORMATION"
)

// RecipientRoles lists the roles, the addressee's first.
var RecipientRoles = []RecipientRole{RecipientAddressee, RecipientCoordination, RecipientInformation}

// ValidRecipientRole reports whether r is one of RecipientRoles.
func ValidRecipientRole(r RecipientRole) bool { return slices.Contains(RecipientRoles, r) }

// Recipient is a unit an escalation goes to, and why.
type Recipient struct {
	Unit string        `json:"unit" yaml:"unit"`
	Role RecipientRole `json:"role" yaml:"role"`
}

// EscalationRecipient is one recipient of a case's escalation: when the
// letter was sent to it and its latest answer.
type EscalationRecipient struct {
	Unit        string        `json:"unit"`
	Role        RecipientRole `json:"role"`
	SentAt      *time.Time    `json:"sentAt,omitempty"`
	Response    string        `json:"response,omitempty"`
	RespondedAt *time.Time    `json:"respondedAt,omitempty"`
	// Resolved is whether the recipient's latest answer said the matter
	// is settled on its side.
	Resolved bool `json:"resolved,omitempty"`
}

// MaxRecipients bounds the units of one escalation route.
const MaxRecipients = 20

// Addressee is the unit the escalation is addressed to: To.
func (e *Escalation) Addressee() string { return e.To }

// RecipientList returns the escalation's recipients, the addressee first.
// An escalation recorded before recipients were (its event had none, or a
// state carried over by an older run) has one: the addressee To, sent,
// answered and resolved as the escalation itself was.
func (e *Escalation) RecipientList() []EscalationRecipient {
	if e == nil {
		return nil
	}
	if len(e.Recipients) > 0 {
		return slices.Clone(e.Recipients)
	}
	r := EscalationRecipient{Unit: e.To, Role: RecipientAddressee, Response: e.Response, Resolved: e.Status == EscResolved}
	if e.SentAt != nil {
		t := *e.SentAt
		r.SentAt = &t
	}
	if e.RespondedAt != nil {
		t := *e.RespondedAt
		r.RespondedAt = &t
	}
	return []EscalationRecipient{r}
}

// Recipient returns the recipient unit of the escalation ("" for the
// addressee), or nil.
func (e *Escalation) Recipient(unit string) *EscalationRecipient {
	if e == nil {
		return nil
	}
	if unit == "" {
		unit = e.To
	}
	e.materialize()
	for i := range e.Recipients {
		if e.Recipients[i].Unit == unit {
			return &e.Recipients[i]
		}
	}
	return nil
}

// materialize gives an escalation without recorded recipients its
// RecipientList, so that they can be changed one by one.
func (e *Escalation) materialize() {
	if len(e.Recipients) == 0 {
		e.Recipients = e.RecipientList()
	}
}

// recipientsOf returns the recipients an EscalationRequested of c names:
// the ones resolved at the report when they are addressed to the case's
// escalation target and are more than it; none when the target alone
// receives it (the event's To says it, as events did before routes).
func recipientsOf(c *Case) []Recipient {
	if len(c.EscalationRecipients) > 1 && c.EscalationRecipients[0].Unit == c.EscalatesTo {
		return slices.Clone(c.EscalationRecipients)
	}
	return nil
}

// escalationRecipients turns the recipients of an EscalationRequested into
// the escalation's (to alone, as addressee, for an event without them).
func escalationRecipients(to string, rs []Recipient) []EscalationRecipient {
	if len(rs) == 0 {
		return []EscalationRecipient{{Unit: to, Role: RecipientAddressee}}
	}
	out := make([]EscalationRecipient, len(rs))
	for i, r := range rs {
		out[i] = EscalationRecipient{Unit: r.Unit, Role: r.Role}
	}
	return out
}

// CleanRoute checks and normalizes the route of one kind of unit id (""
// for a route that is no unit's own): 1 to MaxRecipients unit ids, none
// twice and none the unit itself; the first the addressee (its role
// ADDRESSEE or left out), the others COORDINATION (when left out) or
// INFORMATION. Failures are BAD_USER_INPUT on "escalationRoutes".
func CleanRoute(id string, kind Kind, route []Recipient) ([]Recipient, error) {
	const field = "escalationRoutes"
	if !validKind(kind) {
		return nil, BadInput(field, "unknown incident kind %q", kind)
	}
	if len(route) == 0 || len(route) > MaxRecipients {
		return nil, BadInput(field, "%s: needs between 1 and %d units, got %d", kind, MaxRecipients, len(route))
	}
	out := make([]Recipient, len(route))
	for i, r := range route {
		r.Unit = strings.TrimSpace(r.Unit)
		switch {
		case !ValidUnitID(r.Unit):
			return nil, BadInput(field, "%s: %q is not a path-like unit id", kind, r.Unit)
		case id != "" && r.Unit == id:
			return nil, BadInput(field, "%s: a unit cannot escalate to itself", kind)
		case slices.ContainsFunc(out[:i], func(o Recipient) bool { return o.Unit == r.Unit }):
			return nil, BadInput(field, "%s: unit %s is listed twice", kind, r.Unit)
		}
		switch {
		case i == 0 && (r.Role == "" || r.Role == RecipientAddressee):
			r.Role = RecipientAddressee
		case i == 0:
			return nil, BadInput(field, "%s: the first unit is the addressee (role %s), not %s", kind, RecipientAddressee, r.Role)
		case r.Role == "":
			r.Role = RecipientCoordination
		case r.Role == RecipientAddressee:
			return nil, BadInput(field, "%s: only the first unit is the addressee; %s is %s or %s", kind, r.Unit, RecipientCoordination, RecipientInformation)
		case !ValidRecipientRole(r.Role):
			return nil, BadInput(field, "%s: unknown role %q of %s", kind, r.Role, r.Unit)
		}
		out[i] = r
	}
	return out, nil
}

// EscalationRoutes are the routes of a unit by incident kind. It is a
// value: comparable with == (so is Unit), its zero value routes nothing,
// and it reads and writes JSON as an object of kinds to lists of
// recipients ({"IMPERSONATION": [{"unit": "…", "role": "ADDRESSEE"}]}).
type EscalationRoutes struct {
	enc string // the canonical JSON of the routes; "" for none
}

// RoutesOf returns the routes of m as given (CleanRoute cleans them),
// but for a role left out, which is the addressee's for the first unit of
// a route and COORDINATION for the others; kinds with an empty list are
// left out.
func RoutesOf(m map[Kind][]Recipient) EscalationRoutes {
	out := map[Kind][]Recipient{}
	for k, r := range m {
		if len(r) == 0 {
			continue
		}
		r = slices.Clone(r)
		for i := range r {
			switch {
			case r[i].Role != "":
			case i == 0:
				r[i].Role = RecipientAddressee
			default:
				r[i].Role = RecipientCoordination
			}
		}
		out[k] = r
	}
	if len(out) == 0 {
		return EscalationRoutes{}
	}
	b, err := json.Marshal(out) // keys sorted: one encoding per value
	if err != nil {
		panic("incident: encode routes: " + err.Error()) // strings only: cannot happen
	}
	return EscalationRoutes{enc: string(b)}
}

// IsZero reports whether the routes route no kind.
func (r EscalationRoutes) IsZero() bool { return r.enc == "" }

// Map returns the routes as a fresh map (nil for none).
func (r EscalationRoutes) Map() map[Kind][]Recipient {
	if r.enc == "" {
		return nil
	}
	var m map[Kind][]Recipient
	if err := json.Unmarshal([]byte(r.enc), &m); err != nil {
		panic("incident: decode routes: " + err.Error()) // written by RoutesOf
	}
	return m
}

// Route returns the route of kind (none when kind is not routed).
func (r EscalationRoutes) Route(kind Kind) []Recipient { return r.Map()[kind] }

// Kinds returns the routed kinds in contract order, unknown ones last.
func (r EscalationRoutes) Kinds() []Kind { return sortedKinds(r.Map()) }

// MarshalJSON writes the routes as an object of kinds (null for none).
func (r EscalationRoutes) MarshalJSON() ([]byte, error) {
	if r.enc == "" {
		return []byte("null"), nil
	}
	return []byte(r.enc), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *EscalationRoutes) UnmarshalJSON(b []byte) error {
	var m map[Kind][]Recipient
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*r = RoutesOf(m)
	return nil
}

// cleanRoutes is CleanRoute on every kind of u's routes.
func cleanRoutes(u Unit) (EscalationRoutes, error) {
	m := u.EscalationRoutes.Map()
	for _, k := range sortedKinds(m) {
		r, err := CleanRoute(u.ID, k, m[k])
		if err != nil {
			return EscalationRoutes{}, err
		}
		m[k] = r
	}
	return RoutesOf(m), nil
}

// sortedKinds returns the kinds of routes in contract order, unknown ones
// last, sorted.
func sortedKinds(routes map[Kind][]Recipient) []Kind {
	out := make([]Kind, 0, len(routes))
	for k := range routes {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Kind) int {
		ia, ib := slices.Index(Kinds, a), slices.Index(Kinds, b)
		if ia < 0 {
			ia = len(Kinds)
		}
		if ib < 0 {
			ib = len(Kinds)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(string(a), string(b))
	})
	return out
}

// routeUnits returns every unit u's routes name, in kind order.
func (u Unit) routeUnits() []string {
	var out []string
	m := u.EscalationRoutes.Map()
	for _, k := range sortedKinds(m) {
		for _, r := range m[k] {
			if !slices.Contains(out, r.Unit) {
				out = append(out, r.Unit)
			}
		}
	}
	return out
}

// EscalationRecipients returns the recipients of an escalation of a case of
// kind in unit id, the addressee first: the route for kind of the unit or,
// when it has none, its EscalatesTo alone; else the same of its nearest
// ancestor that has either. A closed recipient is replaced by the open unit
// that succeeds it (ReceivingUnit; kept when none does), and a unit reached
// twice that way is listed once, with its first role. None when no unit up
// the chain has a setting or the tree does not have id.
func (t *UnitTree) EscalationRecipients(id string, kind Kind) []Recipient {
	u, ok := t.Unit(id)
	if !ok {
		return nil
	}
	var route []Recipient
	for _, at := range append([]string{id}, t.ancestors[id]...) {
		if at != id {
			u = t.units[t.index[at]]
		}
		if r := u.EscalationRoutes.Route(kind); len(r) > 0 {
			route = r
			break
		}
		if u.EscalatesTo != "" {
			route = []Recipient{{Unit: u.EscalatesTo, Role: RecipientAddressee}}
			break
		}
	}
	out := make([]Recipient, 0, len(route))
	for i, r := range route {
		if to, err := t.ReceivingUnit(r.Unit); err == nil {
			r.Unit = to
		}
		if i == 0 {
			r.Role = RecipientAddressee
		} else if r.Role == "" || r.Role == RecipientAddressee {
			r.Role = RecipientCoordination
		}
		if !slices.ContainsFunc(out, func(o Recipient) bool { return o.Unit == r.Unit }) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkRoutes returns the first route of the tree's units naming a unit the
// tree lacks.
func (t *UnitTree) checkRoutes() error {
	for _, u := range t.units {
		m := u.EscalationRoutes.Map()
		for _, k := range sortedKinds(m) {
			for _, r := range m[k] {
				if _, ok := t.index[r.Unit]; !ok {
					return fmt.Errorf("unit %q: escalation route %s: %q is not a unit", u.ID, k, r.Unit)
				}
			}
		}
	}
	return nil
}

// UnmarshalYAML reads a unit of the seed file, where escalatesTo is either
// one unit id (every kind) or a mapping: "default" to one unit id (every
// kind the mapping does not name), and an incident kind to a list of units,
// the addressee first, each an id or {unit: id, role: COORDINATION |
// INFORMATION}:
//
//	escalatesTo:
//	  default: lai-chau/so-vhttdl
//	  ACCOUNT_COMPROMISED: [lai-chau/so-vhttdl, lai-chau/cong-an, {unit: lai-chau/so-khcn, role: INFORMATION}]
//
// Roles are set as CleanRoute sets them; the rules on the units are
// CleanUnit's and the seed's.
func (u *Unit) UnmarshalYAML(n *yaml.Node) error {
	type plain Unit // without this method
	var esc *yaml.Node
	rest := *n
	if n.Kind == yaml.MappingNode {
		rest.Content = nil
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "escalatesTo" {
				esc = n.Content[i+1]
				continue
			}
			rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
		}
	}
	var p plain
	if err := rest.Decode(&p); err != nil {
		return err
	}
	*u = Unit(p)
	if esc == nil {
		return nil
	}
	to, routes, err := decodeEscalatesTo(esc)
	if err != nil {
		return err
	}
	u.EscalatesTo, u.EscalationRoutes = to, routes
	return nil
}

// decodeEscalatesTo reads the seed's escalatesTo (see Unit.UnmarshalYAML).
func decodeEscalatesTo(n *yaml.Node) (string, EscalationRoutes, error) {
	to, m, err := decodeEscalatesToMap(n)
	return to, RoutesOf(m), err
}

func decodeEscalatesToMap(n *yaml.Node) (string, map[Kind][]Recipient, error) {
	bad := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("escalatesTo: %s (line %d)", fmt.Sprintf(format, args...), n.Line)
	}
	unitID := func(n *yaml.Node) (string, error) {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			return "", bad(n, "a unit id is expected")
		}
		return n.Value, nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil, nil
		}
		return n.Value, nil, nil
	case yaml.MappingNode:
	default:
		return "", nil, bad(n, "one unit id, or a mapping of default and incident kinds to units")
	}
	var to string
	routes := map[Kind][]Recipient{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Value == "default" {
			id, err := unitID(val)
			if err != nil {
				return "", nil, err
			}
			to = id
			continue
		}
		kind := Kind(key.Value)
		if !validKind(kind) {
			return "", nil, bad(key, "%q is neither default nor an incident kind (%s)", key.Value, kindList())
		}
		if _, dup := routes[kind]; dup {
			return "", nil, bad(key, "%s given twice", kind)
		}
		items := []*yaml.Node{val}
		if val.Kind == yaml.SequenceNode {
			items = val.Content
		}
		if len(items) == 0 {
			return "", nil, bad(val, "%s: at least one unit", kind)
		}
		var route []Recipient
		for _, it := range items {
			var r Recipient
			if it.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(it.Content); j += 2 {
					switch k, v := it.Content[j], it.Content[j+1]; k.Value {
					case "unit":
						id, err := unitID(v)
						if err != nil {
							return "", nil, err
						}
						r.Unit = id
					case "role":
						r.Role = RecipientRole(v.Value)
					default:
						return "", nil, bad(k, "%s: unknown field %q (unit, role)", kind, k.Value)
					}
				}
				if r.Unit == "" {
					return "", nil, bad(it, "%s: unit is required", kind)
				}
			} else {
				id, err := unitID(it)
				if err != nil {
					return "", nil, err
				}
				r.Unit = id
			}
			route = append(route, r)
		}
		if len(route) > 0 && route[0].Role == "" {
			route[0].Role = RecipientAddressee
		}
		for j := 1; j < len(route); j++ {
			if route[j].Role == "" {
				route[j].Role = RecipientCoordination
			}
		}
		routes[kind] = route
	}
	return to, routes, nil
}

// kindList names the incident kinds, comma-separated.
func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
