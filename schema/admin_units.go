package schema

import (
	"context"
	"strings"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The units' mutations: createUnit, updateUnit, closeUnit. ADMIN of a unit
// acts within its subtree (manageUnits); the rules of the tree (ids,
// existing and open parents and targets, cycles, successors) are checked by
// the administration against the stored units.

// unitInputFields are the fields of NewUnitInput and UnitChangeInput, as
// the administration names them in its errors.
var unitInputFields = []string{"id", "name", "parent", "escalatesTo", "symbol", "escalationRoutes"}

func (r *resolver) createUnit(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	in := argObject(p.Args, "input")
	u := incident.Unit{
		ID: strings.TrimSpace(argString(in, "id")), Name: argString(in, "name"), Parent: strings.TrimSpace(argString(in, "parent")),
		EscalatesTo: strings.TrimSpace(argString(in, "escalatesTo")), Symbol: argString(in, "symbol"),
	}
	if routes, given, err := routesArg(in); err != nil {
		return nil, err
	} else if given {
		u.EscalationRoutes = routes
	}
	if err := r.allowOnParent(ctx, sub, "input.parent", u.Parent); err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	out, err := admin.CreateUnit(ctx, ch, u)
	if err != nil {
		return nil, inInput(err, unitInputFields...)
	}
	r.state(ctx).forgetUnits()
	return &out, nil
}

func (r *resolver) updateUnit(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	old, err := r.existingUnit(ctx, "id", id)
	if err != nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionManageUnits, id); err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	in := argObject(p.Args, "input")
	c := readmodel.UnitChange{Name: optArg(in, "name"), Parent: optArg(in, "parent"), EscalatesTo: optArg(in, "escalatesTo"), Symbol: optArg(in, "symbol")}
	if routes, given, err := routesArg(in); err != nil {
		return nil, err
	} else if given {
		c.EscalationRoutes = &routes
	}
	for _, f := range []*string{c.Parent, c.EscalatesTo} {
		if f != nil {
			*f = strings.TrimSpace(*f)
		}
	}
	// A unit moves only between units the caller administers.
	if c.Parent != nil && *c.Parent != old.Parent {
		if err := r.allowOnParent(ctx, sub, "input.parent", *c.Parent); err != nil {
			return nil, err
		}
	}
	out, err := admin.UpdateUnit(ctx, ch, id, c)
	if err != nil {
		return nil, inInput(err, unitInputFields...)
	}
	r.state(ctx).forgetUnits()
	return &out, nil
}

func (r *resolver) closeUnit(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	if _, err := r.existingUnit(ctx, "id", id); err != nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionManageUnits, id); err != nil {
		return nil, err
	}
	successor, err := idArg(p.Args, "successor")
	if err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	out, err := admin.CloseUnit(ctx, ch, id, successor)
	if err != nil {
		return nil, err
	}
	r.state(ctx).forgetUnits()
	return &out, nil
}

// existingUnit returns the unit with id, NOT_FOUND on field arg when the
// registry has none.
func (r *resolver) existingUnit(ctx context.Context, arg, id string) (*incident.Unit, error) {
	if err := r.knownUnit(ctx, arg, id); err != nil {
		return nil, err
	}
	return r.state(ctx).unit(ctx, id)
}

// allowOnParent authorizes placing a unit under parent: ADMIN on parent,
// which must exist (BAD_USER_INPUT on field otherwise); a root ("") needs
// ADMIN on every root there is.
func (r *resolver) allowOnParent(ctx context.Context, sub, field, parent string) error {
	s := r.state(ctx)
	if err := s.loadUnits(ctx); err != nil {
		return err
	}
	if parent != "" {
		if s.units[parent] == nil {
			return badInput(field, "unit %s does not exist", truncate(parent, 80))
		}
		return r.allow(sub, incident.ActionManageUnits, parent)
	}
	roots := 0
	for _, u := range s.unitList {
		if u.Parent == "" {
			roots++
			if err := r.allow(sub, incident.ActionManageUnits, u.ID); err != nil {
				return err
			}
		}
	}
	if roots == 0 {
		return r.allowAnywhere(sub, incident.ActionManageUnits)
	}
	return nil
}
