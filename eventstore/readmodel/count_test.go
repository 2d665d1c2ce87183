package readmodel

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
	"casetrail/incident"
)

// countFilters are filters of the known data set with 0 to 7 matches.
var countFilters = []struct {
	name    string
	f       Filter
	visible []string
}{
	{"none", Filter{}, nil},
	{"status", Filter{Status: []incident.Status{incident.StatusReported}}, nil},
	{"text", Filter{Text: "gia mao"}, nil},
	{"status and text", Filter{Status: []incident.Status{incident.StatusAction, incident.StatusResolved}, Text: "gia mao"}, nil},
	{"unit", Filter{Unit: "lai-chau"}, nil},
	{"visible", Filter{}, []string{"lai-chau/tan-uyen"}},
	{"visible and text", Filter{Text: "gia mao"}, []string{"lai-chau/tan-uyen"}},
	{"number prefix", Filter{Text: "VV-2026-00000"}, nil},
	{"no match", Filter{Text: "khong co gi"}, nil},
	{"nothing visible", Filter{}, []string{}},
	{"visible and unit apart", Filter{Unit: "lai-chau"}, []string{"dien-bien"}},
}

// TestCountCasesUpTo: below the limit the count is the exact total and
// more is false; above it the count is the limit and more is true, for
// every filter and every limit from 1 to past the data set.
func TestCountCasesUpTo(t *testing.T) {
	e := newEnv(t)
	buildKnown(t, e)
	ctx := context.Background()
	sawMore, sawExact := false, false
	for _, tc := range countFilters {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.reader.ListCases(ctx, tc.f, tc.visible, 0, "")
			if err != nil {
				t.Fatal(err)
			}
			for limit := 1; limit <= 9; limit++ {
				n, more, err := e.reader.CountCasesUpTo(ctx, tc.f, tc.visible, limit)
				if err != nil {
					t.Fatal(err)
				}
				if wantN, wantMore := min(p.Total, limit), p.Total > limit; n != wantN || more != wantMore {
					t.Fatalf("limit %d: %d, more %v; the exact total is %d, so want %d, more %v", limit, n, more, p.Total, wantN, wantMore)
				}
				sawMore = sawMore || more
				sawExact = sawExact || (!more && n > 0)
			}
		})
	}
	if !sawMore || !sawExact {
		t.Fatalf("the filters never crossed a limit (more seen: %v, exact seen: %v)", sawMore, sawExact)
	}
	for _, limit := range []int{0, -1, MaxCountLimit + 1} {
		if _, _, err := e.reader.CountCasesUpTo(ctx, Filter{}, nil, limit); incident.ErrorCode(err) != incident.CodeBadUserInput {
			t.Errorf("limit %d: %v, want BAD_USER_INPUT", limit, err)
		}
	}
	if _, _, err := e.reader.CountCasesUpTo(ctx, Filter{Status: []incident.Status{"NOPE"}}, nil, 10); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("a bad filter: %v, want BAD_USER_INPUT", err)
	}
	if n, more, err := e.reader.CountCasesUpTo(ctx, Filter{}, nil, MaxCountLimit); err != nil || n != 7 || more {
		t.Errorf("the largest limit: %d, %v, %v; want 7, false", n, more, err)
	}
}

// sqlLog is a pgx tracer that keeps the SQL of every query.
type sqlLog struct {
	mu  sync.Mutex
	sql []string
}

func (l *sqlLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, d.SQL)
	return ctx
}

func (l *sqlLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// take returns the queries logged since the last take.
func (l *sqlLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sql
	l.sql = nil
	return out
}

// TestListCasesWith: the page is ListCases's (or ListCaseHeads's) whatever
// is counted; NoTotal runs no exact count (the queries sent say so), UpTo
// counts up to the limit, from the exact total when that is counted too.
func TestListCasesWith(t *testing.T) {
	url := pgtest.NewDatabase(t)
	e := openEnv(t, url)
	k := buildKnown(t, e)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	log := &sqlLog{}
	cfg.ConnConfig.Tracer = log
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	traced := NewReader(pool)
	traced.Now = e.reader.Now

	exact := func(sql string) bool { return strings.HasPrefix(sql, "SELECT count(*) FROM cases c WHERE") }
	upTo := func(sql string) bool {
		return strings.HasPrefix(sql, "SELECT count(*) FROM (SELECT 1 FROM cases c WHERE")
	}
	count := func(sqls []string, is func(string) bool) int {
		n := 0
		for _, s := range sqls {
			if is(s) {
				n++
			}
		}
		return n
	}
	f := Filter{Text: "gia mao"} // A and G
	want, err := e.reader.ListCases(ctx, f, nil, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		opt           ListOptions
		exact, capped int // queries of each count
		total         int
		upTo          *CountUpTo
	}{
		{"default", ListOptions{}, 1, 0, 2, nil},
		{"heads", ListOptions{Heads: true}, 1, 0, 2, nil},
		{"no total", ListOptions{NoTotal: true}, 0, 0, 0, nil},
		{"no total, heads", ListOptions{NoTotal: true, Heads: true}, 0, 0, 0, nil},
		{"up to, below", ListOptions{NoTotal: true, UpTo: 5}, 0, 1, 0, &CountUpTo{Limit: 5, N: 2}},
		{"up to, above", ListOptions{NoTotal: true, UpTo: 1, Heads: true}, 0, 1, 0, &CountUpTo{Limit: 1, N: 1, More: true}},
		{"up to, from the exact total", ListOptions{UpTo: 1}, 1, 0, 2, &CountUpTo{Limit: 1, N: 1, More: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.take()
			p, err := traced.ListCasesWith(ctx, f, nil, 1, "", tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			sqls := log.take()
			if n := count(sqls, exact); n != tc.exact {
				t.Errorf("%d exact counts, want %d: %q", n, tc.exact, sqls)
			}
			if n := count(sqls, upTo); n != tc.capped {
				t.Errorf("%d counts up to a limit, want %d: %q", n, tc.capped, sqls)
			}
			if p.Total != tc.total {
				t.Errorf("total %d, want %d", p.Total, tc.total)
			}
			if (p.UpTo == nil) != (tc.upTo == nil) || (p.UpTo != nil && *p.UpTo != *tc.upTo) {
				t.Errorf("up to %+v, want %+v", p.UpTo, tc.upTo)
			}
			if k.letters(p) != k.letters(want) || p.HasNext != want.HasNext || p.EndCursor != want.EndCursor {
				t.Errorf("page %s (next %v, %s), want %s (next %v, %s)", k.letters(p), p.HasNext, p.EndCursor,
					k.letters(want), want.HasNext, want.EndCursor)
			}
		})
	}
	p, err := traced.ListCasesWith(ctx, f, []string{}, 1, "", ListOptions{NoTotal: true, UpTo: 3})
	if err != nil || p.UpTo == nil || *p.UpTo != (CountUpTo{Limit: 3}) {
		t.Errorf("nothing visible: %+v, %v; want a count of 0 up to 3", p.UpTo, err)
	}
	if _, err := traced.ListCasesWith(ctx, f, nil, 1, "", ListOptions{UpTo: MaxCountLimit + 1}); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("a limit too large: %v, want BAD_USER_INPUT", err)
	}
}
