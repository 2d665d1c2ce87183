package web

import (
	"slices"
	"strings"
)

// unitRow is a unit as the API's units query gives it.
type unitRow struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent *struct {
		ID string `json:"id"`
	} `json:"parent"`
}

// unitOption is a unit offered in a select: its id, and its name indented
// by its depth below the unit of the grant it comes from.
type unitOption struct {
	ID, Label string
	Depth     int
}

// unitsUnder returns the units of the registry within the subtrees of
// roots (by parent links, as the authorizer decides "within"), in tree
// order: each root, then its sub-units by name. A root the registry lacks
// is left out; a unit under two roots is listed once.
func unitsUnder(all []unitRow, roots []string) []unitOption {
	children := map[string][]unitRow{}
	byID := map[string]unitRow{}
	for _, u := range all {
		byID[u.ID] = u
		if u.Parent != nil {
			children[u.Parent.ID] = append(children[u.Parent.ID], u)
		}
	}
	for _, c := range children {
		slices.SortFunc(c, func(a, b unitRow) int { return strings.Compare(a.Name, b.Name) })
	}
	// A root within another root is listed under that one.
	isRoot := map[string]bool{}
	for _, r := range roots {
		isRoot[r] = true
	}
	within := func(id string) bool {
		for u, ok := byID[id]; ok && u.Parent != nil; u, ok = byID[u.Parent.ID] {
			if isRoot[u.Parent.ID] {
				return true
			}
		}
		return false
	}
	var out []unitOption
	seen := map[string]bool{}
	var walk func(u unitRow, depth int)
	walk = func(u unitRow, depth int) {
		if seen[u.ID] {
			return
		}
		seen[u.ID] = true
		out = append(out, unitOption{ID: u.ID, Label: strings.Repeat("— ", depth) + u.Name, Depth: depth})
		for _, c := range children[u.ID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		if u, ok := byID[r]; ok && !within(r) {
			walk(u, 0)
		}
	}
	return out
}

// grantUnits returns the units of v's grants of any of roles (all roles
// when none is given), each once, in the order of the grants.
func grantUnits(v *viewer, roles ...string) []string {
	var out []string
	if v == nil {
		return nil
	}
	for _, g := range v.Roles {
		if (len(roles) == 0 || slices.Contains(roles, g.Role)) && !slices.Contains(out, g.Unit.ID) {
			out = append(out, g.Unit.ID)
		}
	}
	return out
}

// reportRoles are the roles that may report an incident (the API's
// permissions table says the same; the interface only uses it to choose
// which links and units to offer, never to decide).
var reportRoles = []string{"REPORTER", "HANDLER", "LEADER"}

// CanReport reports whether the navigation offers "Phản ánh mới": the user
// holds a role that may report. When the roles could not be loaded the
// link is offered (the API decides anyway).
func (v *viewer) CanReport() bool {
	return v == nil || v.Code != "" || len(grantUnits(v, reportRoles...)) > 0
}

// workRoles are the roles that read the cases of their units (the API's
// readCase), whose units the worklist offers.
var workRoles = []string{"REPORTER", "HANDLER", "LEADER", "AUDITOR", "CLERK"}

// CanWork reports whether the navigation offers "Việc cần làm": the user
// holds a role that reads cases.
func (v *viewer) CanWork() bool {
	return v == nil || v.Code != "" || len(grantUnits(v, workRoles...)) > 0
}
