package api

import (
	"context"
	"errors"

	"go.temporal.io/sdk/client"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
	"casetrail/workflows"
	"time"
)

// Backend is what the GraphQL resolvers run on: commands through the case
// workflows on Temporal, reads from the read model, the registry and the
// event store. It implements schema.Commands and schema.Reads.
type Backend struct {
	Store     *eventstore.Store
	Reader    *readmodel.Reader
	Registry  *readmodel.Registry
	Projector *readmodel.Projector
	Temporal  client.Client
	// Policy is the deadline policy new cases start with.
	Policy incident.Policy
}

var (
	_ schema.Commands = (*Backend)(nil)
	_ schema.Reads    = (*Backend)(nil)
)

// Report opens case caseID through its workflow (update-with-start).
func (b *Backend) Report(ctx context.Context, caseID, actor, requestID string, r incident.Report) (incident.Case, error) {
	ctx, cancel := commandContext(ctx)
	defer cancel()
	return workflows.Report(ctx, b.Temporal, caseID, workflows.Request[incident.Report]{Actor: actor, RequestID: requestID, Command: r}, b.Policy)
}

// Execute sends cmd to the workflow of case caseID as the Update of its name.
func (b *Backend) Execute(ctx context.Context, caseID, actor, requestID string, expectedVersion *int64, cmd incident.Command) (incident.Case, error) {
	ctx, cancel := commandContext(ctx)
	defer cancel()
	return workflows.Execute(ctx, b.Temporal, caseID, workflows.Request[incident.Command]{
		Actor: actor, RequestID: requestID, ExpectedVersion: expectedVersion, Command: cmd,
	})
}

// commandAnswerTime is what a request keeps, after it stops waiting for a
// command, to answer that the command's outcome is not known yet
// (incident.ErrOutcomeUnknown) before the request's own timeout cuts it off.
const commandAnswerTime = 2 * time.Second

// commandContext is ctx with its deadline, if any, commandAnswerTime earlier.
func commandContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) <= 2*commandAnswerTime {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-commandAnswerTime))
}

// Case returns the projected case, or nil when there is none.
func (b *Backend) Case(ctx context.Context, id string) (*incident.Case, error) {
	return absent(b.Reader.GetCase(ctx, id))
}

// CaseByNumber returns the projected case with number, or nil.
func (b *Backend) CaseByNumber(ctx context.Context, number string) (*incident.Case, error) {
	return absent(b.Reader.CaseByNumber(ctx, number))
}

