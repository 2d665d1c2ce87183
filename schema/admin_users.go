package schema

import (
	"context"
	"slices"
	"strings"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The users and their grants: users, user, createUser, resetPassword,
// setUserDisabled, grantRole, revokeRole (manageUsers). An ADMIN sees and
// changes the users whose grants lie within its ADMIN units, and the users
// holding no grant; grants are made and taken back on units it
// administers.

// adminScope returns the units (whole subtrees, as a set) where sub may
// manage users; FORBIDDEN when there is none.
func (r *resolver) adminScope(sub string) (map[string]bool, error) {
	units := r.auth.VisibleUnits(sub, incident.ActionManageUsers)
	if len(units) == 0 {
		return nil, errForbidden
	}
	set := make(map[string]bool, len(units))
	for _, u := range units {
		set[u] = true
	}
	return set, nil
}

// viewOf is the user u with the grants the authorizer holds for them.
func (r *resolver) viewOf(u incident.User) *userView {
	return &userView{User: u, grants: r.auth.RoleGrants(u.Username)}
}

// userOrSubject returns the user named name, or, for a machine client (a
// subject with grants and no user), a view of the subject named by itself.
func (r *resolver) userOrSubject(ctx context.Context, admin Administration, name string) (*userView, error) {
	u, ok, err := admin.User(ctx, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		u = incident.User{Username: name, Name: name}
	}
	return r.viewOf(u), nil
}

func (r *resolver) users(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := r.adminScope(sub)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	within := func(unit string) bool { return scope[unit] }
	if unit := argString(p.Args, "unit"); unit != "" {
		if err := r.knownUnit(ctx, "unit", unit); err != nil {
			return nil, err
		}
		if err := r.allow(sub, incident.ActionManageUsers, unit); err != nil {
			return nil, err
		}
		s := r.state(ctx)
		within = func(u string) bool { return s.tree.Within(u, unit) }
	}
	list, err := admin.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*userView, 0, len(list))
	for _, u := range list {
		v := r.viewOf(u)
		if len(v.grants) == 0 || slices.ContainsFunc(v.grants, func(g RoleGrant) bool { return within(g.Unit) }) {
			out = append(out, v)
		}
	}
	return out, nil
}

func (r *resolver) user(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := r.adminScope(sub)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	u, ok, err := admin.User(ctx, strings.TrimSpace(argString(p.Args, "username")))
	if err != nil || !ok {
		return nil, err
	}
	v := r.viewOf(u)
	if len(v.grants) > 0 && !slices.ContainsFunc(v.grants, func(g RoleGrant) bool { return scope[g.Unit] }) {
		return nil, errForbidden
	}
	return v, nil
}

// allowOverUser returns nil when sub may manage user username: ADMIN on
// every unit the user holds a grant on, or any ADMIN for a user without
// grants.
func (r *resolver) allowOverUser(sub, username string) error {
	grants := r.auth.RoleGrants(username)
	if len(grants) == 0 {
		return r.allowAnywhere(sub, incident.ActionManageUsers)
	}
	for _, g := range grants {
		if err := r.allow(sub, incident.ActionManageUsers, g.Unit); err != nil {
			return err
		}
	}
	return nil
}

func (r *resolver) createUser(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.allowAnywhere(sub, incident.ActionManageUsers); err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	username := strings.TrimSpace(argString(p.Args, "username"))
	// The address is checked before the user is created; it is then set
	// as its own change (UserEmailChanged after UserCreated).
	email, err := incident.CleanEmail(argString(p.Args, "email"))
	if err != nil {
		return nil, err
	}
	otp, err := admin.CreateUser(ctx, ch, username, argString(p.Args, "name"))
	if err != nil {
		return nil, err
	}
	if email != "" {
		if err := admin.SetUserEmail(ctx, ch, username, email); err != nil {
			return nil, err
		}
	}
	v, err := r.existingUser(ctx, admin, username)
	if err != nil {
		return nil, err
	}
	return &userPassword{user: v, otp: otp}, nil
}

func (r *resolver) resetPassword(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, username, ch, err := r.userChange(ctx, sub, p.Args)
	if err != nil {
		return nil, err
	}
	otp, err := admin.ResetPassword(ctx, ch, username)
	if err != nil {
		return nil, err
	}
	v, err := r.existingUser(ctx, admin, username)
	if err != nil {
		return nil, err
	}
	return &userPassword{user: v, otp: otp}, nil
}

func (r *resolver) setUserDisabled(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, username, ch, err := r.userChange(ctx, sub, p.Args)
	if err != nil {
		return nil, err
	}
	disabled, _ := p.Args["disabled"].(bool)
	if err := admin.SetUserDisabled(ctx, ch, username, disabled); err != nil {
		return nil, err
	}
	return r.existingUser(ctx, admin, username)
}

// userChange is the common part of resetPassword and setUserDisabled: the
// user exists (NOT_FOUND), sub may manage them, and the reason.
func (r *resolver) userChange(ctx context.Context, sub string, args map[string]any) (Administration, string, readmodel.Change, error) {
	admin, err := r.administration()
	if err != nil {
		return nil, "", readmodel.Change{}, err
	}
	username := strings.TrimSpace(argString(args, "username"))
	if _, ok, err := admin.User(ctx, username); err != nil {
		return nil, "", readmodel.Change{}, err
	} else if !ok {
		if err := r.allowAnywhere(sub, incident.ActionManageUsers); err != nil {
			return nil, "", readmodel.Change{}, err
		}
		return nil, "", readmodel.Change{}, &Error{Code: incident.CodeNotFound, Field: "username", Message: "user \"" + truncate(username, 80) + "\" not found"}
	}
	if err := r.allowOverUser(sub, username); err != nil {
		return nil, "", readmodel.Change{}, err
	}
	ch, err := adminChange(sub, args)
	return admin, username, ch, err
}

// existingUser returns the user named username with their grants.
func (r *resolver) existingUser(ctx context.Context, admin Administration, username string) (*userView, error) {
	u, ok, err := admin.User(ctx, username)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &Error{Code: incident.CodeNotFound, Field: "username", Message: "user \"" + truncate(username, 80) + "\" not found"}
	}
	return r.viewOf(u), nil
}

func (r *resolver) grantRole(p graphql.ResolveParams) (any, error) {
	return r.changeGrant(p, false)
}

func (r *resolver) revokeRole(p graphql.ResolveParams) (any, error) {
	return r.changeGrant(p, true)
}

// changeGrant grants (or revokes) role on unit to subject: the unit must
// exist (NOT_FOUND) and sub be ADMIN on it.
func (r *resolver) changeGrant(p graphql.ResolveParams, revoke bool) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	admin, err := r.administration()
	if err != nil {
		return nil, err
	}
	unit, err := idArg(p.Args, "unit")
	if err != nil {
		return nil, err
	}
	if err := r.knownUnit(ctx, "unit", unit); err != nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionManageUsers, unit); err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	who := strings.TrimSpace(argString(p.Args, "subject"))
	role := argString(p.Args, "role")
	if revoke {
		err = admin.RevokeRole(ctx, ch, who, role, unit)
	} else {
		err = admin.GrantRole(ctx, ch, who, role, unit)
	}
	if err != nil {
		return nil, err
	}
	return r.userOrSubject(ctx, admin, who)
}
