package schema

import (
	"fmt"
	"strconv"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// vietnam is the offset DateTime values are written in (no daylight saving).
var vietnam = time.FixedZone("+07:00", 7*60*60)

// DateTime is the contract's timestamp scalar: RFC 3339 with an offset. It is
// written in +07:00 with the stored precision (so a value read from history
// can be passed back as caseAsOf(at:) and includes that event) and read with
// any offset. A malformed value is a BAD_USER_INPUT error.
var DateTime = graphql.NewScalar(graphql.ScalarConfig{
	Name:        "DateTime",
	Description: "RFC 3339 timestamp with offset, e.g. 2026-11-27T09:00:00+07:00",
	Serialize: func(v any) any {
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				return nil
			}
			return t.In(vietnam).Format(time.RFC3339Nano)
		case *time.Time:
			if t == nil || t.IsZero() {
				return nil
			}
			return t.In(vietnam).Format(time.RFC3339Nano)
		}
		return nil
	},
	ParseValue: func(v any) any {
		switch s := v.(type) {
		case string:
			return parseDateTime(s)
		case *string:
			if s != nil {
				return parseDateTime(*s)
			}
		}
		return nil
	},
	ParseLiteral: func(v ast.Value) any {
		if s, ok := v.(*ast.StringValue); ok {
			return parseDateTime(s.Value)
		}
		return nil
	},
})

// parseDateTime returns the instant of an RFC 3339 string, or nil (which
// graphql-go reports as an invalid value).
func parseDateTime(s string) any {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return t
}

func enumOf[T ~string](name, desc string, values []T, descs map[T]string) *graphql.Enum {
	m := graphql.EnumValueConfigMap{}
	for _, v := range values {
		m[string(v)] = &graphql.EnumValueConfig{Value: v, Description: descs[v]}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: m})
}

// src returns a resolver reading field fn of the source object *T.
func src[T any](fn func(*T) any) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		v, ok := p.Source.(*T)
		if !ok || v == nil {
			return nil, fmt.Errorf("schema: source is %T, want *%T", p.Source, *new(T))
		}
		return fn(v), nil
	}
}

// ptrs returns pointers to the elements of s (field resolvers take *T sources).
func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return *t
}

func field(t graphql.Output, desc string, fn graphql.FieldResolveFn) *graphql.Field {
	return &graphql.Field{Type: t, Description: desc, Resolve: fn}
}

func nn(t graphql.Type) *graphql.NonNull { return graphql.NewNonNull(t) }

func listOf(t graphql.Type) *graphql.NonNull { return nn(graphql.NewList(nn(t))) }

// types holds the graph's named types.
type types struct {
	kind, status, severity, platform, takedownStatus, takedownOutcome *graphql.Enum
	escalationStatus, verdict, deadlineKind, deadlineState, role      *graphql.Enum
	accountCheck                                                      *graphql.Enum

	unit, viewer, roleGrant, subject, evidence, takedown, escalation *graphql.Object
	analysis, deadline, caseEvent, caseT, caseEdge, pageInfo         *graphql.Object
	caseConnection, countByStatus, countByKind, caseStats            *graphql.Object
	integrity, officialAccount, accountCheckResult, reportPayload    *graphql.Object

	caseFilter, subjectInput, reportInput, evidenceInput, analysisInput *graphql.InputObject
	takedownInput, takedownResponseInput                                *graphql.InputObject

	// The letters' additions (schema/letters.go).
	signerInput *graphql.InputObject
	unitOffice  graphql.Fields

	// The escalation routes' additions (schema/recipients.go).
	routing *routingTypes

	// The takedown channels (schema/takedown_channel.go).
	takedownChannel *graphql.Enum

	// The playbooks' additions (schema/tasks.go).
	taskState *graphql.Enum

	// The periodic report (schema/report.go).
	periodicReport *graphql.Object

	// The administration (schema/admin_graph.go).
	admin *adminTypes
}

