package schema

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// headsWorld is the fake world with ListCaseHeads: the world's page with
// every case cut down to its head (readmodel.HeadOf, the definition
// readmodel's own test holds ListCaseHeads to).
type headsWorld struct {
	*world
	calls atomic.Int32
}

func (h *headsWorld) ListCaseHeads(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error) {
	h.calls.Add(1)
	p, err := h.world.ListCases(ctx, f, visible, first, after)
	for i := range p.Cases {
		p.Cases[i] = readmodel.HeadOf(&p.Cases[i])
	}
	return p, err
}

// TestCasesHeads runs lists on two schemas over the same cases: one whose
// Cases list heads, one without. A list that selects only head fields
// must read heads and answer exactly what whole cases answer; a list that
// selects anything else of a case (directly, in a fragment, in an inline
// fragment) must read whole cases. A field wrongly taken for a head field
// would answer empty from a head and differ.
func TestCasesHeads(t *testing.T) {
	_, e := newTestSchema(t)
	for i := range 3 {
		c := e.seed(t, "reporter1", unitCommune, fmt.Sprintf("h-%d", i), fmt.Sprintf("https://facebook.com/fake-%d", i))
		if i > 0 {
			e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
				incident.RecordAnalysis{Findings: "mạo danh", Verdict: incident.VerdictFalse})
		}
	}
	hw := &headsWorld{world: e.w}
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Cases: hw, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	withHeads := &env{s: s, w: e.w, auth: e.auth, log: e.log}

	var all []string
	for f := range headFields {
		all = append(all, f)
	}
	slices.Sort(all)
	allHeads := strings.ReplaceAll(strings.Join(all, " "), "unit", "unit { id name parent { id } }")
	for _, tc := range []struct {
		name  string
		query string
		heads bool
	}{
		{"every head field", `{ cases { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ` + allHeads + ` } } } }`, true},
		{"the bench's worklist", `query Worklist($filter: CaseFilter) { cases(filter: $filter) { totalCount
			pageInfo { hasNextPage endCursor } edges { cursor node { id number title status severity reportedAt assignee unit { id name } } } } }`, true},
		{"aliases and fragments of heads", `{ cases(first: 2) { n: totalCount edges { ...E } } }
			fragment E on CaseEdge { node { ... on Case { t: title } ...H } }
			fragment H on Case { number status }`, true},
		{"total only", `{ cases { totalCount } }`, true},
		{"description", `{ cases { edges { node { id description } } } }`, false},
		{"deadlines", `{ cases { edges { node { number deadlines { kind dueAt state } } } } }`, false},
		{"analysis in a fragment", `{ cases { edges { node { ...C } } } } fragment C on Case { id analysis { verdict } }`, false},
		{"subjects in an inline fragment", `{ cases { edges { node { id ... on Case { subjects { url } } } } } }`, false},
		{"a fragment of edges with more", `{ cases { edges { ...E } } } fragment E on CaseEdge { node { title takedowns { id } } }`, false},
		{"available actions", `{ cases { edges { node { id availableActions } } } }`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hw.calls.Load()
			data := withHeads.ok(t, "handler1", tc.query, nil)
			got := toJSON(data)
			if want := toJSON(e.ok(t, "handler1", tc.query, nil)); got != want {
				t.Fatalf("with heads:\n%s\nwhole cases:\n%s", got, want)
			}
			if read := hw.calls.Load() > before; read != tc.heads {
				t.Fatalf("read heads: %v, want %v", read, tc.heads)
			}
			if n, a := dig(data, "cases", "totalCount"), dig(data, "cases", "n"); tc.heads && n != float64(3) && a != float64(3) {
				t.Fatalf("no total of 3 cases in %s", got)
			}
		})
	}
}
