package schema

import (
	"context"
	"fmt"
	"strconv"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"casetrail/eventstore/readmodel"
)

// CaseConnection.countUpTo (issue 19, additive): the matching cases counted
// up to a limit. totalCount is exact by contract, and for a broad text
// filter counting every match costs more than the page; a list that shows
// "1.000+ vụ việc" asks for countUpTo instead, and a cases query that does
// not select totalCount does not count every match at all.

const (
	// DefaultCountLimit is countUpTo's default limit.
	DefaultCountLimit = 1000
	// MaxCountLimit is the largest limit of countUpTo.
	MaxCountLimit = readmodel.MaxCountLimit
)

// CaseCounts lists cases counting only what the query asks for
// (readmodel.Reader.ListCasesWith: the exact total only when totalCount is
// selected, the count up to a limit beside the page when countUpTo is) and
// counts up to a limit (readmodel.Reader.CountCasesUpTo). Optional: the
// Cases of Deps may implement it; without it every list counts its exact
// total and countUpTo is taken from it.
type CaseCounts interface {
	ListCasesWith(ctx context.Context, f readmodel.Filter, visible []string, first int, after string, opt readmodel.ListOptions) (readmodel.Page, error)
	CountCasesUpTo(ctx context.Context, f readmodel.Filter, visible []string, limit int) (n int, more bool, err error)
}

// listAnswer is what a list read without its exact total remembers, for
// a countUpTo with another limit than the one counted beside it.
type listAnswer struct {
	counts  CaseCounts
	f       readmodel.Filter
	visible []string
}

// countFields adds CaseCount and CaseConnection.countUpTo; called from
// buildTypes (types.go).
func (r *resolver) countFields(t *types) {
	caseCount := graphql.NewObject(graphql.ObjectConfig{Name: "CaseCount", Fields: graphql.Fields{
		"count": field(nn(graphql.Int), "matching cases counted up to the limit", src(func(c *readmodel.CountUpTo) any { return c.N })),
		"more":  field(nn(graphql.Boolean), "true when more than count match", src(func(c *readmodel.CountUpTo) any { return c.More })),
	}})
	t.caseConnection.AddFieldConfig("countUpTo", &graphql.Field{
		Type: nn(caseCount),
		Description: "The matching cases counted up to limit (1.." + strconv.Itoa(MaxCountLimit) + "): what a list shows as \"1.000+\". " +
			"Cheaper than totalCount for broad filters, which counts every match.",
		Args: graphql.FieldConfigArgument{
			"limit": {Type: graphql.Int, DefaultValue: DefaultCountLimit},
		},
		Resolve: r.guard("CaseConnection.countUpTo", r.countUpTo),
	})
}

// countedList is a list of cases (Query.cases with c.ListCasesWith, the
// worklist and the watch list with theirs: orderedList) on Cases that count
// what they are asked: the exact total when the query selects totalCount
// (or when it cannot tell), and the count up to the limit of its countUpTo
// beside the page; c counts again for a countUpTo of another limit.
func (r *resolver) countedList(p graphql.ResolveParams, c CaseCounts, list listWithFunc, f readmodel.Filter, visible []string, first int, after string) (any, error) {
	opt := readmodel.ListOptions{
		Heads:   headsOnly(p.Info), // schema/list_heads.go
		NoTotal: !selectsTotal(p.Info),
		UpTo:    countLimitOf(p.Info),
	}
	page, err := list(p.Context, f, visible, first, after, opt)
	if err != nil {
		return nil, err
	}
	if opt.NoTotal {
		r.state(p.Context).lists.Store(&page, listAnswer{counts: c, f: f, visible: visible})
	}
	return &page, nil
}

// countUpTo is CaseConnection.countUpTo: the count read beside the page
// when its limit is this one; else taken from the exact total when the list
// counted it (always, on Cases that are not CaseCounts); else counted now.
// Query.cases, worklist and watchlist count this way (countedList,
// orderedList).
func (r *resolver) countUpTo(p graphql.ResolveParams) (any, error) {
	limit, _ := argInt(p.Args, "limit")
	if limit < 1 || limit > MaxCountLimit {
		return nil, badInput("limit", "must be between 1 and %d, got %d", MaxCountLimit, limit)
	}
	page, ok := p.Source.(*readmodel.Page)
	if !ok || page == nil {
		return nil, fmt.Errorf("schema: source is %T, want *readmodel.Page", p.Source)
	}
	if page.UpTo != nil && page.UpTo.Limit == limit {
		return page.UpTo, nil
	}
	v, ok := r.state(p.Context).lists.Load(page)
	if !ok {
		return &readmodel.CountUpTo{Limit: limit, N: min(page.Total, limit), More: page.Total > limit}, nil
	}
	a := v.(listAnswer)
	n, more, err := a.counts.CountCasesUpTo(p.Context, a.f, a.visible, limit)
	if err != nil {
		return nil, err
	}
	return &readmodel.CountUpTo{Limit: limit, N: n, More: more}, nil
}

// selectsTotal reports whether the list field being resolved selects
// totalCount (through fragments too); true when it cannot tell.
func selectsTotal(info graphql.ResolveInfo) bool {
	found := false
	for _, conn := range info.FieldASTs {
		if !eachField(info, conn.SelectionSet, 0, func(f *ast.Field) bool {
			found = found || f.Name.Value == "totalCount"
			return true
		}) {
			return true
		}
	}
	return found
}

// countLimitOf returns the limit of the countUpTo fields the list field
// being resolved selects (through fragments too), for the count read beside
// the page: 0 when there is none, when they differ, or when one cannot be
// read before the field resolves (that countUpTo counts when resolved).
func countLimitOf(info graphql.ResolveInfo) int {
	limit := 0
	ok := true
	for _, conn := range info.FieldASTs {
		eachField(info, conn.SelectionSet, 0, func(f *ast.Field) bool {
			if f.Name.Value != "countUpTo" {
				return true
			}
			n, known := countLimitArg(info, f)
			if !known || n < 1 || n > MaxCountLimit || (limit != 0 && n != limit) {
				ok = false
				return false
			}
			limit = n
			return true
		})
	}
	if !ok {
		return 0
	}
	return limit
}

// countLimitArg reads the limit argument of countUpTo field f: a literal, a
// variable's value, or the default when absent.
func countLimitArg(info graphql.ResolveInfo, f *ast.Field) (int, bool) {
	for _, a := range f.Arguments {
		if a == nil || a.Name == nil || a.Name.Value != "limit" {
			continue
		}
		switch v := a.Value.(type) {
		case *ast.IntValue:
			n, err := strconv.Atoi(v.Value)
			return n, err == nil
		case *ast.Variable:
			if v.Name == nil {
				return 0, false
			}
			n, ok := info.VariableValues[v.Name.Value].(int)
			return n, ok
		}
		return 0, false
	}
	return DefaultCountLimit, true
}
