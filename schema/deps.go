// Package schema is CaseTrail's GraphQL graph: the graphql-go types of the
// contract (docs/contract/schema.graphql) and their resolvers.
//
// The package knows nothing of HTTP, JWT, Casbin, Temporal or PostgreSQL: it
// codes against three small interfaces (Authorizer, Commands, Reads) that the
// wiring adapts to the real packages. Every resolver authorizes the caller,
// whose subject the HTTP layer puts in the context with WithSubject, and every
// error it returns carries an extensions.code of the contract.
package schema

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"casetrail/incident"
)

// Actions checked with the Authorizer besides the command names of incident
// (incident.CmdReportIncident, incident.CmdTriageCase, ...).
const (
	// ActionReadCase guards case, caseByNumber and cases.
	ActionReadCase = "readCase"
	// ActionReadHistory guards Case.history, caseAsOf and verifyCase.
	ActionReadHistory = "readHistory"
	// ActionReadStats guards stats.
	ActionReadStats = "readStats"
	// ActionRegisterOfficialAccount guards registerOfficialAccount.
	ActionRegisterOfficialAccount = "registerOfficialAccount"
	// ActionReadAdminHistory guards adminHistory (checked on every root unit).
	ActionReadAdminHistory = "readAdminHistory"
)

// Authorizer answers whether a subject may do an action on a case of a unit;
// a grant on a unit covers all its sub-units. It must be safe for concurrent use.
type Authorizer interface {
	// Allowed reports whether sub may do action on a case of unit.
	Allowed(sub, action, unit string) (bool, error)
	// VisibleUnits returns the unit ids whose whole subtrees sub may do action
	// on; an empty result means none (never "unrestricted").
	VisibleUnits(sub, action string) []string
	// RoleGrants returns the roles granted to sub.
	RoleGrants(sub string) []RoleGrant
}

// Commands runs commands through the case's workflow and returns the case
// state after them. Domain failures come back as *incident.Error (CONFLICT for
// an expectedVersion mismatch, INVALID_TRANSITION, BAD_USER_INPUT, ...);
// anything else is reported to the caller as INTERNAL.
type Commands interface {
	// Report opens case caseID (starting its workflow). The number is
	// allocated by the implementation. requestID makes a retry idempotent.
	Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error)
	// Execute runs cmd on the existing case caseID. expectedVersion, when not
	// nil, must equal the case's version.
	Execute(ctx context.Context, caseID, actor, requestID string, expectedVersion *int64, cmd incident.Command) (incident.Case, error)
}

// Reads is the read side: projections, the registry of units and official
// accounts, and replay of case streams. It must be safe for concurrent use.
// Visible unit lists are the ids of whole visible subtrees; the resolvers
// never pass an empty list (they answer "nothing visible" themselves). A case
// lookup may report an absent case as nil, nil or as a NOT_FOUND
// *incident.Error; both read as "no such case".
type Reads interface {
	// Case returns the projected case, or nil, nil when there is none.
	Case(ctx context.Context, id string) (*incident.Case, error)
	// CaseByNumber returns the projected case with number, or nil, nil.
	CaseByNumber(ctx context.Context, number string) (*incident.Case, error)
	// ListCases returns a page of the cases matching f within visible,
	// starting after the opaque cursor after ("" for the first page).
	ListCases(ctx context.Context, f CaseFilter, visible []string, first int, after string) (CasePage, error)
	// Stats counts the cases of unit's subtree ("" for all) within visible,
	// reported in [from, to) (nil bounds are open).
	Stats(ctx context.Context, unit string, visible []string, from, to *time.Time) (Stats, error)
	// History returns at most limit events of the case's stream from version fromVersion.
	History(ctx context.Context, caseID string, fromVersion int64, limit int) ([]Event, error)
	// CaseAsOf folds the case's stream up to version and/or instant at; nil
	// when the case did not exist then.
	CaseAsOf(ctx context.Context, id string, version *int64, at *time.Time) (*incident.Case, error)
	// Verify recomputes the case's hash chain.
	Verify(ctx context.Context, caseID string) (Integrity, error)
	// Units returns every administrative unit.
	Units(ctx context.Context) ([]incident.Unit, error)
	// EscalationTarget returns where cases of unitID escalate to: its
	// escalatesTo or that of its nearest ancestor ("" when none).
	EscalationTarget(ctx context.Context, unitID string) (string, error)
	// OfficialAccounts lists the registered official accounts of unit ("" for all).
	OfficialAccounts(ctx context.Context, unit string) ([]OfficialAccount, error)
	// RegisterOfficialAccount adds an account to the registry (idempotent on
	// the normalized URL), recording actor and reason on the admin stream.
	RegisterOfficialAccount(ctx context.Context, actor, reason, unit string, platform incident.Platform, url, displayName string) (OfficialAccount, error)
	// AdminHistory returns at most limit events of the admin stream (every
	// registry and grant change) after the version in after ("" from the
	// first), in order.
	AdminHistory(ctx context.Context, after string, limit int) ([]Event, error)
	// CheckAccount tells whether url is an official account, a known
	// impersonator or unknown.
	CheckAccount(ctx context.Context, url string) (AccountCheck, error)
	// OpenCaseBySubject returns an open case having one of the normalized
	// subject URLs.
	OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (caseID string, ok bool, err error)
	// CaseByRequest returns the case a report (reporter, clientRequestID)
	// opened or was merged into.
	CaseByRequest(ctx context.Context, reporter, clientRequestID string) (caseID string, ok bool, err error)
	// WaitFor returns once the projection has applied global position
	// position (incident.Case.Position), or with ctx's error.
	WaitFor(ctx context.Context, position int64) error
	// PutBlob stores content and returns its lower-case hex SHA-256.
	PutBlob(ctx context.Context, mediaType string, content []byte) (string, error)
	// EvidenceBytes returns the bytes of evidence sub has added to cases
	// over all time (every piece counted, also when two share content):
	// what the evidence quota charges sub with.
	EvidenceBytes(ctx context.Context, sub string) (int64, error)
	// CaseIDKey returns the secret new case ids derive from (CaseIDFor): at
	// least 32 bytes, the same for every process of one deployment, never
	// changing.
	CaseIDKey(ctx context.Context) ([]byte, error)
}

