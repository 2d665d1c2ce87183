package api

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"casetrail/incident"
)

// TestContractErrorCodes: the domain's error codes (incident.Codes) and the
// HTTP layer's (TransportCodes) are together the codes of the contract's
// header, each in one list only, each list in the header's order.
func TestContractErrorCodes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "docs", "contract", "schema.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	header := regexp.MustCompile(`(?m)^#\s+([A-Z_]+)\s{2,}\S`)
	var domain, transport []string
	for _, m := range header.FindAllStringSubmatch(string(b), -1) {
		code := m[1]
		inDomain, inTransport := slices.Contains(incident.Codes, code), slices.Contains(TransportCodes, code)
		switch {
		case inDomain && inTransport:
			t.Errorf("%s is both a domain and a transport code", code)
		case inDomain:
			domain = append(domain, code)
		case inTransport:
			transport = append(transport, code)
		default:
			t.Errorf("the contract's code %s is neither in incident.Codes nor in api.TransportCodes", code)
		}
	}
	if !slices.Equal(domain, incident.Codes) {
		t.Errorf("contract header's domain codes %v, incident.Codes %v", domain, incident.Codes)
	}
	if !slices.Equal(transport, TransportCodes) {
		t.Errorf("contract header's transport codes %v, api.TransportCodes %v", transport, TransportCodes)
	}
}

// TestPermissionsCoverActions: the permissions table has a row for each of
// incident.Actions, in its order, and no other. schema's
// TestResolversCheckEveryAction shows that the resolvers check exactly
// incident.Actions, so every action a resolver checks has its row here and
// every row is checked somewhere.
func TestPermissionsCoverActions(t *testing.T) {
	if got, want := Actions(), incident.Actions(); !slices.Equal(got, want) {
		t.Errorf("permissions table actions\n%v\nincident.Actions\n%v", got, want)
	}
	for _, p := range permissions {
		if len(p.roles) == 0 {
			t.Errorf("%s: no role may do it", p.action)
		}
	}
}
