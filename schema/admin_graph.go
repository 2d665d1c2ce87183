package schema

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// MaxAdminReason is the longest reason of an administrative change, in
// characters.
const MaxAdminReason = 500

// adminTypes are the administration's named types.
type adminTypes struct {
	user, userPassword                                *graphql.Object
	newUnitInput, unitChangeInput, accountChangeInput *graphql.InputObject
	// unitFields are Unit's closedAt and successor (Unit's fields are a
	// thunk, types.go, which reads them when the schema is built).
	unitFields graphql.Fields
}

// userView is the source of User: the user and the grants they hold.
type userView struct {
	incident.User
	grants []RoleGrant
}

// userPassword is the source of UserPassword.
type userPassword struct {
	user *userView
	otp  string
}

// adminFields adds the administration's types and fields to t; called at
// the end of buildTypes (types.go).
func (r *resolver) adminFields(t *types) {
	a := &adminTypes{}
	t.admin = a
	a.unitFields = graphql.Fields{
		"closedAt": field(DateTime, "When the unit was closed (e.g. the 1/7/2025 reorganisation); null while open",
			src(func(u *incident.Unit) any { return optTime(&u.ClosedAt) })),
		"successor": field(t.unit, "Where new reports for this closed unit go", r.guard("Unit.successor", func(p graphql.ResolveParams) (any, error) {
			u := p.Source.(*incident.Unit)
			if u.Successor == "" {
				return nil, nil
			}
			return r.state(p.Context).linkedUnit(p.Context, u, u.Successor)
		})),
	}
	t.officialAccount.AddFieldConfig("disabled", field(nn(graphql.Boolean),
		"A disabled account is no longer official: checkAccount does not answer OFFICIAL for it",
		src(func(a *incident.OfficialAccount) any { return a.Disabled })))

	a.user = graphql.NewObject(graphql.ObjectConfig{
		Name:        "User",
		Description: "A person who logs in to the web interface; username is the subject of their role grants",
		Fields: graphql.Fields{
			"username":           field(nn(graphql.String), "", src(func(u *userView) any { return u.Username })),
			"name":               field(nn(graphql.String), "", src(func(u *userView) any { return u.Name })),
			"disabled":           field(nn(graphql.Boolean), "", src(func(u *userView) any { return u.Disabled })),
			"mustChangePassword": field(nn(graphql.Boolean), "", src(func(u *userView) any { return u.MustChangePassword })),
			"grants":             field(listOf(t.roleGrant), "", src(func(u *userView) any { return ptrs(u.grants) })),
		},
	})
	r.emailFields(t, a) // admin_email.go
	a.userPassword = graphql.NewObject(graphql.ObjectConfig{Name: "UserPassword", Fields: graphql.Fields{
		"user":            field(nn(a.user), "", src(func(p *userPassword) any { return p.user })),
		"oneTimePassword": field(nn(graphql.String), "Shown once; the user must change it at first login", src(func(p *userPassword) any { return p.otp })),
	}})
	routes := r.routeInput(t) // admin_routes.go
	a.newUnitInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "NewUnitInput", Fields: graphql.InputObjectConfigFieldMap{
		"id":          {Type: nn(graphql.ID), Description: "A lower-case path-like slug, e.g. lai-chau/tan-uyen/xa-phuc-khoa"},
		"name":        {Type: nn(graphql.String)},
		"parent":      {Type: graphql.ID},
		"escalatesTo": {Type: graphql.ID},
		"symbol":      {Type: graphql.String, Description: "The abbreviation on the documents the unit issues, e.g. UBND-VHTT"},
		"escalationRoutes": {Type: graphql.NewList(nn(routes)),
			Description: "Where some kinds escalate instead of escalatesTo (Unit.escalationRoutes)"},
	}})
	a.unitChangeInput = graphql.NewInputObject(graphql.InputObjectConfig{
		Name:        "UnitChangeInput",
		Description: "Omitted fields stay unchanged",
		Fields: graphql.InputObjectConfigFieldMap{
			"name":        {Type: graphql.String},
			"parent":      {Type: graphql.ID, Description: `"" makes the unit a root`},
			"escalatesTo": {Type: graphql.ID, Description: `"" clears the unit's own target (its ancestors' applies)`},
			"symbol":      {Type: graphql.String, Description: `"" clears it`},
			"escalationRoutes": {Type: graphql.NewList(nn(routes)),
				Description: "Replaces the unit's routes by kind: a kind left out has none of its own; [] removes them all"},
		},
	})
	a.accountChangeInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "OfficialAccountChangeInput", Fields: graphql.InputObjectConfigFieldMap{
		"platform":    {Type: t.platform},
		"url":         {Type: graphql.String},
		"displayName": {Type: graphql.String},
	}})
}

