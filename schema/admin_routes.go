package schema

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// A unit's escalation routes by kind, set by the administration
// (createUnit and updateUnit's input.escalationRoutes), as the seed file
// sets them: the domain cleans and checks them (incident.CleanRoute, the
// tree's CheckNewUnit and CheckUnitChange), the admin stream records the
// unit with them.

// routeInput is EscalationRouteInput, with EscalationRouteRecipientInput.
func (r *resolver) routeInput(t *types) *graphql.InputObject {
	recipient := graphql.NewInputObject(graphql.InputObjectConfig{Name: "EscalationRouteRecipientInput", Fields: graphql.InputObjectConfigFieldMap{
		"unit": {Type: nn(graphql.ID)},
		"role": {Type: t.routing.role, Description: "Left out: ADDRESSEE for the first unit, COORDINATION for the others"},
	}})
	return graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        "EscalationRouteInput",
		Description: "Where a unit's cases of one kind escalate to: the addressee first, then the units that receive the letter too",
		Fields: graphql.InputObjectConfigFieldMap{
			"kind":       {Type: nn(t.kind)},
			"recipients": {Type: nn(graphql.NewList(nn(recipient))), Description: "The addressee first; at least one"},
		},
	})
}

// routesArg reads in's escalationRoutes: given reports whether the field
// was there (null counts as not given). A kind listed twice is
// BAD_USER_INPUT; the rest is checked by the domain.
func routesArg(in map[string]any) (routes incident.EscalationRoutes, given bool, err error) {
	list, ok := in["escalationRoutes"].([]any)
	if !ok {
		return incident.EscalationRoutes{}, false, nil
	}
	m := map[incident.Kind][]incident.Recipient{}
	for _, item := range list {
		route, _ := item.(map[string]any)
		kind := incident.Kind(fmt.Sprint(route["kind"]))
		if _, twice := m[kind]; twice {
			return routes, true, incident.BadInput("input.escalationRoutes", "%s is listed twice", kind)
		}
		recipients, _ := route["recipients"].([]any)
		if len(recipients) == 0 {
			return routes, true, incident.BadInput("input.escalationRoutes", "%s: needs at least one unit", kind)
		}
		for _, x := range recipients {
			rec, _ := x.(map[string]any)
			var role incident.RecipientRole
			if v, ok := rec["role"]; ok && v != nil {
				role = incident.RecipientRole(fmt.Sprint(v))
			}
			m[kind] = append(m[kind], incident.Recipient{Unit: fmt.Sprint(rec["unit"]), Role: role})
		}
	}
	return incident.RoutesOf(m), true, nil
}
