package readmodel

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/eventstore"
	"casetrail/incident"
)

// PeriodicReport computes the periodic report (báo cáo định kỳ, issue 16)
// of unit's subtree for period p: a row per direct sub-unit of unit (by
// the registry's parent links, by name), a row of the cases filed on unit
// itself when it has any, and the totals, by the rules of
// incident.PeriodicReport. The units are named as they were at the
// period's end (the admin stream's history, incident.UnitHistory); the
// rows follow the registry's parent links as they are now.
//
// The figures "at the period's end" are exact: the cases that had an event
// from the period's start on are folded again from their own streams up to
// its end (incident.PeriodFold, the one fold), so a status, takedown or
// deadline is counted as it stood then, not as it stands now; the others
// had no event since before the period, and their projected row is their
// state at its end. Only Missed is taken now, as stats.missed is. An
// unknown unit is NOT_FOUND, an invalid period BAD_USER_INPUT.
func (r *Reader) PeriodicReport(ctx context.Context, unit string, p incident.ReportPeriod) (incident.PeriodicReport, error) {
	if err := p.Validate(); err != nil {
		return incident.PeriodicReport{}, err
	}
	rows, err := r.pool.Query(ctx, `SELECT id, name, coalesce(parent, '') FROM units`)
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: units: %w", err)
	}
	units, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (incident.Unit, error) {
		var u incident.Unit
		err := row.Scan(&u.ID, &u.Name, &u.Parent)
		return u, err
	})
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: units: %w", err)
	}
	tree := incident.NewUnitTree(units)
	root, ok := tree.Unit(unit)
	if !ok {
		return incident.PeriodicReport{}, incident.Errorf(incident.CodeNotFound, "unit %s not found", unit)
	}

	from, to := p.Bounds()
	made := r.now()
	asOf := asOfTime(to, made)
	// Units are named as they were at the period's end (issue 17 §5): a
	// unit renamed since keeps the name it had then.
	hist, err := r.UnitHistory(ctx)
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}
	nameAt := func(u incident.Unit) string {
		if name, ok := hist.NameAt(u.ID, asOf); ok {
			return name
		}
		return u.Name // not known then (created later, or without events): as now
	}
	rep := incident.PeriodicReport{Unit: incident.ReportUnit{ID: root.ID, Name: nameAt(root)}, Period: p, AsOf: asOf, MadeAt: made}

	// Each unit of the subtree counts in the row of the direct sub-unit
	// above it ("" for unit itself).
	subtree := tree.Subtree(unit)
	rowOf := make(map[string]string, len(subtree))
	for _, u := range subtree {
		rowOf[u] = ""
		if u == unit {
			continue
		}
		chain := append([]string{u}, tree.Ancestors(u)...)
		if i := slices.Index(chain, unit); i > 0 {
			rowOf[u] = chain[i-1]
		}
	}
	tallies := map[string]*incident.ReportTally{"": {}}
	var children []incident.Unit
	for _, u := range subtree {
		if c, ok := tree.Unit(u); ok && c.Parent == unit && u != unit {
			c.Name = nameAt(c)
			children = append(children, c)
			tallies[u] = &incident.ReportTally{}
		}
	}
	slices.SortFunc(children, func(a, b incident.Unit) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })

	// Cases without an event since the period began: counted in SQL.
	dormant, err := r.pool.Query(ctx, `SELECT unit, count(*) FILTER (WHERE status = ANY($4::text[])),
			count(*) FILTER (WHERE next_due_at < $2)
		FROM cases WHERE unit = ANY($1::text[]) AND reported_at < $2 AND updated_at < $3 GROUP BY unit`,
		customPlan, subtree, asOf, from, openStatuses())
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}
	type counts struct {
		unit          string
		open, overdue int
	}
	dormantCounts, err := pgx.CollectRows(dormant, func(row pgx.CollectableRow) (counts, error) {
		var c counts
		err := row.Scan(&c.unit, &c.open, &c.overdue)
		return c, err
	})
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}
	for _, c := range dormantCounts {
		tallies[rowOf[c.unit]].AddDormant(c.open, c.overdue)
	}

	// The others: folded again up to the period's end.
	active, err := r.pool.Query(ctx, `SELECT id, unit, missed_at IS NOT NULL
		FROM cases WHERE unit = ANY($1::text[]) AND reported_at < $2 AND updated_at >= $3 ORDER BY id`,
		customPlan, subtree, asOf, from)
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}
	type activeCase struct {
		unit   string
		missed bool
	}
	cases := map[string]activeCase{}
	var streams []string
	for active.Next() {
		var id string
		var c activeCase
		if err := active.Scan(&id, &c.unit, &c.missed); err != nil {
			active.Close()
			return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
		}
		cases[id] = c
		streams = append(streams, incident.StreamOf(id))
	}
	active.Close()
	if err := active.Err(); err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}
	err = r.log.ReadStreamsBefore(ctx, streams, asOf, func(stream string, recs []eventstore.RecordedEvent) error {
		id, _ := incident.CaseIDOf(stream)
		c, ok := cases[id]
		if !ok {
			return nil
		}
		f := &incident.PeriodFold{From: from, To: to, AsOf: asOf}
		for _, rec := range recs {
			e, err := ToDomain(rec)
			if err != nil {
				return err
			}
			if err := f.Apply(e); err != nil {
				return fmt.Errorf("case %s v%d: %w", id, rec.Version, err)
			}
		}
		tallies[rowOf[c.unit]].AddFolded(f, c.missed)
		return nil
	})
	if err != nil {
		return incident.PeriodicReport{}, fmt.Errorf("periodic report: %w", err)
	}

	var total incident.ReportTally
	for _, c := range children {
		t := tallies[c.ID]
		rep.Rows = append(rep.Rows, t.Row(incident.ReportUnit{ID: c.ID, Name: c.Name}, false))
		total.Merge(t)
	}
	if own := tallies[""]; !own.Empty() {
		rep.Rows = append(rep.Rows, own.Row(rep.Unit, true))
		total.Merge(own)
	}
	rep.Totals = total.Row(rep.Unit, false)
	if rep.Rows == nil {
		rep.Rows = []incident.ReportRow{}
	}
	return rep, nil
}

// asOfTime is the instant the figures "at the period's end" are taken at
// for a period ending at to, read at now.
func asOfTime(to, now time.Time) time.Time {
	if now.Before(to) {
		return now
	}
	return to
}
