package readmodel

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/incident"
)

// The counts behind stats and its breakdowns (migration 009): the whole
// Vietnam days of a window are read from the daily rollups stats_case_days,
// stats_deadline_days and stats_takedown_days, the parts of a day at the
// window's edges from cases, deadlines and takedowns themselves. The sum
// is what counting the tables over the whole window gives: a rollup row
// holds exactly the rows of its day (the triggers keep it), a day is in
// the rollup part only when the window covers it whole, and the edges are
// the rest of the window.

// dayWindow is a window [from, to) (nil ends open) split into whole days
// [dayFrom, dayTo) ("2006-01-02" in Vietnam; nil open; days false when
// there is none) and edge spans read from the tables.
type dayWindow struct {
	days           bool
	dayFrom, dayTo *string
	edges          [][2]*time.Time
}

// midnight is 00:00 in Vietnam of t's day there.
func midnight(t time.Time) time.Time {
	v := t.In(incident.VietnamTime)
	return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, incident.VietnamTime)
}

func splitWindow(from, to *time.Time) dayWindow {
	var lo, hi *time.Time
	if from != nil {
		d := midnight(*from)
		if d.Before(*from) {
			d = d.AddDate(0, 0, 1)
		}
		lo = &d
	}
	if to != nil {
		d := midnight(*to)
		hi = &d
	}
	if lo != nil && hi != nil && !lo.Before(*hi) {
		return dayWindow{edges: [][2]*time.Time{{from, to}}}
	}
	w := dayWindow{days: true}
	if lo != nil {
		s := lo.Format("2006-01-02")
		w.dayFrom = &s
		if lo.After(*from) {
			w.edges = append(w.edges, [2]*time.Time{from, lo})
		}
	}
	if hi != nil {
		s := hi.Format("2006-01-02")
		w.dayTo = &s
		if hi.Before(*to) {
			w.edges = append(w.edges, [2]*time.Time{hi, to})
		}
	}
	return w
}

// dayConds adds the rollup part's condition on col (a date column).
func (d dayWindow) dayConds(w *where, col string) {
	if d.dayFrom != nil {
		w.add(col+" >= %s::date", *d.dayFrom)
	}
	if d.dayTo != nil {
		w.add(col+" < %s::date", *d.dayTo)
	}
}

// edgeConds adds the edges' condition on col (a timestamptz column).
func (d dayWindow) edgeConds(w *where, col string) {
	var ors []string
	for _, e := range d.edges {
		var and []string
		if e[0] != nil {
			and = append(and, col+" >= "+w.arg(*e[0]))
		}
		if e[1] != nil {
			and = append(and, col+" < "+w.arg(*e[1]))
		}
		if len(and) == 0 {
			and = []string{"TRUE"}
		}
		ors = append(ors, "("+strings.Join(and, " AND ")+")")
	}
	w.conds = append(w.conds, "("+strings.Join(ors, " OR ")+")")
}

// caseKey is a grouping of caseCounts: its expression on the rollup (s)
// and on cases (c).
type caseKey struct{ rollup, table string }

var (
	keyUnit   = caseKey{"s.unit", "c.unit"}
	keyStatus = caseKey{"s.status", "c.status"}
	keyKind   = caseKey{"s.kind", "c.kind"}
	// keyWeek is the Monday 00:00 in Vietnam of the week reported.
	keyWeek = caseKey{"(date_trunc('week', s.day::timestamp) AT TIME ZONE '" + VietnamZone + "')",
		"date_trunc('week', c.reported_at, '" + VietnamZone + "')"}
)

// caseCount is one group of caseCounts: the keys asked for (the others
// zero), the cases reported and those of them with missed_at set.
type caseCount struct {
	unit, status, kind string
	week               time.Time
	n, missed          int
}

// caseCounts counts the cases of sc reported in q's window, grouped by
// keys (a subset of keyUnit, keyStatus, keyKind, keyWeek, in any order).
func (r *Reader) caseCounts(ctx context.Context, sc scope, q StatsQuery, keys ...caseKey) ([]caseCount, error) {
	d := splitWindow(q.From, q.To)
	w := &where{}
	var parts []string
	cols := func(pick func(caseKey) string) string {
		var out []string
		for i, k := range keys {
			out = append(out, fmt.Sprintf("%s AS k%d", pick(k), i))
		}
		return strings.Join(append(out, ""), ", ")
	}
	if d.days {
		rw := &where{args: w.args}
		rw.restrict("s.unit", sc)
		d.dayConds(rw, "s.day")
		w.args = rw.args
		parts = append(parts, `SELECT `+cols(func(k caseKey) string { return k.rollup })+`s.n::bigint AS n, s.missed::bigint AS m
			FROM stats_case_days s WHERE `+rw.sql())
	}
	if len(d.edges) > 0 {
		ew := &where{args: w.args}
		ew.restrict("c.unit", sc)
		d.edgeConds(ew, "c.reported_at")
		w.args = ew.args
		parts = append(parts, `SELECT `+cols(func(k caseKey) string { return k.table })+`1::bigint, (c.missed_at IS NOT NULL)::int::bigint
			FROM cases c WHERE `+ew.sql())
	}
	var group []string
	for i := range keys {
		group = append(group, fmt.Sprintf("k%d", i))
	}
	sel := strings.Join(append(append([]string{}, group...), "sum(n)::bigint", "sum(m)::bigint"), ", ")
	sql := `SELECT ` + sel + ` FROM (` + strings.Join(parts, " UNION ALL ") + `) x`
	if len(group) > 0 {
		sql += ` GROUP BY ` + strings.Join(group, ", ")
	}
	sql += ` HAVING sum(n) <> 0 OR sum(m) <> 0`
	rows, err := r.pool.Query(ctx, sql, withMode(w.args)...)
	if err != nil {
		return nil, fmt.Errorf("case counts: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (caseCount, error) {
		var c caseCount
		var n, m *int64
		dest := make([]any, 0, len(keys)+2)
		for _, k := range keys {
			switch k {
			case keyUnit:
				dest = append(dest, &c.unit)
			case keyStatus:
				dest = append(dest, &c.status)
			case keyKind:
				dest = append(dest, &c.kind)
			case keyWeek:
				dest = append(dest, &c.week)
			}
		}
		if err := row.Scan(append(dest, &n, &m)...); err != nil {
			return c, err
		}
		if n != nil {
			c.n = int(*n)
		}
		if m != nil {
			c.missed = int(*m)
		}
		return c, nil
	})
}

