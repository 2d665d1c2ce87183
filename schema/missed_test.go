package schema

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// leaderWorld is the fake world with the leaders' reads: it records what
// the resolvers asked and answers with small fixed figures.
type leaderWorld struct {
	*world
	mu      sync.Mutex
	filters []readmodel.Filter
	visible [][]string
	queries []string // "weeks", "takedowns", "subunits" with their StatsQuery
	asked   []readmodel.StatsQuery
}

func (w *leaderWorld) Watchlist(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error) {
	w.mu.Lock()
	w.filters = append(w.filters, f)
	w.visible = append(w.visible, visible)
	w.mu.Unlock()
	return w.ListCases(ctx, f, visible, first, after)
}

func (w *leaderWorld) ListCases(ctx context.Context, f readmodel.Filter, visible []string, first int, after string) (readmodel.Page, error) {
	w.mu.Lock()
	w.filters = append(w.filters, f)
	w.mu.Unlock()
	return w.world.ListCases(ctx, f, visible, first, after)
}

func (w *leaderWorld) record(what string, q readmodel.StatsQuery) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.queries = append(w.queries, what)
	w.asked = append(w.asked, q)
}

func (w *leaderWorld) ReportedByWeek(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.WeekCount, error) {
	w.record("weeks", q)
	return []readmodel.WeekCount{{Week: time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC), Kind: incident.Impersonation, Count: 3}}, nil
}

func (w *leaderWorld) TakedownOutcomes(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.TakedownCount, error) {
	w.record("takedowns", q)
	return []readmodel.TakedownCount{{Platform: incident.TikTok, Status: incident.TakedownRemoved, Count: 2}}, nil
}

func (w *leaderWorld) SubUnitStats(ctx context.Context, q readmodel.StatsQuery) ([]readmodel.UnitStats, error) {
	w.record("subunits", q)
	return []readmodel.UnitStats{{Unit: unitCommune, Total: 4, Open: 3, Overdue: 1, Missed: 2, DeadlineMetRatio: ptrTo(0.5)}}, nil
}

func ptrTo[T any](v T) *T { return &v }

