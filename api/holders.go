package api

import (
	"fmt"
	"slices"
)

// Holders returns, sorted, the subjects holding role on unit or on one of
// its ancestors (a grant covers the whole subtree): those a notification
// about a case of unit goes to.
func (a *Authorizer) Holders(role, unit string) ([]string, error) {
	rules, err := a.enf.GetFilteredGroupingPolicy(1, role)
	if err != nil {
		return nil, fmt.Errorf("holders of %s on %s: %w", role, unit, err)
	}
	t := a.tree.Load()
	var out []string
	for _, r := range rules {
		if len(r) == 3 && r[1] == role && t.Within(unit, r[2]) && !slices.Contains(out, r[0]) {
			out = append(out, r[0])
		}
	}
	slices.Sort(out)
	return out, nil
}
