package schema

import (
	"context"
	"errors"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The registry of official accounts: updateOfficialAccount,
// setOfficialAccountVerified, setOfficialAccountDisabled
// (registerOfficialAccount on the account's unit), and the search of
// officialAccounts.

// maxAccountSearch bounds the text of officialAccounts(search:).
const maxAccountSearch = 200

var errNoAccountSearch = errors.New("officialAccounts: the Registry of Deps does not implement AccountSearch")

// accountSearch returns the registry's account reads beyond
// Registry.OfficialAccounts.
func (r *resolver) accountSearch() (AccountSearch, error) {
	s, ok := r.registry.(AccountSearch)
	if !ok {
		return nil, errNoAccountSearch
	}
	return s, nil
}

// officialAccountArgs are officialAccounts' arguments.
func officialAccountArgs() graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{
		"unit":            {Type: graphql.ID},
		"search":          {Type: graphql.String, Description: "Words found in the display name or the URL, without regard to case or diacritics"},
		"includeDisabled": {Type: graphql.Boolean, DefaultValue: false, Description: "List disabled accounts too"},
	}
}

// officialAccounts lists the registry's accounts of a unit's subtree (of
// all units without one), matching search, disabled ones only when asked,
// to every subject with a role allowed readOfficialAccounts on some unit:
// the registry is the deployment's.
func (r *resolver) officialAccounts(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	if err := r.allowAnywhere(sub, incident.ActionReadOfficialAccounts); err != nil {
		return nil, err
	}
	unit := argString(p.Args, "unit")
	if unit != "" {
		if err := r.knownUnit(p.Context, "unit", unit); err != nil {
			return nil, err
		}
	}
	search, err := incident.CleanText("search", argString(p.Args, "search"), false, maxAccountSearch)
	if err != nil {
		return nil, err
	}
	includeDisabled, _ := p.Args["includeDisabled"].(bool)
	s, err := r.accountSearch()
	if err != nil {
		return nil, err
	}
	list, err := s.SearchOfficialAccounts(p.Context, readmodel.AccountQuery{Unit: unit, Search: search, IncludeDisabled: includeDisabled})
	if err != nil {
		return nil, err
	}
	return ptrs(list), nil
}

func (r *resolver) updateOfficialAccount(p graphql.ResolveParams) (any, error) {
	in := argObject(p.Args, "input")
	c := readmodel.AccountChange{URL: optArg(in, "url"), DisplayName: optArg(in, "displayName")}
	if pf, ok := in["platform"].(incident.Platform); ok {
		c.Platform = &pf
	}
	a, err := r.changeAccount(p, c)
	return a, inInput(err, "platform", "url", "displayName")
}

func (r *resolver) setOfficialAccountVerified(p graphql.ResolveParams) (any, error) {
	v, _ := p.Args["verified"].(bool)
	return r.changeAccount(p, readmodel.AccountChange{Verified: &v})
}

func (r *resolver) setOfficialAccountDisabled(p graphql.ResolveParams) (any, error) {
	v, _ := p.Args["disabled"].(bool)
	return r.changeAccount(p, readmodel.AccountChange{Disabled: &v})
}

// changeAccount changes the official account id as c says: the account
// exists (NOT_FOUND) and the caller is ADMIN on its unit.
func (r *resolver) changeAccount(p graphql.ResolveParams, c readmodel.AccountChange) (any, error) {
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
	if _, err := r.accountOnUnit(ctx, sub, id); err != nil {
		return nil, err
	}
	ch, err := adminChange(sub, p.Args)
	if err != nil {
		return nil, err
	}
	a, err := admin.ChangeOfficialAccount(ctx, ch, id, c)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// accountOnUnit returns the account id when sub may change it (ADMIN on
// its unit): NOT_FOUND for an unknown account, FORBIDDEN otherwise.
func (r *resolver) accountOnUnit(ctx context.Context, sub, id string) (incident.OfficialAccount, error) {
	s, err := r.accountSearch()
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	a, err := s.OfficialAccount(ctx, id)
	if incident.ErrorCode(err) == incident.CodeNotFound {
		// Who may change no account learns nothing of which exist.
		if err := r.allowAnywhere(sub, incident.ActionRegisterOfficialAccount); err != nil {
			return incident.OfficialAccount{}, err
		}
		return incident.OfficialAccount{}, &Error{Code: incident.CodeNotFound, Field: "id", Message: "official account \"" + truncate(id, 80) + "\" not found"}
	}
	if err != nil {
		return incident.OfficialAccount{}, err
	}
	return a, r.allow(sub, incident.ActionRegisterOfficialAccount, a.Unit)
}
