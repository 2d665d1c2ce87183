package schema

import (
	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// MaxAdminHistory is the most events adminHistory(limit:) returns.
const MaxAdminHistory = MaxHistory

// adminHistoryField is Query.adminHistory: the admin stream (every change
// of units, grants and official accounts, with actor and reason) for
// auditors and admins of every root unit.
func (r *resolver) adminHistoryField() *graphql.Field {
	t := r.t
	return &graphql.Field{
		Type:        listOf(t.caseEvent),
		Description: "Every change of units, role grants and official accounts, in order, with actor and reason (AUDITOR and ADMIN of every root unit). after: the version of the last event already read.",
		Args: graphql.FieldConfigArgument{
			"limit": {Type: graphql.Int, DefaultValue: 100},
			"after": {Type: graphql.String},
		},
		Resolve: r.guard("adminHistory", r.adminHistory),
	}
}

func (r *resolver) adminHistory(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	limit, _ := argInt(p.Args, "limit")
	if limit < 1 || limit > MaxAdminHistory {
		return nil, badInput("limit", "must be between 1 and %d, got %d", MaxAdminHistory, limit)
	}
	s := r.state(p.Context)
	if err := s.loadUnits(p.Context); err != nil {
		return nil, err
	}
	// The stream covers every unit, so the caller must be allowed on every
	// root (a registry without units shows nothing to anyone).
	roots := 0
	for _, u := range s.unitList {
		if u.Parent != "" {
			continue
		}
		roots++
		if err := r.allow(sub, incident.ActionReadAdminHistory, u.ID); err != nil {
			return nil, err
		}
	}
	if roots == 0 {
		return nil, errForbidden
	}
	after, err := readmodel.ParseAdminCursor(argString(p.Args, "after"))
	if err != nil {
		return nil, err
	}
	events, err := r.registry.AdminHistory(p.Context, after, limit)
	if err != nil {
		return nil, err
	}
	return ptrs(events), nil
}
