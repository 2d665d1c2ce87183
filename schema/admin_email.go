package schema

import (
	"strings"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Users' e-mail addresses (issue 18), all additive: User.email (the
// administration sees it), Viewer.email (the user sees their own),
// createUser(email:) and setUserEmail, which an ADMIN over the user may
// call, and the user themself for their own address. The change is
// recorded on the admin stream (UserEmailChanged) with the caller as
// actor.

// emailFields adds User.email and Viewer.email; called by adminFields.
func (r *resolver) emailFields(t *types, a *adminTypes) {
	a.user.AddFieldConfig("email", field(graphql.String,
		"Where e-mail notifications go; null when the user has none",
		src(func(u *userView) any { return optString(u.Email) })))
	t.viewer.AddFieldConfig("email", field(graphql.String,
		"The caller's own e-mail address (null when none, or for a machine client)",
		r.guard("Viewer.email", func(p graphql.ResolveParams) (any, error) {
			v := p.Source.(*viewer)
			if r.admin == nil {
				return nil, nil
			}
			u, ok, err := r.admin.User(p.Context, v.subject)
			if err != nil || !ok {
				return nil, err
			}
			return optString(u.Email), nil
		})))
}

// emailMutations are setUserEmail's field of Mutation.
func (r *resolver) emailMutations() graphql.Fields {
	return graphql.Fields{
		"setUserEmail": {Type: nn(r.t.admin.user),
			Args: graphql.FieldConfigArgument{
				"username": {Type: nn(graphql.String)},
				"email":    {Type: nn(graphql.String), Description: `name@example.gov.vn; "" removes the address`},
				"reason":   {Type: graphql.String, Description: "Why (kept on the admin stream); required of an ADMIN changing another user"},
			},
			Description: "Sets where a user's e-mail notifications go: the user themself, or an ADMIN as for resetPassword",
			Resolve:     r.guard("setUserEmail", r.setUserEmail)},
	}
}

func (r *resolver) setUserEmail(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	email, err := incident.CleanEmail(argString(p.Args, "email"))
	if err != nil {
		return nil, err
	}
	username := strings.TrimSpace(argString(p.Args, "username"))
	var admin Administration
	var ch readmodel.Change
	if username == sub {
		// Their own address: a user of the web interface (a machine
		// client has none), the reason optional.
		if admin, err = r.administration(); err != nil {
			return nil, err
		}
		if _, err := r.existingUser(ctx, admin, username); err != nil {
			return nil, err
		}
		reason, err := adminReason(p.Args, false)
		if err != nil {
			return nil, err
		}
		ch = readmodel.Change{Actor: sub, Reason: reason}
	} else if admin, username, ch, err = r.userChange(ctx, sub, p.Args); err != nil {
		return nil, err
	}
	if err := admin.SetUserEmail(ctx, ch, username, email); err != nil {
		return nil, err
	}
	return r.existingUser(ctx, admin, username)
}
