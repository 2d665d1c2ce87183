package readmodel

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"casetrail/incident"
)

// Counts up to a limit (issue 19).
//
// A list's total is exact (Page.Total, the contract's totalCount). For a
// broad text filter that count is most of what the list costs: PostgreSQL
// reads the table row of every match a GIN bitmap scan finds (about 3,500
// pages for the broadest filter of the benchmark data set), since no index
// answers count(*) alone. A page that shows "1.000+ vụ việc" needs only to
// know whether more than 1,000 match: the count up to a limit stops
// reading at limit + 1 rows (about 500 pages for the same filter). It uses
// the conditions of the exact count (Reader.filter through listQuery), so
// below the limit the two agree.

// MaxCountLimit bounds the limit of a count up to a limit.
const MaxCountLimit = 10000

// CountUpTo is a count of matches up to a limit.
type CountUpTo struct {
	// Limit is the limit counted up to.
	Limit int
	// N is the number of matches, at most Limit.
	N int
	// More is true when more than Limit cases match (N is then Limit).
	More bool
}

// capped returns the count up to limit of n matches.
func capped(n, limit int) *CountUpTo {
	return &CountUpTo{Limit: limit, N: min(n, limit), More: n > limit}
}

// ListOptions says what ListCasesWith reads beside a page.
type ListOptions struct {
	// Heads reads the head of each case (ListCaseHeads) instead of the
	// whole case.
	Heads bool
	// NoTotal skips the exact count: Page.Total stays 0.
	NoTotal bool
	// UpTo, when above 0, also counts the matches up to UpTo (Page.UpTo),
	// 1..MaxCountLimit. With the exact count it is taken from Page.Total;
	// without, it is a query of its own beside the page.
	UpTo int
}

func (o ListOptions) check() error {
	if o.UpTo < 0 || o.UpTo > MaxCountLimit {
		return incident.BadInput("limit", "must be between 1 and %d", MaxCountLimit)
	}
	return nil
}

// none is the count up to o.UpTo of no match (nil when not asked).
func (o ListOptions) none() *CountUpTo {
	if o.UpTo == 0 {
		return nil
	}
	return capped(0, o.UpTo)
}

// ListCasesWith is ListCases, or ListCaseHeads with opt.Heads, counting
// what opt says: the exact total unless opt.NoTotal, and the count up to
// opt.UpTo when set.
func (r *Reader) ListCasesWith(ctx context.Context, f Filter, visible []string, first int, after string, opt ListOptions) (Page, error) {
	return r.list(ctx, f, visible, first, after, opt)
}

// CountCasesUpTo counts the visible cases matching f (the cases ListCases
// would list, and Page.Total count) up to limit (1..MaxCountLimit): n is at
// most limit, and more is true when more than limit match.
func (r *Reader) CountCasesUpTo(ctx context.Context, f Filter, visible []string, limit int) (n int, more bool, err error) {
	if limit < 1 || limit > MaxCountLimit {
		return 0, false, incident.BadInput("limit", "must be between 1 and %d", MaxCountLimit)
	}
	if err := r.checkList(f, 0, ""); err != nil {
		return 0, false, err
	}
	sc, err := r.scope(ctx, visible, f.Unit)
	if err != nil {
		return 0, false, err
	}
	if sc.empty() {
		return 0, false, nil
	}
	q, err := r.listQuery(f, sc, 0, "")
	if err != nil {
		return 0, false, err
	}
	c, err := r.countUpTo(ctx, q, limit)
	if err != nil {
		return 0, false, fmt.Errorf("count cases: %w", err)
	}
	return c.N, c.More, nil
}

// countUpTo counts the matches of q up to limit: limit + 1 rows at most
// are read, the last only to tell whether more match.
func (r *Reader) countUpTo(ctx context.Context, q listQuery, limit int) (*CountUpTo, error) {
	args := append(slices.Clone(q.countArgs), limit+1)
	sql := `SELECT count(*) FROM (SELECT 1 FROM cases c WHERE ` + q.cond + ` LIMIT $` + strconv.Itoa(len(args)) + `) s`
	var n int
	if err := r.pool.QueryRow(ctx, sql, withMode(args)...).Scan(&n); err != nil {
		return nil, err
	}
	return capped(n, limit), nil
}

// countBeside starts the counts opt asks for of the list q into page, each
// on a connection of its own, and returns the wait for them.
func (r *Reader) countBeside(ctx context.Context, q listQuery, opt ListOptions, page *Page) (wait func() error) {
	var wg sync.WaitGroup
	var exactErr, cappedErr error
	if !opt.NoTotal {
		wg.Go(func() {
			exactErr = r.pool.QueryRow(ctx, q.countSQL(), withMode(q.countArgs)...).Scan(&page.Total)
		})
	} else if opt.UpTo > 0 {
		wg.Go(func() { page.UpTo, cappedErr = r.countUpTo(ctx, q, opt.UpTo) })
	}
	return func() error {
		wg.Wait()
		if exactErr != nil {
			return exactErr
		}
		if !opt.NoTotal && opt.UpTo > 0 {
			page.UpTo = capped(page.Total, opt.UpTo)
		}
		return cappedErr
	}
}
