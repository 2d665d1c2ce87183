package incident

import "time"

// OfficialAccount is a registered official account of a unit: what
// impersonation is measured against (Ref, BestMatch) and what checkAccount
// answers with.
type OfficialAccount struct {
	ID            string   `json:"id"`
	Unit          string   `json:"unit"`
	Platform      Platform `json:"platform"`
	URL           string   `json:"url"`
	NormalizedURL string   `json:"normalizedUrl"`
	DisplayName   string   `json:"displayName"`
	Verified      bool     `json:"verified"`
	// Disabled accounts are no longer official: checkAccount does not
	// answer OFFICIAL for them and impersonation is not measured against
	// them; they stay in the registry, listed when asked for.
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Ref returns the reference to a that cases record.
func (a OfficialAccount) Ref() OfficialAccountRef {
	return OfficialAccountRef{ID: a.ID, Unit: a.Unit, Platform: a.Platform, URL: a.URL, DisplayName: a.DisplayName}
}

// Answers of an account check (the contract's AccountCheck).
const (
	AccountOfficial          = "OFFICIAL"
	AccountKnownImpersonator = "KNOWN_IMPERSONATOR"
	AccountUnknown           = "UNKNOWN"
)

// AccountChecks lists the answers of an account check, in the contract's order.
var AccountChecks = []string{AccountOfficial, AccountKnownImpersonator, AccountUnknown}

// AccountCheck tells whether a URL is an official account, a known
// impersonator or unknown.
type AccountCheck struct {
	// Result is one of AccountChecks.
	Result string
	// Account is the registered account (OFFICIAL).
	Account *OfficialAccount
	// CaseNumber is the most recent case that found the URL impersonating
	// (KNOWN_IMPERSONATOR).
	CaseNumber string
}
