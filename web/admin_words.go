package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"casetrail/incident"
)

// The admin log in words (admin_history.go): each event of the admin
// stream said as the change it made. Events carry the new state of what
// they change (a unit, an account, a grant), so the words of a change
// come from comparing it with the state before, which adminState keeps
// while the events are read in order.

// Event types of the admin stream (readmodel's; the log says those it
// does not know as "another change").
const (
	evUnitDefined    = "UnitDefined"
	evUnitChanged    = "UnitChanged"
	evUnitClosed     = "UnitClosed"
	evAccountAdded   = "OfficialAccountRegistered"
	evAccountChanged = "OfficialAccountChanged"
	evRoleGranted    = "RoleGranted"
	evRoleRevoked    = "RoleRevoked"
	evUserCreated    = "UserCreated"
	evPasswordReset  = "PasswordReset"
	evUserDisabled   = "UserDisabled"
	evUserEnabled    = "UserEnabled"
	evEmailChanged   = "UserEmailChanged"
)

// adminState is what the events read so far say of units and accounts.
type adminState struct {
	// unitNames are the units' names now (the API's units).
	unitNames map[string]string
	units     map[string]map[string]any
	accounts  map[string]map[string]any
	// names are people's display names by username.
	names map[string]string
}

func newAdminState(units []unitRef) *adminState {
	st := &adminState{unitNames: map[string]string{}, units: map[string]map[string]any{}, accounts: map[string]map[string]any{}}
	for _, u := range units {
		st.unitNames[u.ID] = u.Name
	}
	return st
}

// unit names unit id: its name, else its id.
func (st *adminState) unit(id string) string {
	if n := st.unitNames[id]; n != "" {
		return n
	}
	if u := st.units[id]; u != nil {
		if n, _ := u["name"].(string); n != "" {
			return n
		}
	}
	return id
}

// unitFields are the fields of a unit the log names, with their words;
// the letter's fields (issue 16) are said together.
var unitFields = []struct{ key, label string }{
	{"name", "admin.unit.name"}, {"parent", "admin.unit.parent"}, {"escalatesTo", "admin.unit.escalatesTo"},
	{"symbol", "admin.unit.symbol"}, {"successor", "admin.unit.successor"}, {"escalationRoutes", "admin.unit.routes"},
}

// letterFields are a unit's fields of its letters (issue 16).
var letterFields = []string{"drafting", "numbering", "issuingBody", "parentBody", "place", "signer"}

// accountFields are the fields of an account the log names.
var accountFields = []struct{ key, label string }{
	{"displayName", "admin.account.displayName"}, {"url", "admin.account.url"},
	{"platform", "admin.account.platform"}, {"unit", "admin.account.unit"},
}

// describe says what e did and its details, and records its state.
func (st *adminState) describe(p *Printer, e adminEvent) (string, []string) {
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Data), &m); err != nil || m == nil {
		return p.T("admin.ev.unknown"), nil
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	person := func(k string) string { return p.Actor(st.names, str(k)) }
	switch e.Type {
	case evUnitDefined:
		st.units[str("id")] = m
		var details []string
		for _, f := range unitFields {
			if v := st.unitValue(p, f.key, m[f.key]); v != "" && f.key != "name" {
				details = append(details, p.T("admin.history.value", p.T(f.label), v))
			}
		}
		return p.T("admin.ev.unitDefined", quoted(str("name"), str("id"))), details
	case evUnitChanged, evUnitClosed:
		id := str("id")
		if id == "" {
			id = str("unit")
		}
		old := st.units[id]
		// UnitChanged carries the whole new unit; a closing may carry
		// only what it changes.
		next := m
		if e.Type == evUnitClosed {
			next = merged(old, m)
		}
		st.units[id] = next
		name, _ := next["name"].(string)
		if name == "" {
			name = st.unit(id)
		}
		if e.Type == evUnitClosed || (old != nil && old["closedAt"] == nil && next["closedAt"] != nil) {
			succ, _ := next["successor"].(string)
			return p.T("admin.ev.unitClosed", quoted(name, id), quoted(st.unit(succ), succ)), nil
		}
		return p.T("admin.ev.unitChanged", quoted(name, id)), st.diff(p, old, next)
	case evAccountAdded:
		st.accounts[str("id")] = m
		return p.T("admin.ev.accountAdded", str("displayName"), p.Word("platform", str("platform")), st.unit(str("unit"))),
			[]string{p.T("admin.history.value", p.T("admin.account.url"), str("url"))}
	case evAccountChanged:
		id := str("id")
		old := st.accounts[id]
		next := merged(old, m)
		st.accounts[id] = next
		name, _ := next["displayName"].(string)
		if name == "" {
			name = id
		}
		// The event names the fields it changed; an event without the
		// list is compared with the account as last seen.
		var changed []string
		if list, ok := m["changed"].([]any); ok {
			for _, k := range list {
				changed = append(changed, fmt.Sprint(k))
			}
		} else {
			for _, k := range []string{"verified", "disabled", "displayName", "url", "platform", "unit"} {
				if _, given := m[k]; given && (old == nil || fmt.Sprint(old[k]) != fmt.Sprint(m[k])) {
					changed = append(changed, k)
				}
			}
		}
		var what string
		var details []string
		for _, k := range changed {
			now, _ := next[k].(bool)
			switch {
			case k == "verified" && now:
				what = p.T("admin.ev.accountVerified", name)
			case k == "verified":
				what = p.T("admin.ev.accountUnverif", name)
			case k == "disabled" && now:
				what = p.T("admin.ev.accountDisabled", name)
			case k == "disabled":
				what = p.T("admin.ev.accountEnabled", name)
			}
		}
		for _, f := range accountFields {
			if !slices.Contains(changed, f.key) {
				continue
			}
			nv, ov := st.accountValue(p, f.key, next[f.key]), st.accountValue(p, f.key, old[f.key])
			if old == nil {
				details = append(details, p.T("admin.history.value", p.T(f.label), orEmpty(p, nv)))
			} else {
				details = append(details, p.T("admin.history.change", p.T(f.label), orEmpty(p, ov), orEmpty(p, nv)))
			}
		}
		if what == "" || len(details) > 0 {
			if what != "" {
				details = append([]string{what}, details...)
			}
			what = p.T("admin.ev.accountChanged", name)
		}
		return what, details
	case evRoleGranted:
		return p.T("admin.ev.roleGranted", p.Role(str("role")), st.unit(str("unit")), person("subject")), nil
	case evRoleRevoked:
		return p.T("admin.ev.roleRevoked", p.Role(str("role")), st.unit(str("unit")), person("subject")), nil
	case evUserCreated:
		return p.T("admin.ev.userCreated", quoted(str("name"), str("username"))), nil
	case evPasswordReset:
		return p.T("admin.ev.passwordReset", person("username")), nil
	case evUserDisabled:
		return p.T("admin.ev.userDisabled", person("username")), nil
	case evUserEnabled:
		return p.T("admin.ev.userEnabled", person("username")), nil
	case evEmailChanged:
		if e := str("email"); e != "" {
			return p.T("admin.ev.emailSet", person("username"), e), nil
		}
		return p.T("admin.ev.emailRemoved", person("username")), nil
	}
	return p.T("admin.ev.unknown"), nil
}

