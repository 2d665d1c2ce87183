package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// The Keyword search attributes every case workflow upserts, so Temporal's own
// visibility (the Web UI, `temporal workflow list --query`) can list cases.
// They must be registered on the namespace before a case workflow runs
// (worker.CaseSearchAttributes; `temporal operator search-attribute create`).
var (
	// SearchCaseStatus is the case's lifecycle status.
	SearchCaseStatus = temporal.NewSearchAttributeKeyKeyword("CaseStatus")
	// SearchCaseKind is the incident kind.
	SearchCaseKind = temporal.NewSearchAttributeKeyKeyword("CaseKind")
	// SearchCaseUnit is the id of the unit the case belongs to.
	SearchCaseUnit = temporal.NewSearchAttributeKeyKeyword("CaseUnit")
	// SearchCaseSeverity is the severity set at triage (unset before).
	SearchCaseSeverity = temporal.NewSearchAttributeKeyKeyword("CaseSeverity")
	// SearchCaseAssignee is the handler assigned to the case (unset before triage).
	SearchCaseAssignee = temporal.NewSearchAttributeKeyKeyword("CaseAssignee")
)

// SearchAttributeKeys lists every search attribute of case workflows.
var SearchAttributeKeys = []temporal.SearchAttributeKeyKeyword{
	SearchCaseStatus, SearchCaseKind, SearchCaseUnit, SearchCaseSeverity, SearchCaseAssignee,
}

// searchValues returns the search attribute values of c, in the order of
// SearchAttributeKeys ("" means unset).
func searchValues(c *incident.Case) []string {
	return []string{string(c.Status), string(c.Kind), c.Unit, string(c.Severity), c.Assignee}
}

// ReportedAttributes are the search attributes of the case r opens as
// soon as it is reported: Report starts the workflow with them, so the
// record Temporal's visibility makes of the start already holds them and
// the workflow need not upsert them (one visibility write less per report).
func ReportedAttributes(r incident.Report) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		SearchCaseStatus.ValueSet(string(incident.StatusReported)),
		SearchCaseKind.ValueSet(string(r.Kind)),
		SearchCaseUnit.ValueSet(r.Unit))
}

// searchAttrs remembers what was last upserted, so only changes are sent.
type searchAttrs struct {
	last []string
}

// started takes the attributes a first run was started with (Report sets
// ReportedAttributes) as upserted, so sync sends only what the case
// changes. A run started without them (before ReportedAttributes, or by
// another starter) keeps last empty and upserts every attribute once, as
// its history says it did; so does a continued run, which the caller does
// not ask (its first sync re-asserts them all, as it always has).
func (s *searchAttrs) started(ctx workflow.Context) {
	sa := workflow.GetTypedSearchAttributes(ctx)
	if _, ok := sa.GetKeyword(SearchCaseStatus); !ok {
		return
	}
	s.last = make([]string, len(SearchAttributeKeys))
	for i, key := range SearchAttributeKeys {
		s.last[i], _ = sa.GetKeyword(key)
	}
}

// clear unsets the attributes the run was started with, for a workflow
// that ends with no case (its report never came or was rejected): the
// visibility must not list it as a reported case. Nothing is sent when it
// was started without them.
func (s *searchAttrs) clear(ctx workflow.Context) {
	var updates []temporal.SearchAttributeUpdate
	for i, key := range SearchAttributeKeys {
		if s.last != nil && s.last[i] != "" {
			updates = append(updates, key.ValueUnset())
		}
	}
	s.last = nil
	if len(updates) == 0 {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("unset search attributes", "error", err)
	}
}

// sync upserts the attributes of c that changed since the last call. A
// failure is logged: visibility must never hold a case back.
func (s *searchAttrs) sync(ctx workflow.Context, c *incident.Case) {
	if c.Version == 0 {
		return
	}
	values := searchValues(c)
	var updates []temporal.SearchAttributeUpdate
	for i, key := range SearchAttributeKeys {
		prev := ""
		if s.last != nil {
			prev = s.last[i]
		}
		switch v := values[i]; {
		case s.last != nil && v == prev:
		case v == "":
			if s.last != nil {
				updates = append(updates, key.ValueUnset())
			}
		default:
			updates = append(updates, key.ValueSet(v))
		}
	}
	s.last = values
	if len(updates) == 0 {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "error", err)
	}
}
