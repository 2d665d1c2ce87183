package schema

import (
	"context"
	"errors"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Worklists is what Query.worklist reads: cases in the order of their
// nearest pending deadline (readmodel.Reader.Worklist). The Cases of Deps
// serve it when they implement it, as readmodel.Reader does.
type Worklists interface {
	// Worklist returns a page of the cases matching f within visible,
	// nearest pending deadline first (cases without one last), starting
	// after the opaque cursor after ("" for the first page).
	Worklist(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error)
}

// WorklistCounts is Worklists counting only what the query asks for, as
// CaseCounts does for Query.cases (readmodel.Reader.WorklistWith, which
// ignores ListOptions.Heads).
// Optional, and used only when the Cases are CaseCounts too.
type WorklistCounts interface {
	WorklistWith(ctx context.Context, f readmodel.Filter, visible []string, first int, after string, opt readmodel.ListOptions) (readmodel.Page, error)
}

// errNoWorklist: the wiring's Cases cannot list by deadline.
var errNoWorklist = errors.New("worklist: the Cases of Deps do not implement Worklists")

// worklistField is Query.worklist (issue 14, the case desk's "Việc cần
// làm"): cases(filter:) in the order a desk works them, nearest pending
// deadline first, open cases only unless filter.status says otherwise.
// Registered in query.go; its size is in ListSizes.
func (r *resolver) worklistField() *graphql.Field {
	return &graphql.Field{
		Type: nn(r.t.caseConnection),
		Description: "The caller's worklist: cases matching filter (open statuses when filter.status is absent), " +
			"the nearest PENDING deadline first, cases without one last. Cursors are of this list only. " +
			"The order follows deadlines, which change: a case whose next deadline moves between two pages may appear on both or neither.",
		Args: graphql.FieldConfigArgument{
			"filter": {Type: r.t.caseFilter},
			"first":  {Type: graphql.Int, DefaultValue: 50},
			"after":  {Type: graphql.String},
		},
		Resolve: r.guard("worklist", r.worklist),
	}
}

func (r *resolver) worklist(p graphql.ResolveParams) (any, error) {
	var list listFunc
	if w, ok := r.projected.(Worklists); ok {
		list = w.Worklist
	}
	var with listWithFunc
	if w, ok := r.projected.(WorklistCounts); ok {
		with = w.WorklistWith
	}
	return r.orderedList(p, func(f *readmodel.Filter) {
		if len(f.Status) == 0 {
			for _, s := range incident.Statuses {
				if s.Open() {
					f.Status = append(f.Status, s)
				}
			}
		}
	}, list, with, errNoWorklist)
}

// listFunc lists a page of the cases matching f within visible, in an
// order of its own.
type listFunc func(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error)

// listWithFunc is a listFunc that counts what opt says.
type listWithFunc func(ctx context.Context, f readmodel.Filter, visible []string, first int, after string, opt readmodel.ListOptions) (readmodel.Page, error)

// orderedList resolves a list of cases in an order of its own (worklist,
// watchlist): the arguments of cases; adjust, when not nil, completes the
// filter; then list (missing when list is nil) over the caller's visible
// units. When with is not nil and the Cases are CaseCounts, it lists with
// with instead, counting only what the query asks (countedList).
func (r *resolver) orderedList(p graphql.ResolveParams, adjust func(*readmodel.Filter), list listFunc, with listWithFunc, missing error) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	first, _ := argInt(p.Args, "first")
	if first < 1 || first > MaxFirst {
		return nil, badInput("first", "must be between 1 and %d, got %d", MaxFirst, first)
	}
	after := argString(p.Args, "after")
	if len(after) > maxCursor {
		return nil, badInput("after", "is not a cursor of this API")
	}
	f, err := caseFilter(argObject(p.Args, "filter"))
	if err != nil {
		return nil, err
	}
	if adjust != nil {
		adjust(&f)
	}
	if list == nil {
		return nil, missing
	}
	visible := r.auth.VisibleUnits(sub, incident.ActionReadCase)
	if len(visible) == 0 {
		return &readmodel.Page{}, nil
	}
	if c, ok := r.projected.(CaseCounts); ok && with != nil {
		return r.countedList(p, c, with, f, visible, first, after)
	}
	page, err := list(p.Context, f, visible, first, after)
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// deadlineStartedAtField is Deadline.startedAt: when the deadline's span
// began, so a client can tell how much of it is left (the desk colours a
// deadline with under 20 % left).
func deadlineStartedAtField() *graphql.Field {
	return field(nn(DateTime), "When the deadline's span began (the report, the triage, the takedown request, ...)",
		src(func(d *incident.Deadline) any { return d.StartedAt }))
}
