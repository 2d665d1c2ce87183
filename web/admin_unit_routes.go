package web

import (
	"net/http"
	"net/url"
	"slices"

	"casetrail/incident"
)

// A unit's escalation routes by kind on its admin page (the form "routes",
// POST /admin/units/routes): per incident kind the addressee (Kính gửi)
// and the units that receive the letter for coordination (phối hợp) or
// for information (để biết); a kind without an addressee has no route of
// its own. The form sends the routes whole through updateUnit's
// input.escalationRoutes, which the API checks as it checks the seed's.

// routeRoles are the roles of a route's units as the form asks for them,
// after the addressee: the field prefix of each.
var routeRoles = []struct {
	prefix, role, label string
}{
	{"co-", string(incident.RecipientCoordination), "admin.unit.routeCo"},
	{"info-", string(incident.RecipientInformation), "admin.unit.routeInfo"},
}

// routeKinds are the kinds whose routes the form sets.
var routeKinds = incident.Kinds

// routeValues are the form's values of routes: "to-KIND" the addressee,
// "co-KIND" and "info-KIND" the others.
func routeValues(routes []adminRoute) url.Values {
	out := url.Values{}
	for _, rt := range routes {
		for i, r := range rt.Recipients {
			switch {
			case i == 0:
				out["to-"+rt.Kind] = []string{r.Unit.ID}
			case r.Role == string(incident.RecipientInformation):
				out["info-"+rt.Kind] = append(out["info-"+rt.Kind], r.Unit.ID)
			default:
				out["co-"+rt.Kind] = append(out["co-"+rt.Kind], r.Unit.ID)
			}
		}
	}
	return out
}

// routeOptions are the units a route of unit x may name: the open units
// but x, and the units its routes name now (a closed one may stay).
func routeOptions(p *Printer, units []adminUnit, x adminUnit) []option {
	var out []option
	for _, o := range unitOptions(p, units, allRoots(units), false) {
		if o.Value != x.ID {
			out = append(out, o)
		}
	}
	for _, rt := range x.EscalationRoutes {
		for _, r := range rt.Recipients {
			if !slices.ContainsFunc(out, func(o option) bool { return o.Value == r.Unit.ID }) {
				out = append([]option{{Value: r.Unit.ID, Label: r.Unit.Name}}, out...)
			}
		}
	}
	return out
}

// routeFieldset is one kind's part of the form: its addressee and the
// units that receive the letter too.
type routeFieldset struct {
	Legend string
	To     fieldView
	Others []fieldView
}

// routeFieldsets are the form's parts, one per kind, as f holds them.
func routeFieldsets(f *adminForm, opts []option) []routeFieldset {
	p := f.p
	out := make([]routeFieldset, 0, len(routeKinds))
	for _, k := range routeKinds {
		kind := string(k)
		fs := routeFieldset{Legend: p.T("kind." + kind),
			To: f.Select("to-"+kind, "admin.unit.routeTo", "", false, "admin.unit.routeToNone", opts)}
		for _, rr := range routeRoles {
			fs.Others = append(fs.Others, f.Multi(rr.prefix+kind, rr.label, "", opts))
		}
		out = append(out, fs)
	}
	return out
}

// unitRoutes sends the routes of the form (POST /admin/units/routes).
func (h *Handler) unitRoutes(w http.ResponseWriter, r *http.Request, u *User) {
	f, x, units, ok := h.unitForm(w, r, u, "routes")
	if !ok {
		return
	}
	id := x.ID
	opts := routeOptions(f.p, units, x)
	known := func(v string) bool { return slices.ContainsFunc(opts, func(o option) bool { return o.Value == v }) }
	routes := []map[string]any{} // none: [], which removes them (null would keep them)
	for _, k := range routeKinds {
		kind := string(k)
		f.oneOf("to-"+kind, "admin.unit.routeTo", false, opts)
		to := f.V("to-" + kind)
		seen := []string{to}
		recipients := []map[string]any{{"unit": to, "role": string(incident.RecipientAddressee)}}
		for _, rr := range routeRoles {
			field := rr.prefix + kind
			for _, v := range f.Vs(field) {
				switch {
				case !known(v):
					f.errs[field] = f.p.T("admin.err.choose", f.p.T(rr.label))
				case slices.Contains(seen, v):
					f.errs[field] = f.p.T("admin.unit.routeTwice")
				}
				seen = append(seen, v)
				recipients = append(recipients, map[string]any{"unit": v, "role": rr.role})
			}
		}
		switch {
		case to == "" && len(recipients) > 1:
			f.errs["to-"+kind] = f.p.T("admin.unit.routeNeedsTo")
		case to != "":
			routes = append(routes, map[string]any{"kind": kind, "recipients": recipients})
		}
	}
	f.needReason()
	if len(f.errs) == 0 && sameRoutes(routes, x.EscalationRoutes) {
		f.Alert = f.p.T("admin.units.nothing")
	}
	if f.Alert != "" || !f.checked() {
		h.unitPage(w, r, u, id, http.StatusBadRequest, f)
		return
	}
	vars := map[string]any{"id": id, "input": map[string]any{"escalationRoutes": routes}, "reason": f.V("reason")}
	if ae := h.run(r.Context(), u, updateUnitMutation, vars, nil); ae != nil {
		h.log.Info("admin: unit routes refused", "user", u.Username, "unit", id, "code", ae.Code, "field", ae.Field)
		h.unitPage(w, r, u, id, f.refused(ae, nil), f)
		return
	}
	h.log.Info("admin: unit routes set", "user", u.Username, "unit", id, "kinds", len(routes))
	h.adminDone(w, r, unitEditURL(id), "admin.units.routesDone", x.Name)
}

// sameRoutes reports whether the routes the form sends are the unit's:
// per kind the same addressee and the same units in each role (the form
// cannot order the others, so their order does not count).
func sameRoutes(sent []map[string]any, have []adminRoute) bool {
	key := func(kind string, unit, role any) string {
		return kind + "\x00" + unit.(string) + "\x00" + role.(string)
	}
	var a, b []string
	for _, rt := range sent {
		for _, r := range rt["recipients"].([]map[string]any) {
			a = append(a, key(rt["kind"].(string), r["unit"], r["role"]))
		}
	}
	for _, rt := range have {
		for i, r := range rt.Recipients {
			role := r.Role
			if i == 0 {
				role = string(incident.RecipientAddressee)
			}
			b = append(b, key(rt.Kind, r.Unit.ID, role))
		}
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