// compact is v as JSON on one line.
func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func newLeaderSchema(t *testing.T) (*env, *leaderWorld) {
	t.Helper()
	_, e := newTestSchema(t)
	lw := &leaderWorld{world: e.w}
	s, err := New(Deps{Auth: e.auth, Commands: e.w, Reads: e.w, Cases: lw, Logger: slog.New(slog.NewTextHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	return e, lw
}

// The filter's new fields reach the reader; overdue keeps its own.
func TestLeaderFilter(t *testing.T) {
	e, lw := newLeaderSchema(t)
	e.seed(t, "reporter1", unitCommune, "f-1", "https://www.facebook.com/gia.1")
	e.ok(t, "leader1", `{ cases(filter: {missedDeadline: true, escalationStatus: [PENDING_APPROVAL, SENT], overdue: false}) { totalCount } }`, nil)
	f := lw.filters[len(lw.filters)-1]
	if f.MissedDeadline == nil || !*f.MissedDeadline || f.Overdue == nil || *f.Overdue ||
		!slices.Equal(f.EscalationStatus, []incident.EscalationStatus{incident.EscPendingApproval, incident.EscSent}) {
		t.Errorf("filter %+v", f)
	}
	e.ok(t, "leader1", `{ cases(filter: {missedDeadline: false}) { totalCount } }`, nil)
	if f := lw.filters[len(lw.filters)-1]; f.MissedDeadline == nil || *f.MissedDeadline || len(f.EscalationStatus) > 0 {
		t.Errorf("filter %+v", f)
	}
	if r := e.run(t, "leader1", `{ cases(filter: {escalationStatus: [LOST]}) { totalCount } }`, nil); r.code() != incident.CodeBadUserInput {
		t.Errorf("an unknown escalation status: %s", toJSON(r.Errors))
	}
}

const watchDoc = `query W($filter: CaseFilter, $first: Int, $after: String) {
  watchlist(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { number missedAt missedDeadlines { kind state settledAt } } }
  }
}`

// Query.watchlist reads the caller's visible units (readCase), checks its
// bounds as cases does, and needs a reader that can list it.
func TestWatchlistField(t *testing.T) {
	e, lw := newLeaderSchema(t)
	e.seed(t, "reporter1", unitCommune, "w-1", "https://www.facebook.com/gia.1")
	data := e.ok(t, "leader1", watchDoc, map[string]any{"filter": map[string]any{"unit": unitCommune}, "first": 10})
	if n := dig(data, "watchlist", "totalCount"); n != float64(1) {
		t.Errorf("total %v", n)
	}
	if got := lw.visible[0]; !slices.Equal(got, []string{unitDistrict}) {
		t.Errorf("visible %v", got)
	}
	if f := lw.filters[0]; f.Unit != unitCommune {
		t.Errorf("filter %+v", f)
	}
	if r := e.run(t, "leader1", watchDoc, map[string]any{"first": MaxFirst + 1}); r.code() != incident.CodeBadUserInput || r.field() != "first" {
		t.Errorf("first too large: %s", toJSON(r.Errors))
	}
	if r := e.run(t, "", watchDoc, nil); r.code() != incident.CodeUnauthenticated {
		t.Errorf("no subject: %s", toJSON(r.Errors))
	}
	calls := len(lw.visible)
	if n := dig(e.ok(t, "nobody", watchDoc, nil), "watchlist", "totalCount"); n != float64(0) || len(lw.visible) != calls {
		t.Errorf("no role: total %v, reader asked", n)
	}
	_, plain := newTestSchema(t)
	if r := plain.run(t, "leader1", watchDoc, nil); r.code() != incident.CodeInternal || !strings.Contains(plain.log.String(), "Watchlists") {
		t.Errorf("without Watchlists: %s %s", toJSON(r.Errors), plain.log.String())
	}
}

// Case.missedAt and Case.missedDeadlines tell incident.Case.MissedDeadlines.
func TestCaseMissedFields(t *testing.T) {
	e, _ := newLeaderSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "m-1", "https://www.facebook.com/gia.1")
	const doc = `query C($id: ID!) { case(id: $id) { missedAt missedDeadlines { kind state } } }`
	data := e.ok(t, "leader1", doc, map[string]any{"id": c.ID})
	if dig(data, "case", "missedAt") != nil || len(dig(data, "case", "missedDeadlines").([]any)) != 0 {
		t.Errorf("a fresh case: %s", toJSON(data))
	}
	// The case's clock misses its TRIAGE deadline 5 hours on.
	e.w.mu.Lock()
	cc := e.w.cases[c.ID]
	later := e.w.now.Add(5 * time.Hour)
	for _, p := range incident.DueEvents(*cc, later, incident.DefaultPolicy()) {
		if err := incident.Apply(cc, incident.Event{Type: p.EventType(), Actor: incident.SystemActor, At: later, Data: p}); err != nil {
			t.Fatal(err)
		}
	}
	e.w.mu.Unlock()
	data = e.ok(t, "leader1", doc, map[string]any{"id": c.ID})
	if got, want := dig(data, "case", "missedAt"), later.In(vietnam).Format(time.RFC3339Nano); got != want {
		t.Errorf("missedAt %v, want %s", got, want)
	}
	if got := compact(dig(data, "case", "missedDeadlines")); got != `[{"kind":"TRIAGE","state":"MISSED"}]` {
		t.Errorf("missedDeadlines %s", got)
	}
}

const statsDoc = `query S($unit: ID, $from: DateTime, $to: DateTime) {
  stats(unit: $unit, from: $from, to: $to) {
    total missed
    reportedByWeek { weekStart kind count }
    takedownsByPlatform { platform status count }
    subUnits { unit { id name } total open overdue missed deadlineMetRatio }
  }
}`

// The breakdowns are read only when asked, for the unit, period and
// visible units (readStats) of the stats they belong to; nothing when
// nothing is visible.
func TestStatsBreakdownFields(t *testing.T) {
	e, lw := newLeaderSchema(t)
	e.seed(t, "reporter1", unitCommune, "s-1", "https://www.facebook.com/gia.1")
	e.ok(t, "leader1", `{ stats { total open } }`, nil)
	if len(lw.queries) != 0 {
		t.Fatalf("breakdowns read without being asked: %v", lw.queries)
	}
	from, to := "2026-11-01T00:00:00+07:00", "2026-12-01T00:00:00+07:00"
	data := e.ok(t, "leader1", statsDoc, map[string]any{"unit": unitDistrict, "from": from, "to": to})
	slices.Sort(lw.queries)
	if !slices.Equal(lw.queries, []string{"subunits", "takedowns", "weeks"}) {
		t.Errorf("read %v", lw.queries)
	}
	f, _ := time.Parse(time.RFC3339, from)
	tt, _ := time.Parse(time.RFC3339, to)
	for _, q := range lw.asked {
		if q.Unit != unitDistrict || !slices.Equal(q.Visible, []string{unitDistrict}) || q.From == nil || !q.From.Equal(f) || q.To == nil || !q.To.Equal(tt) {
			t.Errorf("asked %+v", q)
		}
	}
	want := `{"missed":0,"reportedByWeek":[{"count":3,"kind":"IMPERSONATION","weekStart":"2026-11-23T00:00:00+07:00"}],` +
		`"subUnits":[{"deadlineMetRatio":0.5,"missed":2,"open":3,"overdue":1,"total":4,"unit":{"id":"lai-chau/tan-uyen/xa-phuc-khoa","name":"UBND xã Phúc Khoa"}}],` +
		`"takedownsByPlatform":[{"count":2,"platform":"TIKTOK","status":"REMOVED"}],"total":1}`
	if got := compact(dig(data, "stats")); got != want {
		t.Errorf("stats\n got  %s\n want %s", got, want)
	}
	lw.queries = nil
	data = e.ok(t, "nobody", statsDoc, nil)
	if len(lw.queries) != 0 || compact(dig(data, "stats", "subUnits")) != "[]" || compact(dig(data, "stats", "reportedByWeek")) != "[]" {
		t.Errorf("nothing visible: read %v, answered %s", lw.queries, toJSON(data))
	}
	_, plain := newTestSchema(t)
	if r := plain.run(t, "leader1", statsDoc, nil); r.code() != incident.CodeInternal {
		t.Errorf("without StatsBreakdowns: %s", toJSON(r.Errors))
	}
}
