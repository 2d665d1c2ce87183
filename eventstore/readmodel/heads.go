package readmodel

import (
	"context"
	"fmt"
	"time"

	"casetrail/incident"
)

// Heads: a list that shows a few fields of each case.
//
// A list page (ListCases) reads each case's whole document and decodes it:
// about 2 KB of JSON per case — subjects, evidence, takedowns, deadlines —
// for a worklist that shows a number, a title, a status and a unit. On
// 100,000 cases that decoding (and the garbage it leaves) was most of what
// the GraphQL layer added to a list of 50 (issue 19). ListCaseHeads
// answers the same page with only the head of each case (HeadOf), read out
// of the document by PostgreSQL for the page's rows alone; the GraphQL
// layer asks for it when the query selects nothing else of the cases
// (schema/list_heads.go).

// HeadOf returns the head of c: the fields a ListCaseHeads page fills, the
// rest left zero. The list of fields is here and in headsSQL, nowhere else.
func HeadOf(c *incident.Case) incident.Case {
	return incident.Case{
		ID: c.ID, Number: c.Number, Kind: c.Kind, Status: c.Status, Severity: c.Severity,
		Title: c.Title, Unit: c.Unit, ReportedBy: c.ReportedBy, ReportedAt: c.ReportedAt,
		Assignee: c.Assignee, UpdatedAt: c.UpdatedAt, Version: c.Version,
	}
}

// headsSelect turns the page query (its rows: cases c) into the heads of
// its rows, in the same order. The fields come from the stored document,
// as a decoded case has them (json_to_record reads the keys of
// incident.Case's JSON; times stay text and are parsed as encoding/json
// parses them). json_to_record runs on the outer query, after the page's
// LIMIT: for the 51 rows of a page, never for every match the sort sees.
func headsSelect(page string) string {
	return `SELECT h.id, h.number, h.kind, h.status, h.severity, h.title, h.unit, h."reportedBy",
		h."reportedAt", h.assignee, h."updatedAt", h.version
	FROM (` + page + `) c
	CROSS JOIN LATERAL json_to_record(c.doc) AS h(id text, number text, kind text, status text,
		severity text, title text, unit text, "reportedBy" text, "reportedAt" text, assignee text,
		"updatedAt" text, version bigint)
	ORDER BY c.reported_at DESC, c.id DESC`
}

// ListCaseHeads is ListCases with the head of each case (HeadOf) instead
// of the whole case: the same cases, cursors, total and next page.
func (r *Reader) ListCaseHeads(ctx context.Context, f Filter, visible []string, first int, after string) (Page, error) {
	return r.list(ctx, f, visible, first, after, ListOptions{Heads: true})
}

func (r *Reader) queryHeads(ctx context.Context, sql string, args []any) ([]incident.Case, error) {
	rows, err := r.pool.Query(ctx, sql, withMode(args)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Case
	for rows.Next() {
		var c incident.Case
		var severity, assignee *string
		var reportedAt, updatedAt string
		if err := rows.Scan(&c.ID, &c.Number, &c.Kind, &c.Status, &severity, &c.Title, &c.Unit, &c.ReportedBy,
			&reportedAt, &assignee, &updatedAt, &c.Version); err != nil {
			return nil, err
		}
		if severity != nil {
			c.Severity = incident.Severity(*severity)
		}
		if assignee != nil {
			c.Assignee = *assignee
		}
		if c.ReportedAt, err = parseDocTime(reportedAt); err != nil {
			return nil, fmt.Errorf("stored document of %s: reportedAt: %w", c.ID, err)
		}
		if c.UpdatedAt, err = parseDocTime(updatedAt); err != nil {
			return nil, fmt.Errorf("stored document of %s: updatedAt: %w", c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// parseDocTime parses a time of a stored document as encoding/json does
// (time.Time.UnmarshalJSON: RFC 3339).
func parseDocTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