// overdueCounts counts, by unit, the cases of sc reported in q's window
// with a pending deadline due at now or before (next_due_at <= now: the
// few cases past due, through index cases_due_unit).
func (r *Reader) overdueCounts(ctx context.Context, sc scope, q StatsQuery, now time.Time) (map[string]int, error) {
	w := &where{}
	w.add("c.next_due_at <= %s", now)
	w.restrict("c.unit", sc)
	q.window(w, "c.reported_at")
	rows, err := r.pool.Query(ctx, `SELECT c.unit, count(*) FROM cases c WHERE `+w.sql()+` GROUP BY c.unit`, withMode(w.args)...)
	if err != nil {
		return nil, fmt.Errorf("overdue counts: %w", err)
	}
	out := map[string]int{}
	var unit string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&unit, &n}, func() error {
		out[unit] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("overdue counts: %w", err)
	}
	return out, nil
}

// settledCounts counts, by unit, the deadlines of sc's cases settled MET or
// MISSED in q's window: met, and met and missed together.
func (r *Reader) settledCounts(ctx context.Context, sc scope, q StatsQuery) (map[string][2]int, error) {
	d := splitWindow(q.From, q.To)
	w := &where{}
	var parts []string
	if d.days {
		rw := &where{args: w.args}
		rw.restrict("s.unit", sc)
		d.dayConds(rw, "s.day")
		w.args = rw.args
		parts = append(parts, `SELECT s.unit, s.met::bigint AS met, (s.met + s.missed)::bigint AS n FROM stats_deadline_days s WHERE `+rw.sql())
	}
	if len(d.edges) > 0 {
		ew := &where{args: w.args}
		ew.restrict("d.unit", sc)
		ew.conds = append(ew.conds, "d.state IN ('MET', 'MISSED')")
		d.edgeConds(ew, "d.settled_at")
		w.args = ew.args
		parts = append(parts, `SELECT d.unit, (d.state = 'MET')::int::bigint, 1::bigint FROM deadlines d WHERE `+ew.sql())
	}
	rows, err := r.pool.Query(ctx, `SELECT unit, sum(met)::bigint, sum(n)::bigint FROM (`+strings.Join(parts, " UNION ALL ")+`) x GROUP BY unit`,
		withMode(w.args)...)
	if err != nil {
		return nil, fmt.Errorf("settled deadlines: %w", err)
	}
	out := map[string][2]int{}
	var unit string
	var met, n int
	_, err = pgx.ForEachRow(rows, []any{&unit, &met, &n}, func() error {
		out[unit] = [2]int{met, n}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settled deadlines: %w", err)
	}
	return out, nil
}

// ratioOf is met / all of counts, nil when all is 0.
func ratioOf(met, all int) *float64 {
	if all == 0 {
		return nil
	}
	r := float64(met) / float64(all)
	return &r
}

// takedownCounts counts the takedown requests made in q's window on the
// cases of sc, by platform and current status.
func (r *Reader) takedownCounts(ctx context.Context, sc scope, q StatsQuery) ([]TakedownCount, error) {
	d := splitWindow(q.From, q.To)
	w := &where{}
	var parts []string
	if d.days {
		rw := &where{args: w.args}
		rw.restrict("s.unit", sc)
		d.dayConds(rw, "s.day")
		w.args = rw.args
		parts = append(parts, `SELECT s.platform, s.status, s.n::bigint AS n FROM stats_takedown_days s WHERE `+rw.sql())
	}
	if len(d.edges) > 0 {
		ew := &where{args: w.args}
		ew.restrict("c.unit", sc)
		d.edgeConds(ew, "t.requested_at")
		w.args = ew.args
		parts = append(parts, `SELECT t.platform, t.status, 1::bigint FROM takedowns t JOIN cases c ON c.id = t.case_id WHERE `+ew.sql())
	}
	rows, err := r.pool.Query(ctx, `SELECT platform, status, sum(n)::bigint FROM (`+strings.Join(parts, " UNION ALL ")+`) x
		GROUP BY platform, status HAVING sum(n) <> 0`, withMode(w.args)...)
	if err != nil {
		return nil, fmt.Errorf("takedown counts: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (TakedownCount, error) {
		var c TakedownCount
		err := row.Scan(&c.Platform, &c.Status, &c.Count)
		return c, err
	})
}
