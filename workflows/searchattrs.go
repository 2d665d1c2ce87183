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

// searchAttrs remembers what was last upserted, so only changes are sent.
type searchAttrs struct {
	last []string
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
