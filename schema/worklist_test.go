package schema

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// worklistWorld is the fake world with a worklist: it records what the
// resolver asked and answers with ListCases' page.
type worklistWorld struct {
	*world
	mu      sync.Mutex
	filters []readmodel.Filter
	visible [][]string
}

func (w *worklistWorld) Worklist(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error) {
	w.mu.Lock()
	w.filters = append(w.filters, f)
	w.visible = append(w.visible, visible)
	w.mu.Unlock()
	return w.ListCases(ctx, f, visible, first, after)
}

const worklistDoc = `query W($filter: CaseFilter, $first: Int) {
  worklist(filter: $filter, first: $first) {
    totalCount
    edges { node { number deadlines { kind dueAt startedAt } } }
  }
}`

// Query.worklist: the caller's visible units, the open statuses unless the
// filter names statuses, the cursor and page bounds of cases; and
// Deadline.startedAt is when the deadline's span began.
func TestWorklistField(t *testing.T) {
	_, e := newTestSchema(t)
	ww := &worklistWorld{world: e.w}
	var logs bytes.Buffer
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Cases: ww, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	c := e.seed(t, "reporter1", unitCommune, "w-1", "https://www.facebook.com/gia.mao.1")

	data := e.ok(t, "handler1", worklistDoc, nil)
	if n := dig(data, "worklist", "totalCount"); n != float64(1) {
		t.Fatalf("totalCount %v", n)
	}
	edges := dig(data, "worklist", "edges").([]any)
	dls := dig(edges[0], "node", "deadlines").([]any)
	if len(dls) == 0 {
		t.Fatalf("no deadlines: %s", toJSON(data))
	}
	for _, d := range dls {
		started, _ := time.Parse(time.RFC3339Nano, dig(d, "startedAt").(string))
		if !started.Equal(c.ReportedAt) {
			t.Errorf("%v starts at %v, want the report's %v", dig(d, "kind"), started, c.ReportedAt)
		}
	}
	var open []incident.Status
	for _, st := range incident.Statuses {
		if st.Open() {
			open = append(open, st)
		}
	}
	if got := ww.filters[0].Status; !slices.Equal(got, open) {
		t.Errorf("default statuses %v, want the open ones %v", got, open)
	}
	if got := ww.visible[0]; !slices.Equal(got, []string{unitDistrict}) {
		t.Errorf("visible %v", got)
	}

	e.ok(t, "handler1", worklistDoc, map[string]any{"filter": map[string]any{"status": []any{"CLOSED"}, "text": "gia mao"}})
	if f := ww.filters[1]; !slices.Equal(f.Status, []incident.Status{incident.StatusClosed}) || f.Text != "gia mao" {
		t.Errorf("filter %+v", f)
	}
	if r := e.run(t, "handler1", worklistDoc, map[string]any{"first": 0}); r.code() != incident.CodeBadUserInput || r.field() != "first" {
		t.Errorf("first 0: %s", toJSON(r.Errors))
	}
	if r := e.run(t, "", worklistDoc, nil); r.code() != incident.CodeUnauthenticated {
		t.Errorf("no subject: %s", toJSON(r.Errors))
	}
	// Someone with no role sees an empty list, and the reader is not asked.
	calls := len(ww.filters)
	if n := dig(e.ok(t, "nobody", worklistDoc, nil), "worklist", "totalCount"); n != float64(0) || len(ww.filters) != calls {
		t.Errorf("no role: total %v, reader asked %d times", n, len(ww.filters)-calls)
	}

	// Cases that cannot list by deadline answer INTERNAL, and say why in the log.
	_, plain := newTestSchema(t)
	if r := plain.run(t, "handler1", worklistDoc, nil); r.code() != incident.CodeInternal {
		t.Errorf("without Worklists: %s", toJSON(r.Errors))
	}
	if !bytes.Contains(plain.log.Bytes(), []byte("Worklists")) {
		t.Errorf("the log does not say why: %s", plain.log.String())
	}
}