// Deps are what the resolvers need. Auth, Commands and Reads are required.
type Deps struct {
	Auth     Authorizer
	Commands Commands
	Reads    Reads
	// Logger receives internal errors (which callers only see as INTERNAL);
	// nil means slog.Default().
	Logger *slog.Logger
	// EvidenceQuota is how many bytes of evidence one subject may add over
	// all time (stored blobs are never deleted); 0 means
	// DefaultEvidenceQuota, a negative value no quota.
	EvidenceQuota int64
}

// DefaultEvidenceQuota is the evidence one subject may add when
// Deps.EvidenceQuota is zero: 200 MiB.
const DefaultEvidenceQuota = 200 << 20

// RoleGrant is a role a subject holds on a unit (and its sub-units).
type RoleGrant struct {
	Role string
	Unit string
}

// CaseFilter selects cases for ListCases; zero fields do not filter.
type CaseFilter struct {
	Status         []incident.Status
	Kind           []incident.Kind
	Severity       []incident.Severity
	Unit           string // the unit and its sub-units
	Assignee       string
	Overdue        *bool
	ReportedAfter  *time.Time
	ReportedBefore *time.Time
	Text           string
}

// CaseEdge is one case of a page with the opaque cursor that resumes after it.
type CaseEdge struct {
	Cursor string
	Case   incident.Case
}

// CasePage is a page of cases.
type CasePage struct {
	Edges     []CaseEdge
	EndCursor string
	HasNext   bool
	Total     int
}

// Stats are case counts over a window.
type Stats struct {
	Total, Open, Overdue int
	ByStatus             map[incident.Status]int
	ByKind               map[incident.Kind]int
	MedianHoursToResolve *float64
	DeadlineMetRatio     *float64
}

// Event is one stored event of a case stream (or of the admin stream).
type Event struct {
	Version        int64
	GlobalPosition int64
	Type           string
	Actor          string
	Reason         string // the metadata's reason ("" when none)
	OccurredAt     time.Time
	Data           json.RawMessage
	Hash           string
	PrevHash       string
}

// Integrity is the result of recomputing a case's hash chain.
type Integrity struct {
	OK              bool
	EventsChecked   int
	FirstBadVersion int64 // 0 when OK
	HeadHash        string
}

// OfficialAccount is a registered official account of a unit.
type OfficialAccount struct {
	ID          string
	Unit        string
	Platform    incident.Platform
	URL         string
	DisplayName string
	Verified    bool
}

// Answers of CheckAccount.
const (
	AccountOfficial          = "OFFICIAL"
	AccountKnownImpersonator = "KNOWN_IMPERSONATOR"
	AccountUnknown           = "UNKNOWN"
)

// AccountCheck answers CheckAccount: Account is set for OFFICIAL, CaseNumber
// for KNOWN_IMPERSONATOR.
type AccountCheck struct {
	Result     string
	Account    *OfficialAccount
	CaseNumber string
}