// diff says the unit fields that differ from old to next (every field of
// next when old is unknown).
func (st *adminState) diff(p *Printer, old, next map[string]any) []string {
	var out []string
	for _, f := range unitFields {
		nv, ov := st.unitValue(p, f.key, next[f.key]), st.unitValue(p, f.key, old[f.key])
		switch {
		case old == nil && nv != "":
			out = append(out, p.T("admin.history.value", p.T(f.label), nv))
		case old != nil && nv != ov:
			out = append(out, p.T("admin.history.change", p.T(f.label), orEmpty(p, ov), orEmpty(p, nv)))
		}
	}
	if old != nil && slices.ContainsFunc(letterFields, func(k string) bool { return fmt.Sprint(old[k]) != fmt.Sprint(next[k]) }) {
		out = append(out, p.T("admin.history.letter"))
	}
	return out
}

// unitValue says the value v of a unit's field key: units by name.
func (st *adminState) unitValue(p *Printer, key string, v any) string {
	if key == "escalationRoutes" {
		return st.routesValue(p, v)
	}
	s, _ := v.(string)
	if s == "" {
		return ""
	}
	switch key {
	case "parent", "escalatesTo", "successor":
		return st.unit(s)
	}
	return s
}

// routesValue says a unit's routes as the events carry them ({"KIND":
// [{"unit": …, "role": …}]}), kinds in the contract's order: "kind: unit
// (role); unit (role) · kind: …".
func (st *adminState) routesValue(p *Printer, v any) string {
	m, _ := v.(map[string]any)
	var routes []adminRoute
	for _, k := range incident.Kinds {
		list, _ := m[string(k)].([]any)
		if len(list) == 0 {
			continue
		}
		rt := adminRoute{Kind: string(k)}
		for _, x := range list {
			r, _ := x.(map[string]any)
			id, _ := r["unit"].(string)
			role, _ := r["role"].(string)
			rt.Recipients = append(rt.Recipients, routeRecipient{Unit: unitRef{ID: id, Name: st.unit(id)}, Role: role})
		}
		routes = append(routes, rt)
	}
	var out []string
	for _, l := range routeLines(p, routes) {
		out = append(out, l.Kind+": "+strings.Join(l.Recipients, "; "))
	}
	return strings.Join(out, " · ")
}

// accountValue says the value v of an account's field key.
func (st *adminState) accountValue(p *Printer, key string, v any) string {
	s, _ := v.(string)
	switch {
	case s == "":
		return ""
	case key == "platform":
		return p.Word("platform", s)
	case key == "unit":
		return st.unit(s)
	}
	return s
}

// merged returns old with the fields of next over it (next whole when
// old is unknown).
func merged(old, next map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(next))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range next {
		out[k] = v
	}
	return out
}

// quoted names something by its name and id: «Tân Uyên» (lai-chau/tan-uyen).
func quoted(name, id string) string {
	switch {
	case name == "":
		return id
	case id == "" || id == name:
		return "«" + name + "»"
	}
	return "«" + name + "» (" + id + ")"
}

// orEmpty says an empty value as such.
func orEmpty(p *Printer, s string) string {
	if s == "" {
		return p.T("admin.history.empty.val")
	}
	return s
}