// adminQueries are the administration's fields of Query.
func (r *resolver) adminQueries() graphql.Fields {
	a := r.t.admin
	return graphql.Fields{
		"users": {Type: listOf(a.user),
			Description: "ADMIN: users holding a grant within the caller's ADMIN units (or within unit), plus users with no grant",
			Args:        graphql.FieldConfigArgument{"unit": {Type: graphql.ID}},
			Resolve:     r.guard("users", r.users)},
		"user": {Type: a.user, Args: graphql.FieldConfigArgument{"username": {Type: nn(graphql.String)}},
			Description: "ADMIN: a user holding a grant within the caller's ADMIN units, or none; null when there is no such user",
			Resolve:     r.guard("user", r.user)},
	}
}

// adminMutations are the administration's fields of Mutation.
func (r *resolver) adminMutations() graphql.Fields {
	t, a := r.t, r.t.admin
	id := &graphql.ArgumentConfig{Type: nn(graphql.ID)}
	str := &graphql.ArgumentConfig{Type: nn(graphql.String)}
	reason := &graphql.ArgumentConfig{Type: nn(graphql.String), Description: "Why (kept on the admin stream); 1 to 500 characters"}
	boolean := &graphql.ArgumentConfig{Type: nn(graphql.Boolean)}
	grant := graphql.FieldConfigArgument{"subject": str, "role": {Type: nn(t.role)}, "unit": id, "reason": reason}
	fields := graphql.Fields{
		"createUnit": {Type: nn(t.unit), Args: graphql.FieldConfigArgument{"input": {Type: nn(a.newUnitInput)}, "reason": reason},
			Description: "ADMIN on the parent (a new root: on every root)",
			Resolve:     r.guard("createUnit", r.createUnit)},
		"updateUnit": {Type: nn(t.unit), Args: graphql.FieldConfigArgument{"id": id, "input": {Type: nn(a.unitChangeInput)}, "reason": reason},
			Description: "ADMIN on the unit, and on a new parent",
			Resolve:     r.guard("updateUnit", r.updateUnit)},
		"closeUnit": {Type: nn(t.unit), Args: graphql.FieldConfigArgument{"id": id, "successor": id, "reason": reason},
			Description: "ADMIN on the unit; its cases stay, its new reports go to successor (open, outside it); its sub-units must be closed first",
			Resolve:     r.guard("closeUnit", r.closeUnit)},
		"createUser": {Type: nn(a.userPassword), Args: graphql.FieldConfigArgument{"username": str, "name": str, "reason": reason,
			"email": {Type: graphql.String, Description: "Where e-mail notifications go (optional)"}},
			Description: "Any ADMIN; the new user holds no grant",
			Resolve:     r.guard("createUser", r.createUser)},
		"resetPassword": {Type: nn(a.userPassword), Args: graphql.FieldConfigArgument{"username": str, "reason": reason},
			Description: "ADMIN on every unit the user holds a grant on (a user without grants: any ADMIN)",
			Resolve:     r.guard("resetPassword", r.resetPassword)},
		"setUserDisabled": {Type: nn(a.user), Args: graphql.FieldConfigArgument{"username": str, "disabled": boolean, "reason": reason},
			Description: "As resetPassword; nobody disables themself. A disabled user's open sessions end at their next request",
			Resolve:     r.guard("setUserDisabled", r.setUserDisabled)},
		"grantRole": {Type: nn(a.user), Args: grant,
			Description: "ADMIN on the unit; the subject is a user, or a machine client already holding a grant",
			Resolve:     r.guard("grantRole", r.grantRole)},
		"revokeRole": {Type: nn(a.user), Args: grant,
			Description: "ADMIN on the unit; takes effect on the subject's next request",
			Resolve:     r.guard("revokeRole", r.revokeRole)},
		"updateOfficialAccount": {Type: nn(t.officialAccount), Args: graphql.FieldConfigArgument{"id": id, "input": {Type: nn(a.accountChangeInput)}, "reason": reason},
			Description: "ADMIN on the account's unit; the URL is normalized again and stays unique",
			Resolve:     r.guard("updateOfficialAccount", r.updateOfficialAccount)},
		"setOfficialAccountVerified": {Type: nn(t.officialAccount), Args: graphql.FieldConfigArgument{"id": id, "verified": boolean, "reason": reason},
			Description: "ADMIN on the account's unit",
			Resolve:     r.guard("setOfficialAccountVerified", r.setOfficialAccountVerified)},
		"setOfficialAccountDisabled": {Type: nn(t.officialAccount), Args: graphql.FieldConfigArgument{"id": id, "disabled": boolean, "reason": reason},
			Description: "ADMIN on the account's unit; a disabled account is no longer OFFICIAL for checkAccount",
			Resolve:     r.guard("setOfficialAccountDisabled", r.setOfficialAccountDisabled)},
	}
	for k, f := range r.emailMutations() { // admin_email.go
		fields[k] = f
	}
	return fields
}

