package readmodel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/incident"
)

// The leaders' reads (issue 15): the cases with a missed deadline whose
// step has not happened yet (column missed_at, incident.Case.MissedAt,
// migration 006), the escalation status filter of the approval inbox
// (column escalation_status), the watch list, and the breakdowns of the
// overview (received per week by kind, takedown outcomes per platform,
// the sub-units). Each breakdown takes a StatsQuery, the arguments of
// Stats, so that its figures are those of Stats for the same unit, period
// and caller.

// escalationStatuses are the contract's escalation statuses.
var escalationStatuses = []incident.EscalationStatus{incident.EscPendingApproval, incident.EscApproved,
	incident.EscSent, incident.EscAcknowledged, incident.EscResolved, incident.EscDeclined}

// takedownStatuses are the contract's takedown statuses, in their order.
var takedownStatuses = []incident.TakedownStatus{incident.TakedownSent, incident.TakedownAcknowledged,
	incident.TakedownRemoved, incident.TakedownRejected, incident.TakedownExpired, incident.TakedownWithdrawn}

// missedFilter adds the conditions of Filter.MissedDeadline and
// Filter.EscalationStatus.
func missedFilter(w *where, f Filter) error {
	var esc []string
	for _, s := range f.EscalationStatus {
		if !slices.Contains(escalationStatuses, s) {
			return incident.BadInput("filter.escalationStatus", "unknown escalation status %q", s)
		}
		esc = append(esc, string(s))
	}
	if f.MissedDeadline != nil {
		if *f.MissedDeadline {
			w.add("c.missed_at IS NOT NULL")
		} else {
			w.add("c.missed_at IS NULL")
		}
	}
	if len(esc) > 0 {
		w.add("c.escalation_status = ANY(%s::text[])", esc)
	}
	return nil
}

// missedCursor is the sort key of a case in the watch list's order.
type missedCursor struct {
	O  string `json:"o"`
	At int64  `json:"m"` // missed_at in microseconds
	ID string `json:"i"`
}

const missedOrder = "missed"

func encodeMissedCursor(id string, at time.Time) string {
	return encodeKey(missedCursor{O: missedOrder, At: at.UnixMicro(), ID: id})
}

func (c *missedCursor) key() (string, string) { return c.O, c.ID }

// Watchlist returns the first cases after the cursor after ("" = from the
// start) that match f, are visible and have a deadline missed whose step
// has not happened yet (f.MissedDeadline is implied true), the one missed
// longest ago first (missed_at ascending, ties by id; index
// cases_missed_order). A case whose step happens, or whose earliest
// outstanding miss changes, between two pages may show on both or on
// neither; a page itself is consistent. first must be 0..MaxPageSize.
func (r *Reader) Watchlist(ctx context.Context, f Filter, visible []string, first int, after string) (Page, error) {
	return r.WatchlistWith(ctx, f, visible, first, after, ListOptions{})
}

// WatchlistWith is Watchlist counting what opt says, as ListCasesWith does
// (opt.Heads is ignored: the watch list reads whole cases).
func (r *Reader) WatchlistWith(ctx context.Context, f Filter, visible []string, first int, after string, opt ListOptions) (Page, error) {
	var cur *missedCursor
	if after != "" {
		cur = &missedCursor{}
		if err := decodeKey(after, missedOrder, cur); err != nil {
			return Page{}, err
		}
	}
	missed := true
	f.MissedDeadline = &missed
	return r.orderedPage(ctx, "watchlist", f, visible, first, opt, orderedList{
		key: "c.missed_at",
		seek: func(w *where) {
			if cur != nil {
				w.add("(c.missed_at, c.id) > (%s, %s)", time.UnixMicro(cur.At), cur.ID)
			}
		},
		order: "c.missed_at ASC, c.id ASC",
		cursor: func(id string, at *time.Time) string {
			var t time.Time
			if at != nil {
				t = *at
			}
			return encodeMissedCursor(id, t)
		},
	})
}

