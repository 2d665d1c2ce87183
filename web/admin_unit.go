package web

import (
	"net/http"
	"net/url"
	"slices"

	"casetrail/incident"
)

// updateUnitMutation changes a unit; fields left out stay as they are.
const updateUnitMutation = `mutation UpdateUnit($id: ID!, $input: UnitChangeInput!, $reason: String!) {
  updateUnit(id: $id, input: $input, reason: $reason) { id name }
}`

// closeUnitMutation closes a unit, naming where its new reports go.
const closeUnitMutation = `mutation CloseUnit($id: ID!, $successor: ID!, $reason: String!) {
  closeUnit(id: $id, successor: $successor, reason: $reason) { id name successor { id name } }
}`

// unitData is the page of one unit: its facts, the form that changes it
// and the one that closes it.
type unitData struct {
	adminForms
	Unit adminUnit
	// Closed says when it closed and its successor ("" while open).
	Closed string
	// ValidFrom says since when the unit exists ("" when not known).
	ValidFrom string
	// Routes are the unit's escalation routes by kind, in words;
	// RouteFields the parts of the form that sets them.
	Routes      []routeLine
	RouteFields []routeFieldset
	// Mine: the user administers the unit (the forms are offered).
	Mine bool
	// Parents, Targets and Successors are the choices of the forms'
	// selects (each but the successor with "none" first: "" makes the
	// unit a root, or leaves its escalation to its ancestors).
	Parents, Targets, Successors []option
}

// routeLine is one escalation route in words: the kind, and each
// recipient with what it receives the letter for.
type routeLine struct {
	Kind       string
	Recipients []string
}

// routeLines puts routes into words, in the order the API gives them.
func routeLines(p *Printer, routes []adminRoute) []routeLine {
	out := make([]routeLine, 0, len(routes))
	for _, rt := range routes {
		l := routeLine{Kind: p.T("kind." + rt.Kind)}
		for _, r := range rt.Recipients {
			l.Recipients = append(l.Recipients, p.T("admin.unit.routeUnit", r.Unit.Name, p.T("recipientRole."+r.Role)))
		}
		out = append(out, l)
	}
	return out
}

// unitShow is the page of one unit, GET /admin/units/edit?id=….
func (h *Handler) unitShow(w http.ResponseWriter, r *http.Request, u *User) {
	h.unitPage(w, r, u, r.URL.Query().Get("id"), http.StatusOK, nil)
}

// unitPage shows unit id's page with status; form is the form the user
// sent (nil: both forms as the unit is).
func (h *Handler) unitPage(w http.ResponseWriter, r *http.Request, u *User, id string, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "units", "admin.units.title")
	if !ok {
		return
	}
	p := pg.P
	units, ae := h.adminUnits(r, u)
	if ae != nil {
		h.adminLoadFailed(w, r, pg, ae, "admin.forbidden", "")
		return
	}
	i := slices.IndexFunc(units, func(x adminUnit) bool { return x.ID == id })
	if i < 0 {
		h.adminLoadFailed(w, r, pg, &apiError{Code: incident.CodeNotFound}, "", "admin.units.notFound")
		return
	}
	x := units[i]
	pg.Title = p.T("admin.units.editOf", x.Name)
	pg.Path = unitEditURL(id)
	edit := newAdminForm(p, "edit", url.Values{"name": {x.Name}, "symbol": {x.Symbol}})
	if x.Parent != nil {
		edit.values.Set("parent", x.Parent.ID)
	}
	if x.EscalatesTo != nil {
		edit.values.Set("escalatesTo", x.EscalatesTo.ID)
	}
	d := unitData{Unit: x, Mine: adminScope(pg.Viewer, units)[id]}
	routes := newAdminForm(p, "routes", routeValues(x.EscalationRoutes))
	d.adminForms = newAdminForms(p, edit, routes, form)
	d.RouteFields = routeFieldsets(d.F("routes"), routeOptions(p, units, x))
	if x.ValidFrom != nil {
		d.ValidFrom = p.Date(*x.ValidFrom)
	}
	d.Routes = routeLines(p, x.EscalationRoutes)
	if x.ClosedAt != nil {
		succ := p.T("admin.none")
		if x.Successor != nil {
			succ = x.Successor.Name
		}
		d.Closed = p.T("admin.units.closedAt", p.Date(*x.ClosedAt), succ)
	}
	// A unit cannot go under itself or its own sub-units.
	below := map[string]bool{}
	for _, o := range unitsUnder(unitRowsOf(units), []string{id}) {
		below[o.ID] = true
	}
	for _, o := range adminUnitOptions(p, pg.Viewer, units, false) {
		if !below[o.Value] {
			d.Parents = append(d.Parents, o)
		}
	}
	if x.Parent != nil && !slices.ContainsFunc(d.Parents, func(o option) bool { return o.Value == x.Parent.ID }) {
		d.Parents = append([]option{{Value: x.Parent.ID, Label: x.Parent.Name}}, d.Parents...)
	}
	for _, o := range unitOptions(p, units, allRoots(units), false) {
		if o.Value == id {
			continue
		}
		d.Successors = append(d.Successors, o)
		d.Targets = append(d.Targets, o)
	}
	if x.EscalatesTo != nil && !slices.ContainsFunc(d.Targets, func(o option) bool { return o.Value == x.EscalatesTo.ID }) {
		d.Targets = append([]option{{Value: x.EscalatesTo.ID, Label: x.EscalatesTo.Name}}, d.Targets...)
	}
	pg.Data = d
	h.render(w, r, status, "admin_unit", pg)
}