func (r *resolver) buildTypes() *types {
	t := &types{}
	t.kind = enumOf("IncidentKind", "", incident.Kinds, map[incident.Kind]string{
		incident.AccountCompromised: "An official account of the unit lost control (hacked, stolen, locked)",
		incident.Impersonation:      "A page/account/group impersonating a state agency or official",
		incident.FalseInformation:   "False, distorted or untrue information circulating on social media",
	})
	t.status = enumOf("CaseStatus", "", incident.Statuses, map[incident.Status]string{
		incident.StatusReported:  "intake done, waiting for triage",
		incident.StatusTriaged:   "severity set, handler assigned",
		incident.StatusAnalysis:  "verification / fact-check in progress",
		incident.StatusAction:    "takedown requests out, waiting for platforms",
		incident.StatusEscalated: "escalation to the higher authority requested/approved/sent",
		incident.StatusResolved:  "outcome reached (removed, recovered, corrected)",
		incident.StatusClosed:    "resolution confirmed by a leader; final",
		incident.StatusRejected:  "not an incident / out of scope; final unless reopened",
	})
	t.severity = enumOf("Severity", "", incident.Severities, nil)
	t.platform = enumOf("Platform", "", incident.Platforms, nil)
	t.takedownStatus = enumOf("TakedownStatus", "", []incident.TakedownStatus{
		incident.TakedownSent, incident.TakedownAcknowledged, incident.TakedownRemoved,
		incident.TakedownRejected, incident.TakedownExpired, incident.TakedownWithdrawn,
	}, nil)
	t.takedownOutcome = enumOf("TakedownOutcome", "", []incident.TakedownOutcome{
		incident.OutcomeAcknowledged, incident.OutcomeRemoved, incident.OutcomeRejected,
	}, nil)
	t.escalationStatus = enumOf("EscalationStatus", "", []incident.EscalationStatus{
		incident.EscPendingApproval, incident.EscApproved, incident.EscSent,
		incident.EscAcknowledged, incident.EscResolved, incident.EscDeclined,
	}, nil)
	t.verdict = enumOf("Verdict", "", []incident.Verdict{
		incident.VerdictFalse, incident.VerdictMisleading, incident.VerdictUnverified, incident.VerdictTrue,
	}, nil)
	t.deadlineKind = enumOf("DeadlineKind", "", incident.DeadlineKinds, nil)
	t.deadlineState = enumOf("DeadlineState", "", []incident.DeadlineState{
		incident.StatePending, incident.StateMet, incident.StateMissed, incident.StateCancelled,
	}, nil)
	t.role = enumOf("Role", "", []string{"REPORTER", "HANDLER", "LEADER", "AUDITOR", "ADMIN", "CLERK"}, nil) // CLERK: beyond the contract (issue 16)
	t.accountCheck = enumOf("AccountCheck", "", incident.AccountChecks, nil)

	t.unit = graphql.NewObject(graphql.ObjectConfig{Name: "Unit", Fields: graphql.FieldsThunk(func() graphql.Fields {
		return graphql.Fields{
			"id":   field(nn(graphql.ID), "Path-like id, e.g. lai-chau/tan-uyen/phong-vhtt", src(func(u *incident.Unit) any { return u.ID })),
			"name": field(nn(graphql.String), "", src(func(u *incident.Unit) any { return u.Name })),
			"parent": field(t.unit, "", r.guard("Unit.parent", func(p graphql.ResolveParams) (any, error) {
				u := p.Source.(*incident.Unit)
				if u.Parent == "" {
					return nil, nil
				}
				return r.state(p.Context).linkedUnit(p.Context, u, u.Parent)
			})),
			"escalatesTo": field(t.unit, "Where cases of this unit are escalated to (e.g. the provincial department)",
				r.guard("Unit.escalatesTo", func(p graphql.ResolveParams) (any, error) {
					return nilIfNone(r.state(p.Context).escalationTargetOf(p.Context, p.Source.(*incident.Unit)))
				})),
			// schema/units_asof.go
			"validFrom": unitValidFromField(), "validTo": unitValidToField(),
			// schema/letters.go
			"symbol": t.unitOffice["symbol"], "numbering": t.unitOffice["numbering"], "defaultSigner": t.unitOffice["defaultSigner"],
			// schema/admin_graph.go
			"closedAt": t.admin.unitFields["closedAt"], "successor": t.admin.unitFields["successor"],
			// schema/recipients.go
			"escalationRoutes": r.unitRoutesField(t),
		}
	})})
	t.roleGrant = graphql.NewObject(graphql.ObjectConfig{Name: "RoleGrant", Fields: graphql.Fields{
		"role": field(nn(t.role), "", src(func(g *RoleGrant) any { return g.Role })),
		"unit": field(nn(t.unit), "", r.guard("RoleGrant.unit", func(p graphql.ResolveParams) (any, error) {
			return r.state(p.Context).unitOrStub(p.Context, p.Source.(*RoleGrant).Unit)
		})),
	}})
	t.viewer = graphql.NewObject(graphql.ObjectConfig{Name: "Viewer", Fields: graphql.Fields{
		"subject": field(nn(graphql.String), "", src(func(v *viewer) any { return v.subject })),
		"roles":   field(listOf(t.roleGrant), "", src(func(v *viewer) any { return ptrs(v.roles) })),
	}})
	t.subject = graphql.NewObject(graphql.ObjectConfig{
		Name:        "Subject",
		Description: "What the incident is about: the offending post/page/account, or the affected official account.",
		Fields: graphql.Fields{
			"platform": field(nn(t.platform), "", src(func(s *incident.Subject) any { return s.Platform })),
			"url":      field(nn(graphql.String), "", src(func(s *incident.Subject) any { return s.URL })),
			"normalizedUrl": field(nn(graphql.String), "Canonical form used for de-duplication (lower-cased host, no tracking params, no trailing slash)",
				src(func(s *incident.Subject) any { return s.NormalizedURL })),
			"displayName": field(graphql.String, "", src(func(s *incident.Subject) any { return optString(s.DisplayName) })),
		},
	})
	t.evidence = graphql.NewObject(graphql.ObjectConfig{Name: "Evidence", Fields: graphql.Fields{
		"id":          field(nn(graphql.ID), "", src(func(e *incident.Evidence) any { return e.ID })),
		"description": field(nn(graphql.String), "", src(func(e *incident.Evidence) any { return e.Description })),
		"url":         field(graphql.String, "", src(func(e *incident.Evidence) any { return optString(e.URL) })),
		"sha256":      field(nn(graphql.String), "Hex SHA-256 of the stored content", src(func(e *incident.Evidence) any { return e.SHA256 })),
		"mediaType":   field(nn(graphql.String), "", src(func(e *incident.Evidence) any { return e.MediaType })),
		"sizeBytes":   field(nn(graphql.Int), "", src(func(e *incident.Evidence) any { return e.SizeBytes })),
		"addedBy":     field(nn(graphql.String), "", src(func(e *incident.Evidence) any { return e.AddedBy })),
		"addedAt":     field(nn(DateTime), "", src(func(e *incident.Evidence) any { return e.AddedAt })),
	}})
	t.takedown = graphql.NewObject(graphql.ObjectConfig{Name: "TakedownRequest", Fields: graphql.Fields{
		"id":                field(nn(graphql.ID), "", src(func(d *incident.Takedown) any { return d.ID })),
		"platform":          field(nn(t.platform), "", src(func(d *incident.Takedown) any { return d.Platform })),
		"targetUrl":         field(nn(graphql.String), "", src(func(d *incident.Takedown) any { return d.TargetURL })),
		"reason":            field(nn(graphql.String), "", src(func(d *incident.Takedown) any { return d.Reason })),
		"legalBasis":        field(graphql.String, "", src(func(d *incident.Takedown) any { return optString(d.LegalBasis) })),
		"status":            field(nn(t.takedownStatus), "", src(func(d *incident.Takedown) any { return d.Status })),
		"platformReference": field(graphql.String, "", src(func(d *incident.Takedown) any { return optString(d.PlatformReference) })),
		"requestedBy":       field(nn(graphql.String), "", src(func(d *incident.Takedown) any { return d.RequestedBy })),
		"requestedAt":       field(nn(DateTime), "", src(func(d *incident.Takedown) any { return d.RequestedAt })),
		"respondedAt":       field(DateTime, "", src(func(d *incident.Takedown) any { return optTime(d.RespondedAt) })),
		"dueAt":             field(nn(DateTime), "", src(func(d *incident.Takedown) any { return d.DueAt })),
	}})
	t.escalation = graphql.NewObject(graphql.ObjectConfig{Name: "Escalation", Fields: graphql.Fields{
		"status": field(nn(t.escalationStatus), "", src(func(e *incident.Escalation) any { return e.Status })),
		"reason": field(nn(graphql.String), "", src(func(e *incident.Escalation) any { return e.Reason })),
		"to": field(nn(t.unit), "", r.guard("Escalation.to", func(p graphql.ResolveParams) (any, error) {
			s := r.state(p.Context)
			e := p.Source.(*incident.Escalation)
			return s.caseUnit(p.Context, s.caseOfEscalation(e), e.To)
		})),
		"requestedBy":    field(nn(graphql.String), "", src(func(e *incident.Escalation) any { return e.RequestedBy })),
		"requestedAt":    field(nn(DateTime), "", src(func(e *incident.Escalation) any { return e.RequestedAt })),
		"approvedBy":     field(graphql.String, "", src(func(e *incident.Escalation) any { return optString(e.ApprovedBy) })),
		"approvedAt":     field(DateTime, "", src(func(e *incident.Escalation) any { return optTime(e.ApprovedAt) })),
		"dispatchNumber": field(graphql.String, "Official dispatch number once sent, e.g. 123/UBND-VHTT", src(func(e *incident.Escalation) any { return optString(e.DispatchNumber) })),
		"sentAt":         field(DateTime, "", src(func(e *incident.Escalation) any { return optTime(e.SentAt) })),
		"response":       field(graphql.String, "", src(func(e *incident.Escalation) any { return optString(e.Response) })),
		"respondedAt":    field(DateTime, "", src(func(e *incident.Escalation) any { return optTime(e.RespondedAt) })),
	}})
	t.officialAccount = graphql.NewObject(graphql.ObjectConfig{Name: "OfficialAccount", Fields: graphql.Fields{
		"id": field(nn(graphql.ID), "", src(func(a *incident.OfficialAccount) any { return a.ID })),
		"unit": field(nn(t.unit), "", r.guard("OfficialAccount.unit", func(p graphql.ResolveParams) (any, error) {
			return r.state(p.Context).unitOrStub(p.Context, p.Source.(*incident.OfficialAccount).Unit)
		})),
		"platform":    field(nn(t.platform), "", src(func(a *incident.OfficialAccount) any { return a.Platform })),
		"url":         field(nn(graphql.String), "", src(func(a *incident.OfficialAccount) any { return a.URL })),
		"displayName": field(nn(graphql.String), "", src(func(a *incident.OfficialAccount) any { return a.DisplayName })),
		"verified":    field(nn(graphql.Boolean), "", src(func(a *incident.OfficialAccount) any { return a.Verified })),
	}})
	t.analysis = graphql.NewObject(graphql.ObjectConfig{Name: "Analysis", Fields: graphql.Fields{
		"findings": field(nn(graphql.String), "", src(func(a *incident.Analysis) any { return a.Findings })),
		"verdict": field(t.verdict, "", src(func(a *incident.Analysis) any {
			if a.Verdict == "" {
				return nil
			}
			return a.Verdict
		})),
		"legalBasis": field(graphql.String, "", src(func(a *incident.Analysis) any { return optString(a.LegalBasis) })),
		"impersonatedAccount": field(t.officialAccount, "For IMPERSONATION: the registered official account being impersonated, if found",
			r.guard("Analysis.impersonatedAccount", r.impersonatedAccount)),
		"similarity": field(graphql.Float, "0..1 similarity between the subject and impersonatedAccount", src(func(a *incident.Analysis) any {
			if a.Similarity == nil {
				return nil
			}
			return *a.Similarity
		})),
		"recordedBy": field(nn(graphql.String), "", src(func(a *incident.Analysis) any { return a.RecordedBy })),
		"recordedAt": field(nn(DateTime), "", src(func(a *incident.Analysis) any { return a.RecordedAt })),
	}})
	t.deadline = graphql.NewObject(graphql.ObjectConfig{Name: "Deadline", Fields: graphql.Fields{
		"kind":      field(nn(t.deadlineKind), "", src(func(d *incident.Deadline) any { return d.Kind })),
		"dueAt":     field(nn(DateTime), "", src(func(d *incident.Deadline) any { return d.DueAt })),
		"state":     field(nn(t.deadlineState), "", src(func(d *incident.Deadline) any { return d.State })),
		"settledAt": field(DateTime, "Set when state is MET or MISSED", src(func(d *incident.Deadline) any { return optTime(d.SettledAt) })),
		"ref":       field(graphql.ID, "Takedown id for TAKEDOWN_RESPONSE deadlines", src(func(d *incident.Deadline) any { return optString(d.Ref) })),
		"startedAt": deadlineStartedAtField(), // schema/worklist.go
	}})
	t.caseEvent = graphql.NewObject(graphql.ObjectConfig{Name: "CaseEvent", Fields: graphql.Fields{
		"version":        field(nn(graphql.Int), "Position of the event in the case stream, 1-based, gap-free", src(func(e *eventstore.RecordedEvent) any { return e.Version })),
		"globalPosition": field(nn(graphql.String), "Position in the global, gap-free event log", src(func(e *eventstore.RecordedEvent) any { return strconv.FormatInt(e.GlobalPosition, 10) })),
		"type":           field(nn(graphql.String), "", src(func(e *eventstore.RecordedEvent) any { return e.Type })),
		"actor":          field(nn(graphql.String), "", src(func(e *eventstore.RecordedEvent) any { return e.Metadata.Actor })),
		"reason":         field(graphql.String, "Why the change was made, when the actor said (admin stream)", src(func(e *eventstore.RecordedEvent) any { return optString(e.Metadata.Reason) })),
		"occurredAt":     field(nn(DateTime), "", src(func(e *eventstore.RecordedEvent) any { return e.OccurredAt })),
		"data": field(nn(graphql.String), "The event payload as a JSON string", src(func(e *eventstore.RecordedEvent) any {
			if len(e.Data) == 0 {
				return "{}"
			}
			return string(e.Data)
		})),
		"hash":     field(nn(graphql.String), "Hex SHA-256 chain link: sha256(prevHash || canonical event)", src(func(e *eventstore.RecordedEvent) any { return e.Hash })),
		"prevHash": field(nn(graphql.String), "", src(func(e *eventstore.RecordedEvent) any { return e.PrevHash })),
	}})
	t.caseT = graphql.NewObject(graphql.ObjectConfig{Name: "Case", Fields: graphql.Fields{
		"id":          field(nn(graphql.ID), "", src(func(c *incident.Case) any { return c.ID })),
		"number":      field(nn(graphql.String), "Human readable number, unique per year, e.g. VV-2026-000123", src(func(c *incident.Case) any { return c.Number })),
		"kind":        field(nn(t.kind), "", src(func(c *incident.Case) any { return c.Kind })),
		"status":      field(nn(t.status), "", src(func(c *incident.Case) any { return c.Status })),
		"severity":    field(t.severity, "", src(func(c *incident.Case) any { return optEnum(c.Severity) })),
		"title":       field(nn(graphql.String), "", src(func(c *incident.Case) any { return c.Title })),
		"description": field(nn(graphql.String), "", src(func(c *incident.Case) any { return c.Description })),
		"unit": field(nn(t.unit), "", r.guard("Case.unit", func(p graphql.ResolveParams) (any, error) {
			c := p.Source.(*incident.Case)
			return r.state(p.Context).caseUnit(p.Context, c, c.Unit)
		})),
		"reportedBy": field(nn(graphql.String), "", src(func(c *incident.Case) any { return c.ReportedBy })),
		"reportedAt": field(nn(DateTime), "", src(func(c *incident.Case) any { return c.ReportedAt })),
		"assignee":   field(graphql.String, "", src(func(c *incident.Case) any { return optString(c.Assignee) })),
		"updatedAt":  field(nn(DateTime), "", src(func(c *incident.Case) any { return c.UpdatedAt })),
		"version":    field(nn(graphql.Int), "Number of events in the case stream; use as expectedVersion", src(func(c *incident.Case) any { return c.Version })),
		"subjects":   field(listOf(t.subject), "", src(func(c *incident.Case) any { return ptrs(c.Subjects) })),
		"evidence":   field(listOf(t.evidence), "", src(func(c *incident.Case) any { return ptrs(c.Evidence) })),
		"analysis":   field(t.analysis, "", src(func(c *incident.Case) any { return nilPtr(c.Analysis) })),
		"takedowns":  field(listOf(t.takedown), "", r.caseTakedowns),
		"escalation": field(t.escalation, "", r.caseEscalation), // schema/letters.go
		"deadlines":  field(listOf(t.deadline), "", src(func(c *incident.Case) any { return ptrs(c.Deadlines) })),
		"resolution": field(graphql.String, "", src(func(c *incident.Case) any { return optString(c.Resolution) })),
		"mergedReports": field(nn(graphql.Int), "Other reports of the same subject that were merged into this case",
			src(func(c *incident.Case) any { return c.MergedReports })),
		"history": {
			Type:        listOf(t.caseEvent),
			Description: "The case's full event stream (auditors, leaders and handlers of the unit)",
			Args: graphql.FieldConfigArgument{
				"fromVersion": {Type: graphql.Int, DefaultValue: 1},
				"limit":       {Type: graphql.Int, DefaultValue: 1000},
			},
			Resolve: r.guard("Case.history", r.history),
		},
		"availableActions": r.availableActionsField(), "respondableTakedowns": r.respondableTakedownsField(), // schema/available.go
	}})
	t.caseEdge = graphql.NewObject(graphql.ObjectConfig{Name: "CaseEdge", Fields: graphql.Fields{
		"cursor": field(nn(graphql.String), "", src(func(e *caseEdge) any { return e.cursor })),
		"node":   field(nn(t.caseT), "", src(func(e *caseEdge) any { return e.c })),
	}})
	t.pageInfo = graphql.NewObject(graphql.ObjectConfig{Name: "PageInfo", Fields: graphql.Fields{
		"hasNextPage": field(nn(graphql.Boolean), "", src(func(p *readmodel.Page) any { return p.HasNext })),
		"endCursor":   field(graphql.String, "", src(func(p *readmodel.Page) any { return optString(p.EndCursor) })),
	}})
	t.caseConnection = graphql.NewObject(graphql.ObjectConfig{Name: "CaseConnection", Fields: graphql.Fields{
		"edges":      field(listOf(t.caseEdge), "", src(func(p *readmodel.Page) any { return edges(p) })),
		"pageInfo":   field(nn(t.pageInfo), "", src(func(p *readmodel.Page) any { return p })),
		"totalCount": field(nn(graphql.Int), "", src(func(p *readmodel.Page) any { return p.Total })),
	}})
	t.countByStatus = graphql.NewObject(graphql.ObjectConfig{Name: "CountByStatus", Fields: graphql.Fields{
		"status": field(nn(t.status), "", src(func(c *countBy[incident.Status]) any { return c.key })),
		"count":  field(nn(graphql.Int), "", src(func(c *countBy[incident.Status]) any { return c.count })),
	}})
	t.countByKind = graphql.NewObject(graphql.ObjectConfig{Name: "CountByKind", Fields: graphql.Fields{
		"kind":  field(nn(t.kind), "", src(func(c *countBy[incident.Kind]) any { return c.key })),
		"count": field(nn(graphql.Int), "", src(func(c *countBy[incident.Kind]) any { return c.count })),
	}})
	t.caseStats = graphql.NewObject(graphql.ObjectConfig{Name: "CaseStats", Fields: graphql.Fields{
		"total":    field(nn(graphql.Int), "", src(func(s *readmodel.Stats) any { return s.Total })),
		"open":     field(nn(graphql.Int), "", src(func(s *readmodel.Stats) any { return s.Open })),
		"overdue":  field(nn(graphql.Int), "", src(func(s *readmodel.Stats) any { return s.Overdue })),
		"byStatus": field(listOf(t.countByStatus), "", src(func(s *readmodel.Stats) any { return counts(incident.Statuses, s.ByStatus) })),
		"byKind":   field(listOf(t.countByKind), "", src(func(s *readmodel.Stats) any { return counts(incident.Kinds, s.ByKind) })),
		"medianHoursToResolve": field(graphql.Float, "Median hours from report to RESOLVED over cases resolved in the window; null if none",
			src(func(s *readmodel.Stats) any { return optFloat(s.MedianHoursToResolve) })),
		"deadlineMetRatio": field(graphql.Float, "Share (0..1) of settled deadlines that were MET in the window; null if none",
			src(func(s *readmodel.Stats) any { return optFloat(s.DeadlineMetRatio) })),
	}})
	t.integrity = graphql.NewObject(graphql.ObjectConfig{Name: "IntegrityReport", Fields: graphql.Fields{
		"caseId":        field(nn(graphql.ID), "", src(func(i *integrity) any { return i.caseID })),
		"ok":            field(nn(graphql.Boolean), "", src(func(i *integrity) any { return i.OK })),
		"eventsChecked": field(nn(graphql.Int), "", src(func(i *integrity) any { return i.EventsChecked })),
		"firstBadVersion": field(graphql.Int, "Version of the first event whose hash does not verify; null when ok", src(func(i *integrity) any {
			if i.OK || i.FirstBadVersion <= 0 {
				return nil
			}
			return i.FirstBadVersion
		})),
		"headHash": field(nn(graphql.String), "", src(func(i *integrity) any { return i.HeadHash })),
	}})
	t.accountCheckResult = graphql.NewObject(graphql.ObjectConfig{Name: "AccountCheckResult", Fields: graphql.Fields{
		"result": field(nn(t.accountCheck), "", src(func(a *incident.AccountCheck) any { return a.Result })),
		"officialAccount": field(t.officialAccount, "The official account (OFFICIAL) or the case number (KNOWN_IMPERSONATOR) behind the answer",
			src(func(a *incident.AccountCheck) any { return nilPtr(a.Account) })),
		"caseNumber": field(graphql.String, "", src(func(a *incident.AccountCheck) any { return optString(a.CaseNumber) })),
	}})
	t.reportPayload = graphql.NewObject(graphql.ObjectConfig{Name: "ReportIncidentPayload", Fields: graphql.Fields{
		"case": field(nn(t.caseT), "", src(func(p *reportPayload) any { return p.c })),
		"merged": field(nn(graphql.Boolean), "True when an open case with the same normalized subject URL existed and this report was merged into it",
			src(func(p *reportPayload) any { return p.merged })),
	}})

	t.caseFilter = graphql.NewInputObject(graphql.InputObjectConfig{Name: "CaseFilter", Fields: graphql.InputObjectConfigFieldMap{
		"status":         {Type: graphql.NewList(nn(t.status))},
		"kind":           {Type: graphql.NewList(nn(t.kind))},
		"severity":       {Type: graphql.NewList(nn(t.severity))},
		"unit":           {Type: graphql.ID, Description: "Cases of this unit and its sub-units"},
		"assignee":       {Type: graphql.String},
		"overdue":        {Type: graphql.Boolean, Description: "Only cases with at least one PENDING deadline already past due"},
		"reportedAfter":  {Type: DateTime},
		"reportedBefore": {Type: DateTime},
		"text":           {Type: graphql.String, Description: "Diacritics-insensitive search in number, title, description and subject URLs"},
	}})
	t.subjectInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "SubjectInput", Fields: graphql.InputObjectConfigFieldMap{
		"platform":    {Type: nn(t.platform)},
		"url":         {Type: nn(graphql.String)},
		"displayName": {Type: graphql.String},
	}})
	t.reportInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "ReportIncidentInput", Fields: graphql.InputObjectConfigFieldMap{
		"clientRequestId": {Type: nn(graphql.String), Description: "Idempotency key: the same key sent again by the same caller returns the same case, unchanged"},
		"kind":            {Type: nn(t.kind)},
		"unit":            {Type: nn(graphql.ID)},
		"title":           {Type: nn(graphql.String)},
		"description":     {Type: nn(graphql.String)},
		"subjects":        {Type: listOf(t.subjectInput)},
	}})
	t.evidenceInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "EvidenceInput", Fields: graphql.InputObjectConfigFieldMap{
		"description":   {Type: nn(graphql.String)},
		"url":           {Type: graphql.String},
		"mediaType":     {Type: nn(graphql.String)},
		"contentBase64": {Type: nn(graphql.String), Description: "Base64 content (screenshot, HTML snapshot, PDF); at most 10 MiB decoded"},
	}})
	t.analysisInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "AnalysisInput", Fields: graphql.InputObjectConfigFieldMap{
		"findings":   {Type: nn(graphql.String)},
		"verdict":    {Type: t.verdict},
		"legalBasis": {Type: graphql.String},
	}})
	t.takedownInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "TakedownInput", Fields: graphql.InputObjectConfigFieldMap{
		"platform":   {Type: nn(t.platform)},
		"targetUrl":  {Type: nn(graphql.String)},
		"reason":     {Type: nn(graphql.String)},
		"legalBasis": {Type: graphql.String},
	}})
	t.takedownResponseInput = graphql.NewInputObject(graphql.InputObjectConfig{Name: "TakedownResponseInput", Fields: graphql.InputObjectConfigFieldMap{
		"takedownId":        {Type: nn(graphql.ID)},
		"outcome":           {Type: nn(t.takedownOutcome)},
		"platformReference": {Type: graphql.String},
		"note":              {Type: graphql.String},
	}})
	r.leaderFields(t) // schema/missed.go
	r.countFields(t)  // schema/count.go
	r.letterFields(t) // schema/letters.go
	r.recipientFields(t)
	r.caseFileFields(t)
	r.takedownChannelFields(t)
	r.taskFields(t)   // schema/tasks.go
	r.reportFields(t) // schema/report.go
	r.adminFields(t)  // schema/admin_graph.go
	r.publicFields(t) // schema/public.go
	return t
}

