// Package schema is CaseTrail's GraphQL graph: the graphql-go types of the
// contract (docs/contract/schema.graphql) and their resolvers.
//
// The package knows nothing of HTTP, JWT, Casbin, Temporal or PostgreSQL: it
// codes against small interfaces, one per concern (Authorizer, Commands,
// Cases, Streams, Registry, Progress, and the writes Blobs and Registrar),
// that the concrete packages satisfy as they are (cmd/casetrail wires them).
// The read types are theirs: readmodel's Filter, Page and Stats,
// eventstore's RecordedEvent and VerifyReport, incident's OfficialAccount and
// AccountCheck. Every resolver authorizes the caller, whose subject the HTTP
// layer puts in the context with WithSubject, and every error it returns
// carries an extensions.code of the contract.
package schema

import (
	"context"
	"log/slog"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Authorizer answers whether a subject may do an action (a command name or
// an incident.Action*) on a case of a unit; a grant on a unit covers all its
// sub-units. It must be safe for concurrent use.
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
// state after them (workflows.Commands). Domain failures come back as
// *incident.Error (CONFLICT for an expectedVersion mismatch,
// INVALID_TRANSITION, BAD_USER_INPUT, ...); anything else is reported to the
// caller as INTERNAL.
type Commands interface {
	// Report opens case caseID (starting its workflow). The number is
	// allocated by the implementation. requestID makes a retry idempotent.
	Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error)
	// Execute runs cmd on the existing case caseID. expectedVersion, when not
	// nil, must equal the case's version.
	Execute(ctx context.Context, caseID, actor, requestID string, expectedVersion *int64, cmd incident.Command) (incident.Case, error)
}

// Cases reads the projections of cases (readmodel.Reader). Visible unit
// lists are the ids of whole visible subtrees; the resolvers never pass an
// empty list (they answer "nothing visible" themselves). A case lookup may
// report an absent case as nil, nil or as a NOT_FOUND *incident.Error; both
// read as "no such case".
type Cases interface {
	// Case returns the projected case with id.
	Case(ctx context.Context, id string) (*incident.Case, error)
	// CaseByNumber returns the projected case with number.
	CaseByNumber(ctx context.Context, number string) (*incident.Case, error)
	// ListCases returns a page of the cases matching f within visible,
	// starting after the opaque cursor after ("" for the first page).
	ListCases(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error)
	// Stats counts the cases of unit's subtree ("" for all) within visible,
	// reported in [from, to) (nil bounds are open).
	Stats(ctx context.Context, unit string, visible []string, from, to *time.Time) (readmodel.Stats, error)
	// CaseByRequest returns the case a report (reporter, clientRequestID)
	// opened or was merged into.
	CaseByRequest(ctx context.Context, reporter, clientRequestID string) (caseID string, ok bool, err error)
	// OpenCaseBySubject returns an open case having one of the normalized
	// subject URLs.
	OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (caseID string, ok bool, err error)
	// EvidenceBytes returns the bytes of evidence sub has added to cases
	// over all time (every piece counted, also when two share content):
	// what the evidence quota charges sub with.
	EvidenceBytes(ctx context.Context, sub string) (int64, error)
	// CaseIDKey returns the secret new case ids derive from
	// (intake.CaseIDFor): at least 32 bytes, the same for every process of
	// one deployment, never changing.
	CaseIDKey(ctx context.Context) ([]byte, error)
	// CheckAccount tells whether url is an official account, a known
	// impersonator (by the verdicts of cases) or unknown.
	CheckAccount(ctx context.Context, url string) (incident.AccountCheck, error)
}

// Streams reads the case streams themselves, not the projections
// (readmodel.Reader).
type Streams interface {
	// History returns at most limit events of the case's stream from version fromVersion.
	History(ctx context.Context, caseID string, fromVersion int64, limit int) ([]eventstore.RecordedEvent, error)
	// CaseAsOf folds the case's stream up to version and/or instant at; nil
	// or NOT_FOUND when the case did not exist then.
	CaseAsOf(ctx context.Context, id string, version *int64, at *time.Time) (*incident.Case, error)
	// Verify recomputes the case's hash chain and compares the projection
	// with the fold of the stream.
	Verify(ctx context.Context, caseID string) (eventstore.VerifyReport, error)
}

// Registry reads the registry of units and official accounts and the admin
// stream of its changes (readmodel.Registry).
type Registry interface {
	// Units returns every administrative unit.
	Units(ctx context.Context) ([]incident.Unit, error)
	// EscalationTarget returns where cases of unitID escalate to: its
	// escalatesTo or that of its nearest ancestor ("" when none).
	EscalationTarget(ctx context.Context, unitID string) (string, error)
	// OfficialAccounts lists the registered official accounts of unit's
	// subtree ("" for all).
	OfficialAccounts(ctx context.Context, unit string) ([]incident.OfficialAccount, error)
	// AdminHistory returns at most limit events of the admin stream (every
	// registry and grant change) with a version after after, in order.
	AdminHistory(ctx context.Context, after int64, limit int) ([]eventstore.RecordedEvent, error)
}

// Progress tells how far the projections are (readmodel.Projector).
type Progress interface {
	// WaitFor returns once the projection has applied global position
	// position (incident.Case.Position), or with ctx's error.
	WaitFor(ctx context.Context, position int64) error
}

// Blobs stores evidence content (eventstore.Store).
type Blobs interface {
	// PutBlob stores content and returns its lower-case hex SHA-256; invalid
	// content or media type is eventstore.ErrInvalid.
	PutBlob(ctx context.Context, mediaType string, content []byte) (string, error)
}

// Registrar changes the registry (readmodel.Registry).
type Registrar interface {
	// RegisterOfficialAccount adds an account to the registry (idempotent on
	// the normalized URL), recording ch's actor and reason on the admin
	// stream.
	RegisterOfficialAccount(ctx context.Context, ch readmodel.Change, unit string, platform incident.Platform, url, displayName string) (incident.OfficialAccount, error)
}

// Reads is every read and write concern in one: what a single object
// serving them all (an in-memory fake, a stub never reached) implements.
type Reads interface {
	Cases
	Streams
	Registry
	Progress
	Blobs
	Registrar
}

// Deps are what the resolvers need. Auth and Commands are required, and each
// of Cases, Streams, Registry, Progress, Blobs and Registrar, either in its
// own field or through Reads. All must be safe for concurrent use.
type Deps struct {
	Auth      Authorizer
	Commands  Commands
	Cases     Cases
	Streams   Streams
	Registry  Registry
	Progress  Progress
	Blobs     Blobs
	Registrar Registrar
	// Admin makes the administrative changes (readmodel.Admin; schema/admin_deps.go).
	// Optional: without it (nor Reads implementing it) the administration's
	// queries and mutations answer INTERNAL.
	Admin Administration
	// Public reads the contacts citizens left with public reports
	// (public.Service; schema/public.go). Optional: without it no case
	// has any.
	Public PublicReporters
	// Reads, when set, serves each of the six concerns above left nil.
	Reads Reads
	// Logger receives internal errors (which callers only see as INTERNAL);
	// nil means slog.Default().
	Logger *slog.Logger
	// EvidenceQuota is how many bytes of evidence one subject may add over
	// all time (stored blobs are never deleted); 0 means
	// DefaultEvidenceQuota, a negative value no quota.
	EvidenceQuota int64
}

// withReads returns d with every nil concern taken from d.Reads.
func (d Deps) withReads() Deps {
	r := d.Reads
	if r == nil {
		return d
	}
	d.Cases = orElse[Cases](d.Cases, r)
	d.Streams = orElse[Streams](d.Streams, r)
	d.Registry = orElse[Registry](d.Registry, r)
	d.Progress = orElse[Progress](d.Progress, r)
	d.Blobs = orElse[Blobs](d.Blobs, r)
	d.Registrar = orElse[Registrar](d.Registrar, r)
	return d
}

// orElse returns v, or r when v is a nil interface.
func orElse[T any](v, r T) T {
	if any(v) == nil {
		return r
	}
	return v
}

// DefaultEvidenceQuota is the evidence one subject may add when
// Deps.EvidenceQuota is zero: 200 MiB.
const DefaultEvidenceQuota = 200 << 20

// RoleGrant is a role a subject holds on a unit (and its sub-units).
type RoleGrant struct {
	Role string
	Unit string
}
