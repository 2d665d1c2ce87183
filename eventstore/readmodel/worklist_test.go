package readmodel

import (
	"context"
	"slices"
	"strings"
	"testing"

	"casetrail/incident"
)

// The worklist lists by the nearest pending deadline: A (its takedown's
// response was due 9 days ago), C (triage due 2 days ago), D (triage due in
// 3 hours), then the cases with no pending deadline by id; filters and
// visibility are those of ListCases.
func TestWorklistOrder(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	ctx := context.Background()
	open := []incident.Status{incident.StatusReported, incident.StatusTriaged, incident.StatusAnalysis, incident.StatusAction, incident.StatusEscalated}
	list := func(f Filter, visible []string) string {
		t.Helper()
		p, err := e.reader.Worklist(ctx, f, visible, 50, "")
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != len(p.Cases) {
			t.Fatalf("total %d, %d listed", p.Total, len(p.Cases))
		}
		return k.letters(p)
	}
	mustEqual(t, "open", list(Filter{Status: open}, nil), "ACD")
	mustEqual(t, "open in Tân Uyên", list(Filter{Status: open}, []string{"lai-chau/tan-uyen"}), "AD")
	mustEqual(t, "open, text without diacritics", list(Filter{Status: open, Text: "gia mao"}, nil), "A")
	mustEqual(t, "overdue", list(Filter{Overdue: ptr(true)}, nil), "AC")
	mustEqual(t, "nothing visible", list(Filter{}, []string{}), "")

	// Every case: the three with a pending deadline first, the others by id.
	all := list(Filter{}, nil)
	if !strings.HasPrefix(all, "ACD") || len(all) != 7 {
		t.Fatalf("all: %q", all)
	}
	rest := []string{k.cases["B"].id, k.cases["E"].id, k.cases["F"].id, k.cases["G"].id}
	slices.Sort(rest)
	var want strings.Builder
	want.WriteString("ACD")
	for _, id := range rest {
		want.WriteString(k.byID[id])
	}
	mustEqual(t, "all, ties by id", all, want.String())

	// Pages of two, across the cases without a deadline: each case once, in
	// order, and the cursors continue where the page ended.
	var pages []string
	after := ""
	for range 10 {
		p, err := e.reader.Worklist(ctx, Filter{}, nil, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 7 || len(p.Cursors) != len(p.Cases) {
			t.Fatalf("page: total %d, %d cursors for %d cases", p.Total, len(p.Cursors), len(p.Cases))
		}
		pages = append(pages, k.letters(p))
		if !p.HasNext {
			break
		}
		after = p.EndCursor
	}
	mustEqual(t, "pages joined", strings.Join(pages, ""), want.String())
	if len(pages) != 4 {
		t.Fatalf("pages %v", pages)
	}

	// A cursor of the report-date order is not one of this list, nor
	// the other way round.
	if _, err := e.reader.Worklist(ctx, Filter{}, nil, 2, CursorOf(&k.cases["A"].c)); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("a ListCases cursor: %v", err)
	}
	p, err := e.reader.Worklist(ctx, Filter{}, nil, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.reader.ListCases(ctx, Filter{}, nil, 2, p.EndCursor); err == nil {
		// The report-date cursor has no room for it: accepted as a
		// cursor at the epoch, which lists nothing. Either is safe.
		q, _ := e.reader.ListCases(ctx, Filter{}, nil, 2, p.EndCursor)
		if len(q.Cases) != 0 {
			t.Errorf("a worklist cursor resumed ListCases: %q", k.letters(q))
		}
	}
	for _, bad := range []string{"x", "eyJvIjoiZHVlIn0"} {
		if _, err := e.reader.Worklist(ctx, Filter{}, nil, 2, bad); codeOf(err) != incident.CodeBadUserInput {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
	if _, err := e.reader.Worklist(ctx, Filter{}, nil, MaxPageSize+1, ""); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("first too large: %v", err)
	}
}

// The open cases' index of the worklist order holds exactly the statuses
// incident calls open, and a worklist of open cases reads its page from it.
func TestWorklistIndex(t *testing.T) {
	e := newEnv(t)
	buildKnown(t, e)
	ctx := context.Background()
	var def string
	if err := e.store.Pool().QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_worklist_open'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "(next_due_at, id)") {
		t.Errorf("index %s", def)
	}
	for _, s := range incident.Statuses {
		if got := strings.Contains(def, "'"+string(s)+"'"); got != s.Open() {
			t.Errorf("status %s in the index's condition: %v, open: %v (%s)", s, got, s.Open(), def)
		}
	}
	// The plan of a worklist page, its statuses as the reader sends them
	// (parameters of a custom plan). The data set is small, so sorting
	// is ruled out for the test: the order must come from an index, and
	// the partial one must be proven to hold the rows asked for.
	conn, err := e.store.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET enable_sort = off`); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.Background(), `RESET enable_sort`)
	var open []string
	for _, s := range incident.Statuses {
		if s.Open() {
			open = append(open, string(s))
		}
	}
	rows, err := conn.Query(ctx, `EXPLAIN SELECT c.doc, c.next_due_at FROM cases c WHERE c.unit = ANY($1::text[])
		AND c.status = ANY($2::text[]) ORDER BY c.next_due_at ASC NULLS LAST, c.id ASC LIMIT 31`,
		customPlan, []string{"lai-chau/tan-uyen"}, open[:2])
	if err != nil {
		t.Fatal(err)
	}
	plan, err := collectStrings(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "cases_worklist_open") {
		t.Errorf("a worklist page does not read cases_worklist_open:\n%s", strings.Join(plan, "\n"))
	}
}
