package api

import (
	"cmp"
	"fmt"
	"slices"
)

// GrantsOf returns every grant of role, by subject then unit: for the
// leaders' daily digest, which tells each LEADER about the units they were
// granted and their sub-units.
func (a *Authorizer) GrantsOf(role string) ([]Grant, error) {
	rules, err := a.enf.GetFilteredGroupingPolicy(1, role)
	if err != nil {
		return nil, fmt.Errorf("grants of %s: %w", role, err)
	}
	out := make([]Grant, 0, len(rules))
	for _, r := range rules {
		if len(r) == 3 && r[1] == role {
			out = append(out, Grant{Subject: r[0], Role: r[1], Unit: r[2]})
		}
	}
	slices.SortFunc(out, func(x, y Grant) int { return cmp.Or(cmp.Compare(x.Subject, y.Subject), cmp.Compare(x.Unit, y.Unit)) })
	return slices.Compact(out), nil
}