// enums returns every enum of the graph.
func (t *types) enums() []*graphql.Enum {
	return []*graphql.Enum{t.kind, t.status, t.severity, t.platform, t.takedownStatus, t.takedownOutcome,
		t.escalationStatus, t.verdict, t.deadlineKind, t.deadlineState, t.role, t.accountCheck, t.taskState,
		t.takedownChannel, t.routing.role}
}

// viewer is the source of Viewer.
type viewer struct {
	subject string
	roles   []RoleGrant
}

// integrity is the source of IntegrityReport.
type integrity struct {
	eventstore.VerifyReport
	caseID string
}

// caseEdge is the source of CaseEdge: a case of a page and its cursor.
type caseEdge struct {
	cursor string
	c      *incident.Case
}

// edges returns the edges of page p.
func edges(p *readmodel.Page) []*caseEdge {
	out := make([]*caseEdge, len(p.Cases))
	for i := range p.Cases {
		out[i] = &caseEdge{cursor: p.Cursors[i], c: &p.Cases[i]}
	}
	return out
}

// reportPayload is the source of ReportIncidentPayload.
type reportPayload struct {
	c      *incident.Case
	merged bool
}

// countBy is one row of CountByStatus / CountByKind.
type countBy[K comparable] struct {
	key   K
	count int
}

// counts lists every key in order with its count (zero when absent).
func counts[K comparable](keys []K, m map[K]int) []*countBy[K] {
	out := make([]*countBy[K], len(keys))
	for i, k := range keys {
		out[i] = &countBy[K]{key: k, count: m[k]}
	}
	return out
}

func optEnum[T ~string](v T) any {
	if v == "" {
		return nil
	}
	return v
}

func optFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// nilPtr turns a typed nil pointer into an untyped nil.
func nilPtr[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}

// nilIfNone turns a (nil *incident.Unit, err) into an untyped nil.
func nilIfNone(u *incident.Unit, err error) (any, error) {
	if err != nil || u == nil {
		return nil, err
	}
	return u, nil
}
