package schema

import (
	"context"
	"errors"
	"fmt"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The leaders' additions (issue 15), all additive:
//
//   - CaseFilter.missedDeadline: the cases with a deadline that was missed
//     and whose step has not happened yet (incident.Case.MissedDeadlines:
//     MISSED, the case open, no later deadline of the same kind and ref,
//     the step not done since). CaseFilter.overdue keeps its meaning.
//   - CaseFilter.escalationStatus: the cases whose escalation is in one of
//     the statuses (the approval inbox asks for PENDING_APPROVAL).
//   - Case.missedAt and Case.missedDeadlines: that rule on one case.
//   - Query.watchlist: the cases with a missed deadline, missed longest
//     ago first (readmodel.Reader.Watchlist).
//   - CaseStats.missed, reportedByWeek, takedownsByPlatform, subUnits: the
//     overview's figures, each for the unit, period and caller of the
//     stats it is asked of (readmodel.StatsQuery).

// Watchlists is what Query.watchlist reads (readmodel.Reader.Watchlist);
// the Cases of Deps serve it when they implement it.
type Watchlists interface {
	// Watchlist returns a page of the cases matching f within visible
	// that have a deadline missed whose step has not happened yet, the one
	// missed longest ago first, after the opaque cursor after.
	Watchlist(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error)
}

// WatchlistCounts is Watchlists counting only what the query asks for, as
// CaseCounts does for Query.cases (readmodel.Reader.WatchlistWith).
// Optional, and used only when the Cases are CaseCounts too.
type WatchlistCounts interface {
	WatchlistWith(ctx context.Context, f readmodel.Filter, visible []string, first int, after string, opt readmodel.ListOptions) (readmodel.Page, error)
}

// StatsBreakdowns are the overview's breakdowns of CaseStats
// (readmodel.Reader); the Cases of Deps serve them when they implement
// them. Each is read only when asked for.
type StatsBreakdowns interface {
	ReportedByWeek(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.WeekCount, error)
	TakedownOutcomes(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.TakedownCount, error)
	SubUnitStats(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.UnitStats, error)
}

var (
	errNoWatchlist  = errors.New("watchlist: the Cases of Deps do not implement Watchlists")
	errNoBreakdowns = errors.New("stats: the Cases of Deps do not implement StatsBreakdowns")
)

// missedRule is the rule's words, shared by the descriptions.
const missedRule = "a deadline that was MISSED and whose step has not happened yet: the case is open, no later deadline of the " +
	"same kind (and takedown) restarted the wait, and the step it waited for (triage, analysis recorded, the platform's " +
	"response, the approval, the higher authority's answer, the resolution) was not done since"

// leaderFields adds the fields of this file to the graph's types; called
// at the end of buildTypes (types.go).
func (r *resolver) leaderFields(t *types) {
	t.caseFilter.AddFieldConfig("missedDeadline", &graphql.InputObjectFieldConfig{Type: graphql.Boolean,
		Description: "Only cases (true) or no cases (false) with " + missedRule + ". Unlike overdue, this stays true after the miss is recorded."})
	t.caseFilter.AddFieldConfig("escalationStatus", &graphql.InputObjectFieldConfig{Type: graphql.NewList(nn(t.escalationStatus)),
		Description: "Only cases whose escalation is in one of these statuses"})

	t.caseT.AddFieldConfig("missedAt", field(DateTime, "When the earliest of missedDeadlines was missed; null when there is none",
		src(func(c *incident.Case) any { return optTime(c.MissedAt()) })))
	t.caseT.AddFieldConfig("missedDeadlines", field(listOf(t.deadline), "The case's deadlines counted by stats.missed and filter.missedDeadline: "+missedRule,
		src(func(c *incident.Case) any { return ptrs(c.MissedDeadlines()) })))

	weekCount := graphql.NewObject(graphql.ObjectConfig{Name: "WeekCount", Fields: graphql.Fields{
		"weekStart": field(nn(DateTime), "Monday 00:00 in Asia/Ho_Chi_Minh", src(func(w *readmodel.WeekCount) any { return w.Week })),
		"kind":      field(nn(t.kind), "", src(func(w *readmodel.WeekCount) any { return w.Kind })),
		"count":     field(nn(graphql.Int), "", src(func(w *readmodel.WeekCount) any { return w.Count })),
	}})
	takedownCount := graphql.NewObject(graphql.ObjectConfig{Name: "TakedownCount", Fields: graphql.Fields{
		"platform": field(nn(t.platform), "", src(func(c *readmodel.TakedownCount) any { return c.Platform })),
		"status":   field(nn(t.takedownStatus), "", src(func(c *readmodel.TakedownCount) any { return c.Status })),
		"count":    field(nn(graphql.Int), "", src(func(c *readmodel.TakedownCount) any { return c.Count })),
	}})
	subUnit := graphql.NewObject(graphql.ObjectConfig{Name: "SubUnitStats", Fields: graphql.Fields{
		"unit": field(nn(t.unit), "", r.guard("SubUnitStats.unit", func(p graphql.ResolveParams) (any, error) {
			return r.state(p.Context).unitOrStub(p.Context, p.Source.(*readmodel.UnitStats).Unit)
		})),
		"total":   field(nn(graphql.Int), "", src(func(s *readmodel.UnitStats) any { return s.Total })),
		"open":    field(nn(graphql.Int), "", src(func(s *readmodel.UnitStats) any { return s.Open })),
		"overdue": field(nn(graphql.Int), "", src(func(s *readmodel.UnitStats) any { return s.Overdue })),
		"missed":  field(nn(graphql.Int), "", src(func(s *readmodel.UnitStats) any { return s.Missed })),
		"deadlineMetRatio": field(graphql.Float, "", src(func(s *readmodel.UnitStats) any {
			return optFloat(s.DeadlineMetRatio)
		})),
	}})
	t.caseStats.AddFieldConfig("missed", field(nn(graphql.Int),
		"Cases reported in the window that have now "+missedRule+" (what leaders call overdue; see filter.missedDeadline)",
		src(func(s *readmodel.Stats) any { return s.Missed })))
	t.caseStats.AddFieldConfig("reportedByWeek", field(listOf(weekCount),
		"Cases reported in the window by week (Monday 00:00 Asia/Ho_Chi_Minh; a week cut by the window counts its part) and kind; "+
			"weeks and kinds without a case are left out. Summed, they are byKind.",
		r.guard("CaseStats.reportedByWeek", func(p graphql.ResolveParams) (any, error) {
			return breakdown(r, p, StatsBreakdowns.ReportedByWeek)
		})))
	t.caseStats.AddFieldConfig("takedownsByPlatform", field(listOf(takedownCount),
		"Takedown requests made in the window on the cases of the unit, by platform and current status; pairs without a request are left out",
		r.guard("CaseStats.takedownsByPlatform", func(p graphql.ResolveParams) (any, error) {
			return breakdown(r, p, StatsBreakdowns.TakedownOutcomes)
		})))
	t.caseStats.AddFieldConfig("subUnits", field(listOf(subUnit),
		"Each direct sub-unit of stats(unit:) that the caller sees, by name, with the figures stats(unit: that sub-unit) gives for the same window; empty without unit",
		r.guard("CaseStats.subUnits", func(p graphql.ResolveParams) (any, error) {
			return breakdown(r, p, StatsBreakdowns.SubUnitStats)
		})))
}

// leaderFilter reads the filter fields of this file into f.
func leaderFilter(m map[string]any, f *readmodel.Filter) {
	if b, ok := m["missedDeadline"].(bool); ok {
		f.MissedDeadline = &b
	}
	f.EscalationStatus = argList[incident.EscalationStatus](m, "escalationStatus")
}

// statsAnswer is what a stats read remembers for its breakdowns: the
// query it answered and the breakdowns already started beside it.
type statsAnswer struct {
	q   readmodel.StatsQuery
	pre map[string]*breakdownRun
}

// rememberStats keeps the query st answered, for the breakdowns asked of
// it in the same request, with those prefetchBreakdowns started.
func (r *resolver) rememberStats(ctx context.Context, st *readmodel.Stats, q readmodel.StatsQuery, pre map[string]*breakdownRun) {
	r.state(ctx).stats.Store(st, statsAnswer{q: q, pre: pre})
}

// breakdownRun is one breakdown being read in a goroutine.
type breakdownRun struct {
	done chan struct{}
	v    any
	err  error
}

func startBreakdown(read func() (any, error)) *breakdownRun {
	run := &breakdownRun{done: make(chan struct{})}
	go func() {
		defer close(run.done)
		defer func() {
			if v := recover(); v != nil {
				run.err = fmt.Errorf("stats breakdown: panic: %v", v)
			}
		}()
		run.v, run.err = read()
	}()
	return run
}

// breakdownReads are the breakdown fields of CaseStats and their reads.
var breakdownReads = map[string]func(StatsBreakdowns, context.Context, readmodel.StatsQuery) (any, error){
	"reportedByWeek": func(b StatsBreakdowns, ctx context.Context, q readmodel.StatsQuery) (any, error) {
		l, err := b.ReportedByWeek(ctx, q)
		return ptrs(l), err
	},
	"takedownsByPlatform": func(b StatsBreakdowns, ctx context.Context, q readmodel.StatsQuery) (any, error) {
		l, err := b.TakedownOutcomes(ctx, q)
		return ptrs(l), err
	},
	"subUnits": func(b StatsBreakdowns, ctx context.Context, q readmodel.StatsQuery) (any, error) {
		l, err := b.SubUnitStats(ctx, q)
		return ptrs(l), err
	},
}

// prefetchBreakdowns starts, beside the stats read p resolves, the
// breakdowns its selection names (fields written in it; those inside
// fragments start when resolved), so that the overview's reads run at
// once rather than one after the other.
func (r *resolver) prefetchBreakdowns(p graphql.ResolveParams, q readmodel.StatsQuery) map[string]*breakdownRun {
	b, ok := r.projected.(StatsBreakdowns)
	if !ok {
		return nil
	}
	out := map[string]*breakdownRun{}
	for _, fa := range p.Info.FieldASTs {
		if fa == nil || fa.SelectionSet == nil {
			continue
		}
		for _, sel := range fa.SelectionSet.Selections {
			f, ok := sel.(*ast.Field)
			if !ok || f.Name == nil {
				continue
			}
			read, ok := breakdownReads[f.Name.Value]
			if !ok || out[f.Name.Value] != nil {
				continue
			}
			out[f.Name.Value] = startBreakdown(func() (any, error) { return read(b, p.Context, q) })
		}
	}
	return out
}

// breakdown reads one breakdown of the stats p.Source answered: nothing
// when that answer was "nothing visible". It answers a thunk: graphql-go
// waits for the read after starting the others, so the breakdowns of one
// stats run at once (those prefetchBreakdowns started are only awaited).
func breakdown[T any](r *resolver, p graphql.ResolveParams, read func(StatsBreakdowns, context.Context, readmodel.StatsQuery) ([]T, error)) (any, error) {
	st, _ := p.Source.(*readmodel.Stats)
	v, ok := r.state(p.Context).stats.Load(st)
	if !ok {
		return []*T{}, nil
	}
	ans := v.(statsAnswer)
	run := ans.pre[p.Info.FieldName]
	if run == nil {
		b, ok := r.projected.(StatsBreakdowns)
		if !ok {
			return nil, errNoBreakdowns
		}
		run = startBreakdown(func() (any, error) {
			l, err := read(b, p.Context, ans.q)
			return ptrs(l), err
		})
	}
	return func() (any, error) {
		<-run.done
		if run.err != nil {
			return nil, r.convert(p.Context, "CaseStats."+p.Info.FieldName, run.err)
		}
		return run.v, nil
	}, nil
}

// watchlistField is Query.watchlist, the leaders' "Theo dõi".
func (r *resolver) watchlistField() *graphql.Field {
	return &graphql.Field{
		Type: nn(r.t.caseConnection),
		Description: "Cases matching filter that have " + missedRule + ", the one missed longest ago first (Case.missedAt, then id). " +
			"Cursors are of this list only; filter.missedDeadline is implied true.",
		Args: graphql.FieldConfigArgument{
			"filter": {Type: r.t.caseFilter},
			"first":  {Type: graphql.Int, DefaultValue: 50},
			"after":  {Type: graphql.String},
		},
		Resolve: r.guard("watchlist", r.watchlist),
	}
}

func (r *resolver) watchlist(p graphql.ResolveParams) (any, error) {
	var list listFunc
	if w, ok := r.projected.(Watchlists); ok {
		list = w.Watchlist
	}
	var with listWithFunc
	if w, ok := r.projected.(WatchlistCounts); ok {
		with = w.WatchlistWith
	}
	// The watch list is the cases with a missed deadline; a countUpTo
	// counted again (another limit than the one beside the page) counts
	// under the same filter.
	missed := true
	return r.orderedList(p, func(f *readmodel.Filter) { f.MissedDeadline = &missed }, list, with, errNoWatchlist)
}