func absent(c *incident.Case, err error) (*incident.Case, error) {
	if incident.ErrorCode(err) == incident.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// ListCases returns a page of the cases matching f within visible.
func (b *Backend) ListCases(ctx context.Context, f schema.CaseFilter, visible []string, first int, after string) (schema.CasePage, error) {
	p, err := b.Reader.ListCases(ctx, readmodel.Filter(f), visible, first, after)
	if err != nil {
		return schema.CasePage{}, err
	}
	out := schema.CasePage{EndCursor: p.EndCursor, HasNext: p.HasNext, Total: p.Total, Edges: make([]schema.CaseEdge, len(p.Cases))}
	for i, c := range p.Cases {
		out.Edges[i] = schema.CaseEdge{Cursor: p.Cursors[i], Case: c}
	}
	return out, nil
}

// Stats computes the statistics of unit's subtree within visible.
func (b *Backend) Stats(ctx context.Context, unit string, visible []string, from, to *time.Time) (schema.Stats, error) {
	s, err := b.Reader.Stats(ctx, unit, visible, from, to)
	return schema.Stats(s), err
}

// History returns the stored events of a case's stream.
func (b *Backend) History(ctx context.Context, caseID string, fromVersion int64, limit int) ([]schema.Event, error) {
	recs, err := readmodel.History(ctx, b.Store, caseID, fromVersion, limit)
	return events(recs), err
}

// events converts stored events to the schema's.
func events(recs []eventstore.RecordedEvent) []schema.Event {
	out := make([]schema.Event, len(recs))
	for i, r := range recs {
		out[i] = schema.Event{
			Version: r.Version, GlobalPosition: r.GlobalPosition, Type: r.Type, Actor: r.Metadata.Actor,
			Reason: r.Metadata.Reason, OccurredAt: r.OccurredAt, Data: r.Data, Hash: r.Hash, PrevHash: r.PrevHash,
		}
	}
	return out
}

// CaseAsOf folds the case's stream up to version and/or at; nil when the case
// did not exist then.
func (b *Backend) CaseAsOf(ctx context.Context, id string, version *int64, at *time.Time) (*incident.Case, error) {
	return absent(readmodel.CaseAsOf(ctx, b.Store, id, version, at))
}

// Verify recomputes the case's hash chain.
func (b *Backend) Verify(ctx context.Context, caseID string) (schema.Integrity, error) {
	r, err := readmodel.Verify(ctx, b.Store, caseID)
	if err != nil {
		return schema.Integrity{}, err
	}
	return schema.Integrity{OK: r.OK, EventsChecked: r.EventsChecked, FirstBadVersion: r.FirstBadVersion, HeadHash: r.HeadHash}, nil
}

// Units returns every administrative unit.
func (b *Backend) Units(ctx context.Context) ([]incident.Unit, error) {
	return b.Registry.Units(ctx)
}

// EscalationTarget returns where cases of unitID escalate to.
func (b *Backend) EscalationTarget(ctx context.Context, unitID string) (string, error) {
	return b.Registry.EscalationTarget(ctx, unitID)
}

func toAccount(a readmodel.OfficialAccount) schema.OfficialAccount {
	return schema.OfficialAccount{ID: a.ID, Unit: a.Unit, Platform: a.Platform, URL: a.URL, DisplayName: a.DisplayName, Verified: a.Verified}
}

// OfficialAccounts lists the registered official accounts of unit ("" for all).
func (b *Backend) OfficialAccounts(ctx context.Context, unit string) ([]schema.OfficialAccount, error) {
	as, err := b.Registry.OfficialAccounts(ctx, unit)
	if err != nil {
		return nil, err
	}
	out := make([]schema.OfficialAccount, len(as))
	for i, a := range as {
		out[i] = toAccount(a)
	}
	return out, nil
}

// RegisterOfficialAccount adds an account to the registry, recording actor
// and reason on the admin stream.
func (b *Backend) RegisterOfficialAccount(ctx context.Context, actor, reason, unit string, platform incident.Platform, url, displayName string) (schema.OfficialAccount, error) {
	a, err := b.Registry.RegisterOfficialAccount(ctx, readmodel.Change{Actor: actor, Reason: reason}, unit, platform, url, displayName)
	return toAccount(a), err
}

// AdminHistory returns the events of the admin stream after the version in
// after ("" from the first).
func (b *Backend) AdminHistory(ctx context.Context, after string, limit int) ([]schema.Event, error) {
	v, err := readmodel.ParseAdminCursor(after)
	if err != nil {
		return nil, err
	}
	recs, err := b.Registry.AdminHistory(ctx, v, limit)
	return events(recs), err
}

// CheckAccount tells whether url is official, a known impersonator or unknown.
func (b *Backend) CheckAccount(ctx context.Context, url string) (schema.AccountCheck, error) {
	c, err := b.Reader.CheckAccount(ctx, url)
	if err != nil {
		return schema.AccountCheck{}, err
	}
	out := schema.AccountCheck{Result: c.Result, CaseNumber: c.CaseNumber}
	if c.Account != nil {
		a := toAccount(*c.Account)
		out.Account = &a
	}
	return out, nil
}

// OpenCaseBySubject returns an open case having one of the subject URLs.
func (b *Backend) OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (string, bool, error) {
	return b.Reader.OpenCaseBySubject(ctx, normalizedURLs)
}

// CaseByRequest returns the case a report opened or was merged into.
func (b *Backend) CaseByRequest(ctx context.Context, reporter, clientRequestID string) (string, bool, error) {
	return b.Reader.CaseByRequest(ctx, reporter, clientRequestID)
}

// WaitFor returns once the projection has applied position.
func (b *Backend) WaitFor(ctx context.Context, position int64) error {
	return b.Projector.WaitFor(ctx, position)
}

// PutBlob stores evidence content by its SHA-256.
func (b *Backend) PutBlob(ctx context.Context, mediaType string, content []byte) (string, error) {
	sum, err := b.Store.PutBlob(ctx, mediaType, content)
	if errors.Is(err, eventstore.ErrInvalid) {
		return "", incident.BadInput("contentBase64", "%v", err)
	}
	return sum, err
}

// EvidenceBytes returns the bytes of evidence sub has added (the quota's count).
func (b *Backend) EvidenceBytes(ctx context.Context, sub string) (int64, error) {
	return b.Reader.EvidenceBytes(ctx, sub)
}

// CaseIDKey returns the secret new case ids derive from.
func (b *Backend) CaseIDKey(ctx context.Context) ([]byte, error) {
	return b.Reader.CaseIDKey(ctx)
}

// SchemaAuth adapts an Authorizer to the resolvers' schema.Authorizer.
type SchemaAuth struct{ *Authorizer }

// RoleGrants returns the roles granted to sub.
func (a SchemaAuth) RoleGrants(sub string) []schema.RoleGrant {
	gs := a.Roles(sub)
	out := make([]schema.RoleGrant, len(gs))
	for i, g := range gs {
		out[i] = schema.RoleGrant{Role: g.Role, Unit: g.Unit}
	}
	return out
}
