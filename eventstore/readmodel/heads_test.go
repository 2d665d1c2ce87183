package readmodel

import (
	"context"
	"encoding/json"
	"testing"

	"casetrail/incident"
)

// TestListCaseHeads checks that ListCaseHeads answers every page as
// ListCases does, with the head of each case (HeadOf) instead of the case:
// the same cases in the same order, cursors, next page and total, paging
// through with a small page size.
func TestListCaseHeads(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	ctx := context.Background()
	S := func(s ...incident.Status) []incident.Status { return s }
	for _, tc := range []struct {
		name    string
		f       Filter
		visible []string
	}{
		{"all", Filter{}, nil},
		{"status and text", Filter{Status: S(incident.StatusAction, incident.StatusResolved), Text: "gia mao"}, nil},
		{"visible", Filter{}, []string{"lai-chau/tan-uyen"}},
		{"severity", Filter{Severity: []incident.Severity{incident.Low, incident.High}}, nil},
		{"nothing", Filter{Text: "khong co gi"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after, pages, seen := "", 0, ""
			for {
				full, err := e.reader.ListCases(ctx, tc.f, tc.visible, 2, after)
				if err != nil {
					t.Fatal(err)
				}
				heads, err := e.reader.ListCaseHeads(ctx, tc.f, tc.visible, 2, after)
				if err != nil {
					t.Fatal(err)
				}
				want := full
				want.Cases = nil
				for i := range full.Cases {
					want.Cases = append(want.Cases, HeadOf(&full.Cases[i]))
				}
				if g, w := toJSON(t, heads), toJSON(t, want); g != w {
					t.Fatalf("page %d after %q:\nheads %s\nwant  %s", pages, after, g, w)
				}
				seen += k.letters(heads)
				pages++
				if !heads.HasNext {
					break
				}
				after = heads.EndCursor
			}
			if want := k.list(t, tc.f, tc.visible); seen != want {
				t.Fatalf("paged through %q, want %q", seen, want)
			}
		})
	}
	// A head has what a list shows: the number, the title, the unit, the
	// severity and assignee when set; nothing of the rest.
	p, err := e.reader.ListCaseHeads(ctx, Filter{Text: "gia mao phuc khoa"}, nil, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	a := k.cases["A"].c
	if len(p.Cases) != 1 || p.Total != 1 {
		t.Fatalf("got %d cases (total %d), want A", len(p.Cases), p.Total)
	}
	h := p.Cases[0]
	if h.ID != a.ID || h.Number != a.Number || h.Title != a.Title || h.Unit != a.Unit || h.Severity != incident.High ||
		h.Assignee == "" || h.Assignee != a.Assignee || h.Status != incident.StatusAction || !h.ReportedAt.Equal(a.ReportedAt) ||
		!h.UpdatedAt.Equal(a.UpdatedAt) || h.Version != a.Version || h.ReportedBy != "reporter1" {
		t.Fatalf("head %+v\nof %+v", h, a)
	}
	if h.Description != "" || h.Subjects != nil || h.Deadlines != nil || h.Takedowns != nil || h.Analysis != nil {
		t.Fatalf("head carries more than the head: %+v", h)
	}
	// first = 0 answers the total alone, as ListCases does.
	if p, err := e.reader.ListCaseHeads(ctx, Filter{}, nil, 0, ""); err != nil || p.Total != 7 || len(p.Cases) != 0 {
		t.Fatalf("first=0: %d cases, total %d, err %v", len(p.Cases), p.Total, err)
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
