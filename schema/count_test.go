package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"casetrail/eventstore/readmodel"
)

// countsWorld is the fake world with CaseCounts: it records what each
// list was asked to count and every count up to a limit. A list read
// without its exact total answers a total of -1, so that a totalCount
// wrongly read from it shows.
type countsWorld struct {
	*world
	mu     sync.Mutex
	opts   []readmodel.ListOptions
	limits []int
}

func (c *countsWorld) ListCasesWith(ctx context.Context, f readmodel.Filter, visible []string, first int, after string, opt readmodel.ListOptions) (readmodel.Page, error) {
	c.mu.Lock()
	c.opts = append(c.opts, opt)
	c.mu.Unlock()
	p, err := c.world.ListCases(ctx, f, visible, first, after)
	if opt.UpTo > 0 {
		p.UpTo = &readmodel.CountUpTo{Limit: opt.UpTo, N: min(p.Total, opt.UpTo), More: p.Total > opt.UpTo}
	}
	if opt.NoTotal {
		p.Total = -1
	}
	return p, err
}

func (c *countsWorld) CountCasesUpTo(ctx context.Context, f readmodel.Filter, visible []string, limit int) (int, bool, error) {
	c.mu.Lock()
	c.limits = append(c.limits, limit)
	c.mu.Unlock()
	p, err := c.world.ListCases(ctx, f, visible, 0, "")
	return min(p.Total, limit), p.Total > limit, err
}

// take returns what was recorded since the last take.
func (c *countsWorld) take() ([]readmodel.ListOptions, []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, l := c.opts, c.limits
	c.opts, c.limits = nil, nil
	return o, l
}

// TestCountUpTo runs lists on two schemas over the same three cases: one
// whose Cases count what they are asked (CaseCounts), one without (every
// list counts its exact total). Both must answer the same; with CaseCounts
// the exact total is counted only when totalCount is selected, and the
// count up to a limit is read beside the page when its limit is known
// before the list resolves, else when countUpTo resolves.
func TestCountUpTo(t *testing.T) {
	_, e := newTestSchema(t)
	for i := range 3 {
		e.seed(t, "reporter1", unitCommune, fmt.Sprintf("n-%d", i), fmt.Sprintf("https://facebook.com/count-%d", i))
	}
	cw := &countsWorld{world: e.w}
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Cases: cw, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	counting := &env{s: s, w: e.w, auth: e.auth, log: e.log}

	type want struct {
		noTotal bool
		upTo    int   // the limit counted beside the page
		later   []int // limits counted when countUpTo resolved
	}
	for _, tc := range []struct {
		name   string
		query  string
		vars   map[string]any
		answer string // of cases, with CaseCounts and without
		want   want
	}{
		{"default limit", `{ cases { countUpTo { count more } } }`, nil,
			`{"countUpTo":{"count":3,"more":false}}`, want{noTotal: true, upTo: 1000}},
		{"above the limit", `{ cases(first: 1) { countUpTo(limit: 2) { count more } edges { node { id } } } }`, nil,
			"", want{noTotal: true, upTo: 2}},
		{"at the limit", `{ cases { countUpTo(limit: 3) { count more } } }`, nil,
			`{"countUpTo":{"count":3,"more":false}}`, want{noTotal: true, upTo: 3}},
		{"with the total", `{ cases { totalCount countUpTo(limit: 2) { count more } } }`, nil,
			`{"countUpTo":{"count":2,"more":true},"totalCount":3}`, want{upTo: 2}},
		{"a variable", `query($l: Int) { cases { countUpTo(limit: $l) { count more } } }`, map[string]any{"l": 1},
			`{"countUpTo":{"count":1,"more":true}}`, want{noTotal: true, upTo: 1}},
		{"in a fragment", `{ cases { ...C } } fragment C on CaseConnection { countUpTo(limit: 5) { more } }`, nil,
			`{"countUpTo":{"more":false}}`, want{noTotal: true, upTo: 5}},
		{"two limits", `{ cases { a: countUpTo(limit: 1) { count more } b: countUpTo(limit: 5) { count more } } }`, nil,
			`{"a":{"count":1,"more":true},"b":{"count":3,"more":false}}`, want{noTotal: true, later: []int{1, 5}}},
		{"the total in a fragment", `{ cases { ...T countUpTo(limit: 2) { count } } } fragment T on CaseConnection { n: totalCount }`, nil,
			`{"countUpTo":{"count":2},"n":3}`, want{upTo: 2}},
		{"the total alone", `{ cases { totalCount } }`, nil, `{"totalCount":3}`, want{}},
		{"no count", `{ cases { pageInfo { hasNextPage } edges { node { id } } } }`, nil, "", want{noTotal: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cw.take()
			data := counting.ok(t, "handler1", tc.query, tc.vars)
			got := toJSON(data)
			if plain := toJSON(e.ok(t, "handler1", tc.query, tc.vars)); got != plain {
				t.Fatalf("with CaseCounts:\n%s\nwithout:\n%s", got, plain)
			}
			if tc.answer != "" {
				if c := compactJSON(data["cases"]); c != tc.answer {
					t.Fatalf("cases %s, want %s", c, tc.answer)
				}
			}
			opts, later := cw.take()
			if len(opts) != 1 {
				t.Fatalf("%d lists read, want 1", len(opts))
			}
			if opts[0].NoTotal != tc.want.noTotal || opts[0].UpTo != tc.want.upTo {
				t.Errorf("the list counted the total: %v, up to %d; want %v, up to %d",
					!opts[0].NoTotal, opts[0].UpTo, !tc.want.noTotal, tc.want.upTo)
			}
			if fmt.Sprint(later) != fmt.Sprint(tc.want.later) && !(len(later) == 2 && fmt.Sprint([]int{later[1], later[0]}) == fmt.Sprint(tc.want.later)) {
				t.Errorf("counted up to %v when countUpTo resolved, want %v", later, tc.want.later)
			}
		})
	}
	if got := dig(counting.ok(t, "handler1", `{ cases(first: 1) { countUpTo(limit: 2) { count more } } }`, nil), "cases", "countUpTo"); compactJSON(got) != `{"count":2,"more":true}` {
		t.Errorf("above the limit: %s", toJSON(got))
	}
	if got := dig(counting.ok(t, "outsider", `{ cases { countUpTo { count more } } }`, nil), "cases", "countUpTo"); compactJSON(got) != `{"count":0,"more":false}` {
		t.Errorf("nothing visible: %s", toJSON(got))
	}

	for _, limit := range []int{0, -1, MaxCountLimit + 1} {
		for name, env := range map[string]*env{"with CaseCounts": counting, "without": e} {
			r := env.run(t, "handler1", `query($l: Int) { cases { countUpTo(limit: $l) { count } } }`, map[string]any{"l": limit})
			if r.code() != "BAD_USER_INPUT" || r.field() != "limit" {
				t.Errorf("%s, limit %d: %s, want BAD_USER_INPUT on limit", name, limit, toJSON(r.Errors))
			}
		}
	}
	if r := e.run(t, "handler1", `{ cases { countUpTo(limit: 10000) { count } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("the largest limit: %s", toJSON(r.Errors))
	}
}

// compactJSON is v as one line of JSON, keys in order.
func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