// StatsQuery is what a statistic is asked of: unit's subtree ("" = all
// that is visible) within visible (nil: no restriction; empty: nothing),
// over the window [From, To) (nil ends are open). Each breakdown windows
// its items by the time Stats windows the same items by.
type StatsQuery struct {
	Unit     string
	Visible  []string
	From, To *time.Time
}

// window adds [q.From, q.To) on col.
func (q StatsQuery) window(w *where, col string) {
	if q.From != nil {
		w.add(col+" >= %s", *q.From)
	}
	if q.To != nil {
		w.add(col+" < %s", *q.To)
	}
}

// VietnamZone is the time zone weeks begin in (Monday 00:00).
const VietnamZone = "Asia/Ho_Chi_Minh"

// WeekCount counts the cases of one kind reported in one week.
type WeekCount struct {
	// Week is the Monday 00:00 (VietnamZone) the week begins.
	Week  time.Time
	Kind  incident.Kind
	Count int
}

// ReportedByWeek counts the cases of q reported in each week, by kind, as
// Stats counts Total and ByKind (cases reported in the window; a week cut
// by the window counts its part within). Weeks and kinds without a case
// are left out; the rest are in week order, then the kinds' order.
// Summed over weeks they are Stats' ByKind.
func (r *Reader) ReportedByWeek(ctx context.Context, q StatsQuery) ([]WeekCount, error) {
	sc, err := r.scope(ctx, q.Visible, q.Unit)
	if err != nil || sc.empty() {
		return nil, err
	}
	counts, err := r.caseCounts(ctx, sc, q, keyWeek, keyKind)
	if err != nil {
		return nil, fmt.Errorf("reported by week: %w", err)
	}
	out := make([]WeekCount, 0, len(counts))
	for _, c := range counts {
		if c.n != 0 {
			out = append(out, WeekCount{Week: c.week, Kind: incident.Kind(c.kind), Count: c.n})
		}
	}
	slices.SortFunc(out, func(a, b WeekCount) int {
		return cmp.Or(a.Week.Compare(b.Week), cmp.Compare(slices.Index(incident.Kinds, a.Kind), slices.Index(incident.Kinds, b.Kind)))
	})
	return out, nil
}

// TakedownCount counts the takedown requests to one platform that are in
// one status.
type TakedownCount struct {
	Platform incident.Platform
	Status   incident.TakedownStatus
	Count    int
}

// TakedownOutcomes counts the takedown requests made in q's window
// (requested_at) on the cases of q's units, by platform and current
// status. Pairs without a request are left out; the rest are in the
// contract's order of platforms, then of statuses.
func (r *Reader) TakedownOutcomes(ctx context.Context, q StatsQuery) ([]TakedownCount, error) {
	sc, err := r.scope(ctx, q.Visible, q.Unit)
	if err != nil || sc.empty() {
		return nil, err
	}
	out, err := r.takedownCounts(ctx, sc, q)
	if err != nil {
		return nil, fmt.Errorf("takedown outcomes: %w", err)
	}
	order := func(list []string, v string) int {
		if i := slices.Index(list, v); i >= 0 {
			return i
		}
		return len(list)
	}
	platforms, statuses := names(incident.Platforms), names(takedownStatuses)
	slices.SortFunc(out, func(a, b TakedownCount) int {
		return cmp.Or(cmp.Compare(order(platforms, string(a.Platform)), order(platforms, string(b.Platform))),
			cmp.Compare(a.Platform, b.Platform),
			cmp.Compare(order(statuses, string(a.Status)), order(statuses, string(b.Status))),
			cmp.Compare(a.Status, b.Status))
	})
	return out, nil
}

