package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"casetrail/incident"
)

// adminUnitsQuery asks for every unit of the registry, closed ones too.
const adminUnitsQuery = `query AdminUnits { units { ` + adminUnitFields + ` } }`

// createUnitMutation adds a unit.
const createUnitMutation = `mutation CreateUnit($input: NewUnitInput!, $reason: String!) {
  createUnit(input: $input, reason: $reason) { id name }
}`

// unitNode is a unit in the tree of the units page, in words.
type unitNode struct {
	ID, Name string
	// Info says its symbol and escalation target.
	Info []string
	// Closed says when the unit was closed and its successor, in words
	// ("" while open).
	Closed string
	// EditURL is its edit page when the user administers it, with the
	// link's words.
	EditURL, EditLabel, EditAria string
	Children                     []*unitNode
}

// unitsData is the units page's own data.
type unitsData struct {
	adminForms
	Tree  []*unitNode
	Count string
	Error string
	// Parents are the units a new unit may go under (the user's, open);
	// Targets where it may escalate to (every open unit).
	Parents, Targets []option
}

// unitLabels are the unit forms' fields and their catalog keys.
var unitLabels = map[string]string{
	"id": "admin.unit.id", "name": "admin.unit.name", "parent": "admin.unit.parent",
	"escalatesTo": "admin.unit.escalatesTo", "symbol": "admin.unit.symbol", "successor": "admin.unit.successor",
}

// unitsShow is Đơn vị: the unit tree and the form that adds a unit.
func (h *Handler) unitsShow(w http.ResponseWriter, r *http.Request, u *User) {
	h.unitsPage(w, r, u, http.StatusOK, nil)
}

// unitsPage shows the units page with status, form holding what the
// user sent (nil: an empty form).
func (h *Handler) unitsPage(w http.ResponseWriter, r *http.Request, u *User, status int, form *adminForm) {
	pg, ok := h.adminFrame(w, r, u, "units", "admin.units.title")
	if !ok {
		return
	}
	p := pg.P
	d := unitsData{adminForms: newAdminForms(p, form)}
	units, ae := h.adminUnits(r, u)
	if ae != nil {
		d.Error = p.T("admin.loadError", p.Code(ae.Code))
	}
	d.Tree = unitTree(p, units, adminScope(pg.Viewer, units))
	open := 0
	for _, x := range units {
		if x.ClosedAt == nil {
			open++
		}
	}
	d.Count = p.T("admin.units.count", p.Number(len(units)), p.Number(open))
	d.Parents = adminUnitOptions(p, pg.Viewer, units, false)
	d.Targets = unitOptions(p, units, allRoots(units), false)
	pg.Data = d
	pg.Path = "/admin/units"
	h.render(w, r, status, "admin_units", pg)
}

// adminUnits reads every unit.
func (h *Handler) adminUnits(r *http.Request, u *User) ([]adminUnit, *apiError) {
	var out struct {
		Units []adminUnit `json:"units"`
	}
	if ae := h.run(r.Context(), u, adminUnitsQuery, nil, &out); ae != nil {
		return nil, ae
	}
	return out.Units, nil
}

// adminScope returns the ids of the units v administers: the subtrees of
// its ADMIN grants.
func adminScope(v *viewer, units []adminUnit) map[string]bool {
	out := map[string]bool{}
	for _, o := range unitsUnder(unitRowsOf(units), grantUnits(v, adminRoles...)) {
		out[o.ID] = true
	}
	return out
}

// unitTree tells units as a tree, each level by name; the units in mine
// have their edit link.
func unitTree(p *Printer, units []adminUnit, mine map[string]bool) []*unitNode {
	nodes := map[string]*unitNode{}
	for _, x := range units {
		n := &unitNode{ID: x.ID, Name: x.Name}
		if x.Symbol != "" {
			n.Info = append(n.Info, p.T("admin.units.symbolIs", x.Symbol))
		}
		if x.EscalatesTo != nil {
			n.Info = append(n.Info, p.T("admin.units.escalates", x.EscalatesTo.Name))
		}
		if x.ClosedAt != nil {
			succ := p.T("admin.none")
			if x.Successor != nil {
				succ = x.Successor.Name
			}
			n.Closed = p.T("admin.units.closedAt", p.Date(*x.ClosedAt), succ)
		}
		if mine[x.ID] {
			n.EditURL = unitEditURL(x.ID)
			n.EditLabel, n.EditAria = p.T("admin.units.edit"), p.T("admin.units.editOf", x.Name)
		}
		nodes[x.ID] = n
	}
	var roots []*unitNode
	for _, x := range units {
		n := nodes[x.ID]
		if x.Parent != nil && nodes[x.Parent.ID] != nil && x.Parent.ID != x.ID {
			parent := nodes[x.Parent.ID]
			parent.Children = append(parent.Children, n)
			continue
		}
		roots = append(roots, n)
	}
	var sortAll func([]*unitNode)
	sortAll = func(ns []*unitNode) {
		slices.SortFunc(ns, func(a, b *unitNode) int {
			// Open units first, then by name.
			if (a.Closed == "") != (b.Closed == "") {
				if a.Closed == "" {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name, b.Name)
		})
		for _, n := range ns {
			sortAll(n.Children)
		}
	}
	sortAll(roots)
	return roots
}

// unitEditURL is the edit page of unit id (ids hold slashes: a query
// value, never a path segment).
func unitEditURL(id string) string {
	return "/admin/units/edit?" + url.Values{"id": {id}}.Encode()
}

// unitCreate adds the unit of the form (POST /admin/units) and goes back
// to the tree, or shows the form again with the API's answer.
func (h *Handler) unitCreate(w http.ResponseWriter, r *http.Request, u *User) {
	f, ok := readAdminForm(w, r, "create")
	if !ok {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	f.need("id", "admin.unit.id", incident.MaxUnitID)
	f.need("name", "admin.unit.name", incident.MaxShortText)
	f.limit("symbol", "admin.unit.symbol", incident.MaxShortText)
	f.needReason()
	if !f.checked() {
		h.unitsPage(w, r, u, http.StatusBadRequest, f)
		return
	}
	input := map[string]any{"id": f.V("id"), "name": f.V("name")}
	for _, k := range []string{"parent", "escalatesTo", "symbol"} {
		if v := f.V(k); v != "" {
			input[k] = v
		}
	}
	var out struct {
		CreateUnit struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"createUnit"`
	}
	if ae := h.run(r.Context(), u, createUnitMutation, map[string]any{"input": input, "reason": f.V("reason")}, &out); ae != nil {
		h.log.Info("admin: create unit refused", "user", u.Username, "unit", f.V("id"), "code", ae.Code, "field", ae.Field)
		h.unitsPage(w, r, u, f.refused(ae, unitLabels), f)
		return
	}
	h.log.Info("admin: unit created", "user", u.Username, "unit", out.CreateUnit.ID)
	h.adminDone(w, r, "/admin/units", "admin.units.created", out.CreateUnit.Name)
}