// errNoAdministration answers the administration's operations on a graph
// built without it (Deps.Admin).
var errNoAdministration = errors.New("schema: Deps.Admin is not set")

// administration returns the administration, or an error when the graph
// has none.
func (r *resolver) administration() (Administration, error) {
	if r.admin == nil {
		return nil, errNoAdministration
	}
	return r.admin, nil
}

// adminChange returns the actor (the caller) and the reason of an
// administrative change: the argument "reason", trimmed, 1 to
// MaxAdminReason characters.
func adminChange(sub string, args map[string]any) (readmodel.Change, error) {
	reason, err := adminReason(args, true)
	return readmodel.Change{Actor: sub, Reason: reason}, err
}

// adminReason reads the argument "reason": trimmed, at most MaxAdminReason
// characters, and not empty when required.
func adminReason(args map[string]any, required bool) (string, error) {
	s, err := incident.CleanText("reason", argString(args, "reason"), false, 4*MaxAdminReason)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		return "", badInput("reason", "is required: say why (kept on the admin stream)")
	case n > MaxAdminReason:
		return "", badInput("reason", "at most %d characters, got %d", MaxAdminReason, n)
	}
	return s, nil
}

// inInput names the field of an input object in a BAD_USER_INPUT error
// about one of its fields (the administration names them bare: "parent"
// becomes "input.parent").
func inInput(err error, fields ...string) error {
	var e *incident.Error
	if !errors.As(err, &e) || e.Code != incident.CodeBadUserInput {
		return err
	}
	for _, f := range fields {
		if e.Field == f {
			return &incident.Error{Code: e.Code, Field: "input." + f, Message: e.Message}
		}
	}
	return err
}

// optArg returns a pointer to the string argument name, nil when the
// argument was not given.
func optArg(args map[string]any, name string) *string {
	v, ok := args[name].(string)
	if !ok {
		return nil
	}
	return &v
}