func names[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// UnitStats are the figures of one sub-unit's subtree: each equals the
// same figure of Stats asked for that unit, period and caller.
type UnitStats struct {
	Unit    string
	Total   int
	Open    int
	Overdue int
	Missed  int
	// DeadlineMetRatio is nil when no deadline was settled.
	DeadlineMetRatio *float64
}

// SubUnitStats returns the figures of each direct sub-unit of q.Unit (by
// the registry's parent links; none when q.Unit is "") over its subtree:
// those q.Visible shows whole or in part, by name. A sub-unit shown in part
// (the caller sees some of its units) counts what the caller sees, as
// Stats does.
func (r *Reader) SubUnitStats(ctx context.Context, q StatsQuery) ([]UnitStats, error) {
	if q.Unit == "" || (q.Visible != nil && len(q.Visible) == 0) {
		return nil, nil
	}
	type unitRow struct{ id, name, parent string }
	rows, err := r.pool.Query(ctx, `SELECT id, name, coalesce(parent, '') FROM units`)
	if err != nil {
		return nil, fmt.Errorf("sub-unit stats: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (unitRow, error) {
		var u unitRow
		err := row.Scan(&u.id, &u.name, &u.parent)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("sub-unit stats: %w", err)
	}
	parent := map[string]string{}
	for _, u := range all {
		parent[u.id] = u.parent
	}
	// top returns the child of q.Unit whose subtree holds unit ("" when
	// none: q.Unit itself, or a unit outside its subtree).
	top := func(unit string) string {
		for u, n := unit, 0; u != "" && n <= len(all); u, n = parent[u], n+1 {
			if parent[u] == q.Unit {
				return u
			}
		}
		return ""
	}
	within := func(unit, root string) bool {
		for u, n := unit, 0; u != "" && n <= len(all); u, n = parent[u], n+1 {
			if u == root {
				return true
			}
		}
		return false
	}
	var children []unitRow
	for _, u := range all {
		if u.parent != q.Unit || u.id == q.Unit {
			continue
		}
		shown := q.Visible == nil
		for _, v := range q.Visible {
			if within(u.id, v) || within(v, u.id) {
				shown = true
				break
			}
		}
		if shown {
			children = append(children, u)
		}
	}
	if len(children) == 0 {
		return nil, nil
	}
	slices.SortFunc(children, func(a, b unitRow) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.id, b.id)) })
	out := make([]UnitStats, len(children))
	index := map[string]int{}
	for i, c := range children {
		out[i].Unit = c.id
		index[c.id] = i
	}

	sc, err := r.scope(ctx, q.Visible, q.Unit)
	if err != nil {
		return nil, err
	}
	var units, tops []string
	for _, u := range sc.units {
		if t := top(u); t != "" {
			if _, ok := index[t]; ok {
				units, tops = append(units, u), append(tops, t)
			}
		}
	}
	if len(units) == 0 {
		return out, nil
	}
	// The counts, the overdue and the ratio by unit (rollup.go), added up
	// by the sub-unit each unit is in.
	topOf := make(map[string]string, len(units))
	for i, u := range units {
		topOf[u] = tops[i]
	}
	in := scope{units: units}
	errs := make([]error, 3)
	var counts []caseCount
	var overdue map[string]int
	var settled map[string][2]int
	var wg sync.WaitGroup
	wg.Go(func() { counts, errs[0] = r.caseCounts(ctx, in, q, keyUnit, keyStatus) })
	wg.Go(func() { overdue, errs[1] = r.overdueCounts(ctx, in, q, r.now()) })
	wg.Go(func() { settled, errs[2] = r.settledCounts(ctx, in, q) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("sub-unit stats: %w", err)
	}
	for _, c := range counts {
		s := &out[index[topOf[c.unit]]]
		s.Total += c.n
		if incident.Status(c.status).Open() {
			s.Open += c.n
		}
		s.Missed += c.missed
	}
	for u, n := range overdue {
		out[index[topOf[u]]].Overdue += n
	}
	ratios := make([][2]int, len(out))
	for u, c := range settled {
		i := index[topOf[u]]
		ratios[i][0] += c[0]
		ratios[i][1] += c[1]
	}
	for i := range out {
		out[i].DeadlineMetRatio = ratioOf(ratios[i][0], ratios[i][1])
	}
	return out, nil
}