// unitForm reads the posted form name of a unit's page and finds its unit
// (the form's id) among units, the registry as the user may read it. When
// it cannot, it has answered: the page again with the form, or an error.
func (h *Handler) unitForm(w http.ResponseWriter, r *http.Request, u *User, name string) (f *adminForm, x adminUnit, units []adminUnit, ok bool) {
	f, ok = readAdminForm(w, r, name)
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return nil, x, nil, false
	}
	id := f.V("id")
	units, ae := h.adminUnits(r, u)
	if ae != nil {
		h.unitPage(w, r, u, id, f.refused(ae, nil), f)
		return nil, x, nil, false
	}
	i := slices.IndexFunc(units, func(x adminUnit) bool { return x.ID == id })
	if i < 0 {
		h.unitPage(w, r, u, id, http.StatusNotFound, f)
		return nil, x, nil, false
	}
	return f, units[i], units, true
}

// unitUpdate sends the changes of the edit form (POST
// /admin/units/edit): the fields that differ from the unit as it is (the
// API keeps those left out), with the reason.
func (h *Handler) unitUpdate(w http.ResponseWriter, r *http.Request, u *User) {
	f, x, _, ok := h.unitForm(w, r, u, "edit")
	if !ok {
		return
	}
	id := x.ID
	f.need("name", "admin.unit.name", incident.MaxShortText)
	f.limit("symbol", "admin.unit.symbol", incident.MaxShortText)
	f.needReason()
	input := map[string]any{}
	if v := f.V("name"); v != x.Name {
		input["name"] = v
	}
	if v := f.V("symbol"); v != x.Symbol {
		input["symbol"] = v
	}
	// "" is sent too: it makes the unit a root, or clears its own
	// escalation target.
	for k, was := range map[string]*unitRef{"parent": x.Parent, "escalatesTo": x.EscalatesTo} {
		if v := f.V(k); (was == nil && v != "") || (was != nil && v != was.ID) {
			input[k] = v
		}
	}
	if len(input) == 0 && len(f.errs) == 0 {
		f.Alert = f.p.T("admin.units.nothing")
	}
	if f.Alert != "" || !f.checked() {
		h.unitPage(w, r, u, id, http.StatusBadRequest, f)
		return
	}
	var out struct {
		UpdateUnit struct {
			Name string `json:"name"`
		} `json:"updateUnit"`
	}
	if ae := h.run(r.Context(), u, updateUnitMutation, map[string]any{"id": id, "input": input, "reason": f.V("reason")}, &out); ae != nil {
		h.log.Info("admin: update unit refused", "user", u.Username, "unit", id, "code", ae.Code, "field", ae.Field)
		h.unitPage(w, r, u, id, f.refused(ae, unitLabels), f)
		return
	}
	h.log.Info("admin: unit updated", "user", u.Username, "unit", id)
	h.adminDone(w, r, "/admin/units", "admin.units.updated", out.UpdateUnit.Name)
}

// unitClose closes the unit of the close form (POST /admin/units/close)
// with the successor chosen.
func (h *Handler) unitClose(w http.ResponseWriter, r *http.Request, u *User) {
	f, ok := readAdminForm(w, r, "close")
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	id := f.V("id")
	f.need("successor", "admin.unit.successor", incident.MaxUnitID)
	f.needReason()
	if !f.checked() {
		h.unitPage(w, r, u, id, http.StatusBadRequest, f)
		return
	}
	var out struct {
		CloseUnit struct {
			Name      string   `json:"name"`
			Successor *unitRef `json:"successor"`
		} `json:"closeUnit"`
	}
	if ae := h.run(r.Context(), u, closeUnitMutation, map[string]any{"id": id, "successor": f.V("successor"), "reason": f.V("reason")}, &out); ae != nil {
		h.log.Info("admin: close unit refused", "user", u.Username, "unit", id, "code", ae.Code, "field", ae.Field)
		h.unitPage(w, r, u, id, f.refused(ae, unitLabels), f)
		return
	}
	succ := f.V("successor")
	if out.CloseUnit.Successor != nil {
		succ = out.CloseUnit.Successor.Name
	}
	h.log.Info("admin: unit closed", "user", u.Username, "unit", id, "successor", f.V("successor"))
	h.adminDone(w, r, "/admin/units", "admin.units.closedDone", out.CloseUnit.Name, succ)
}
