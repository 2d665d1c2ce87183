package readmodel

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// watched is a data set of missed deadlines, t0 being Monday 1 June 2026,
// 15:00 in Vietnam. Reported (newest first): U -2h, P -10h (Monday 05:00
// in Vietnam, still Sunday in UTC), T -1d, R -2d, Q -3d, S -4d, V -8d.
//
//	P  REPORTED, its TRIAGE missed at -6h: missed.
//	Q  ANALYSIS started, not recorded, its ANALYSIS missed at -59h: missed.
//	R  its takedown unanswered, missed at -23h, escalated by the system;
//	   the approval missed at -19h: missed (since -23h), PENDING_APPROVAL.
//	S  TRIAGE missed, then triaged late; its ANALYSIS is past due but
//	   pending (the clock did not run): overdue, not missed.
//	T  escalation requested by the handler, approval past due, pending:
//	   overdue, not missed, PENDING_APPROVAL.
//	U  another province, REPORTED, nothing due.
//	V  RESOLUTION missed, resolved later: neither; one takedown REMOVED
//	   on TikTok.
type watched struct {
	*known
}

func buildWatched(t *testing.T, e *env) *watched {
	t.Helper()
	e.registerUnits(t, testUnits...)
	k := &known{e: e, cases: map[string]*tcase{}, byID: map[string]string{}}
	add := func(letter string, tc *tcase) {
		k.cases[letter] = tc
		k.byID[tc.id] = letter
	}
	h := time.Hour
	const target = "lai-chau/so-vhttdl"

	at := t0.Add(-10 * h)
	p := e.report(t, "reporter1", at, incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Title: "Tin sai về dịch bệnh"})
	p.clock(t, at.Add(5*h))
	add("P", p)

	at = t0.Add(-3 * day)
	q := e.report(t, "reporter1", at, incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen", Title: "Trang mạo danh"})
	q.do(t, "handler1", at.Add(h), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	q.do(t, "handler1", at.Add(2*h), incident.StartAnalysis{})
	q.clock(t, at.Add(20*h))
	add("Q", q)

	at = t0.Add(-2 * day)
	r := e.report(t, "reporter1", at, incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/phuong-tan-phong", EscalatesTo: target,
		Title: "Tài khoản giả mạo phường", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/gia.mao.phuong"}}})
	r.triageAnalyse(t, at.Add(h/2), incident.High, incident.VerdictFalse)
	r.do(t, "handler1", at.Add(h), incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/gia.mao.phuong", Reason: "Mạo danh"})
	r.clock(t, at.Add(30*h))
	add("R", r)

	at = t0.Add(-4 * day)
	s := e.report(t, "reporter1", at, incident.Report{Unit: "lai-chau/tan-uyen", Title: "Tin đồn giá điện"})
	s.clock(t, at.Add(5*h))
	s.do(t, "handler1", at.Add(6*h), incident.Triage{Severity: incident.Medium, Assignee: "handler1"})
	add("S", s)

	at = t0.Add(-1 * day)
	tt := e.report(t, "reporter1", at, incident.Report{Unit: "lai-chau/tan-uyen", EscalatesTo: target, Title: "Video cắt ghép"})
	tt.triageAnalyse(t, at.Add(h/2), incident.Low, incident.VerdictMisleading)
	tt.do(t, "handler1", at.Add(h), incident.RequestEscalation{Reason: "Vượt thẩm quyền"})
	add("T", tt)

	add("U", e.report(t, "reporter3", t0.Add(-2*h), incident.Report{Kind: incident.AccountCompromised, Unit: "dien-bien/xa-tuan-giao", Title: "Fanpage bị chiếm"}))

	at = t0.Add(-8 * day)
	v := e.report(t, "reporter4", at, incident.Report{Kind: incident.AccountCompromised, Unit: "lai-chau/cong-an", Title: "Mất Zalo OA"})
	v.do(t, "handler1", at.Add(h), incident.Triage{Severity: incident.Critical, Assignee: "handler1"})
	v.do(t, "handler1", at.Add(2*h), incident.StartAnalysis{})
	v.do(t, "handler1", at.Add(3*h), incident.RecordAnalysis{Findings: "Bị chiếm quyền"})
	v.do(t, "handler1", at.Add(4*h), incident.RequestTakedown{Platform: incident.TikTok, TargetURL: "https://www.tiktok.com/@gia", Reason: "Giả mạo"})
	v.do(t, "handler1", at.Add(5*h), incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved})
	v.clock(t, at.Add(50*h))
	v.do(t, "handler1", at.Add(60*h), incident.Resolve{Resolution: "Đã lấy lại"})
	add("V", v)

	e.catchUp(t)
	return &watched{k}
}

// columns returns missed_at and escalation_status of every case, by letter.
func (w *watched) columns(t *testing.T) map[string]string {
	t.Helper()
	rows, err := w.e.store.Pool().Query(w.e.ctx, `SELECT id, missed_at, coalesce(escalation_status, '') FROM cases`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, esc string
		var at *time.Time
		if err := rows.Scan(&id, &at, &esc); err != nil {
			t.Fatal(err)
		}
		out[w.byID[id]] = show(at) + " " + esc
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func show(at *time.Time) string {
	if at == nil {
		return "-"
	}
	return at.UTC().Format(time.RFC3339)
}

// The projector writes missed_at (incident.Case.MissedAt) and
// escalation_status; migration 006 backfills the same from the stored
// documents.
func TestMissedColumns(t *testing.T) {
	e := newEnv(t)
	w := buildWatched(t, e)
	want := map[string]string{}
	for letter, tc := range w.cases {
		esc := ""
		if tc.c.Escalation != nil {
			esc = string(tc.c.Escalation.Status)
		}
		want[letter] = show(tc.c.MissedAt()) + " " + esc
	}
	h := time.Hour
	for letter, at := range map[string]time.Time{"P": t0.Add(-6 * h), "Q": t0.Add(-3*day + 13*h), "R": t0.Add(-2*day + 25*h)} {
		if !strings.HasPrefix(want[letter], show(&at)) {
			t.Fatalf("the fixture: %s is missed since %s, want %s", letter, want[letter], show(&at))
		}
	}
	mustEqual(t, "projected", w.columns(t), want)

	// The backfill of migration 006 (which may run again) says the same.
	if _, err := e.store.Pool().Exec(e.ctx, `UPDATE cases SET missed_at = NULL, escalation_status = NULL`); err != nil {
		t.Fatal(err)
	}
	sql, err := migrationFiles.ReadFile("migrations/006_missed_and_escalation.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(e.ctx, string(sql)); err != nil {
		t.Fatalf("migration 006 again: %v", err)
	}
	mustEqual(t, "backfilled", w.columns(t), want)
}

// The filter missedDeadline, the filter escalationStatus and stats.missed
// follow the rule; overdue keeps its meaning (pending and past due).
func TestMissedFilterAndStats(t *testing.T) {
	e := newEnv(t)
	w := buildWatched(t, e)
	ctx := context.Background()
	mustEqual(t, "missed", w.list(t, Filter{MissedDeadline: ptr(true)}, nil), "PRQ")
	mustEqual(t, "not missed", w.list(t, Filter{MissedDeadline: ptr(false)}, nil), "UTSV")
	mustEqual(t, "overdue", w.list(t, Filter{Overdue: ptr(true)}, nil), "TS")
	mustEqual(t, "missed in Tân Uyên", w.list(t, Filter{MissedDeadline: ptr(true), Unit: "lai-chau/tan-uyen"}, nil), "PQ")
	mustEqual(t, "missed, visible Tân Phong", w.list(t, Filter{MissedDeadline: ptr(true)}, []string{"lai-chau/phuong-tan-phong"}), "R")
	pending := []incident.EscalationStatus{incident.EscPendingApproval}
	mustEqual(t, "waiting for approval", w.list(t, Filter{EscalationStatus: pending}, nil), "TR")
	mustEqual(t, "waiting for approval and missed", w.list(t, Filter{EscalationStatus: pending, MissedDeadline: ptr(true)}, nil), "R")
	if _, err := e.reader.ListCases(ctx, Filter{EscalationStatus: []incident.EscalationStatus{"LOST"}}, nil, 10, ""); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("an unknown escalation status: %v", err)
	}

	st, err := e.reader.Stats(ctx, "", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Missed != 3 || st.Overdue != 2 || st.Total != 7 {
		t.Errorf("stats: missed %d overdue %d total %d, want 3, 2, 7", st.Missed, st.Overdue, st.Total)
	}
	from := t0.Add(-50 * time.Hour)
	st, err = e.reader.Stats(ctx, "lai-chau", nil, &from, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Missed != 2 || st.Total != 3 { // P and R missed; T not
		t.Errorf("stats of lai-chau from -50h: missed %d of %d, want 2 of 3", st.Missed, st.Total)
	}
}

// The watch list: the case missed longest ago first, a page at a time.
func TestWatchlist(t *testing.T) {
	e := newEnv(t)
	w := buildWatched(t, e)
	ctx := context.Background()
	p, err := e.reader.Watchlist(ctx, Filter{}, nil, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "watch list", w.letters(p), "QRP")
	if p.Total != 3 || p.HasNext {
		t.Errorf("total %d, more %t", p.Total, p.HasNext)
	}
	// A filter saying missedDeadline: false changes nothing: the list is of missed cases.
	p, err = e.reader.Watchlist(ctx, Filter{MissedDeadline: ptr(false), Unit: "lai-chau/tan-uyen"}, nil, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "watch list of Tân Uyên", w.letters(p), "QP")

	var got strings.Builder
	after := ""
	for range 5 {
		p, err := e.reader.Watchlist(ctx, Filter{}, nil, 1, after)
		if err != nil {
			t.Fatal(err)
		}
		got.WriteString(w.letters(p))
		if p.Total != 3 {
			t.Fatalf("page total %d", p.Total)
		}
		if !p.HasNext {
			break
		}
		after = p.EndCursor
	}
	mustEqual(t, "pages of one", got.String(), "QRP")

	list, err := e.reader.ListCases(ctx, Filter{}, nil, 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.reader.Watchlist(ctx, Filter{}, nil, 1, list.EndCursor); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("a cursor of another list: %v", err)
	}
	p, err = e.reader.Watchlist(ctx, Filter{}, []string{}, 10, "")
	if err != nil || len(p.Cases) != 0 {
		t.Errorf("nothing visible: %v %d", err, len(p.Cases))
	}
}

// The breakdowns of the overview equal Stats for the same unit, period and
// caller: weeks by kind sum to ByKind (weeks begin on Monday in Vietnam),
// each sub-unit's figures are Stats of that sub-unit, and the takedowns
// are counted by platform and status.
func TestStatsBreakdowns(t *testing.T) {
	e := newEnv(t)
	buildWatched(t, e)
	ctx := context.Background()
	from, to := t0.Add(-14*day), t0.Add(time.Hour)
	for _, q := range []StatsQuery{
		{}, {Unit: "lai-chau"}, {Unit: "lai-chau", From: &from, To: &to},
		{Unit: "lai-chau", Visible: []string{"lai-chau/tan-uyen", "dien-bien"}}, {Visible: []string{}},
	} {
		st, err := e.reader.Stats(ctx, q.Unit, q.Visible, q.From, q.To)
		if err != nil {
			t.Fatal(err)
		}
		weeks, err := e.reader.ReportedByWeek(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		byKind, total := map[incident.Kind]int{}, 0
		for _, wk := range weeks {
			if wd := wk.Week.In(vietnam).Weekday(); wd != time.Monday || wk.Week.In(vietnam).Hour() != 0 {
				t.Errorf("%+v: week %s does not begin on Monday 00:00 in Vietnam", q, wk.Week.In(vietnam))
			}
			byKind[wk.Kind] += wk.Count
			total += wk.Count
		}
		if total != st.Total {
			t.Errorf("%+v: weeks count %d, stats %d", q, total, st.Total)
		}
		for k, n := range st.ByKind {
			if byKind[k] != n {
				t.Errorf("%+v: %s: weeks %d, stats %d", q, k, byKind[k], n)
			}
		}
		subs, err := e.reader.SubUnitStats(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			sst, err := e.reader.Stats(ctx, s.Unit, q.Visible, q.From, q.To)
			if err != nil {
				t.Fatal(err)
			}
			got := UnitStats{Unit: s.Unit, Total: sst.Total, Open: sst.Open, Overdue: sst.Overdue, Missed: sst.Missed, DeadlineMetRatio: sst.DeadlineMetRatio}
			mustEqual(t, "sub-unit "+s.Unit, s, got)
		}
	}

	// P, reported on Monday 05:00 in Vietnam (Sunday in UTC), counts in the
	// week of 1 June; Q, R, S and T in the week before; V two weeks before.
	weeks, err := e.reader.ReportedByWeek(ctx, StatsQuery{Unit: "lai-chau"})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, wk := range weeks {
		lines = append(lines, wk.Week.In(vietnam).Format("2006-01-02")+" "+string(wk.Kind)+" "+itoa(wk.Count))
	}
	mustEqual(t, "weeks of lai-chau", strings.Join(lines, "; "),
		"2026-05-18 ACCOUNT_COMPROMISED 1; 2026-05-25 IMPERSONATION 2; 2026-05-25 FALSE_INFORMATION 2; 2026-06-01 FALSE_INFORMATION 1")

	subs, err := e.reader.SubUnitStats(ctx, StatsQuery{Unit: "lai-chau", Visible: []string{"lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/cong-an"}})
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, s := range subs {
		shown = append(shown, s.Unit+" "+itoa(s.Total)+" "+itoa(s.Missed))
	}
	// Tân Uyên shown in part (only its commune: P), Công an whole (V).
	mustEqual(t, "sub-units seen in part", strings.Join(shown, "; "), "lai-chau/cong-an 1 0; lai-chau/tan-uyen 1 1")

	tds, err := e.reader.TakedownOutcomes(ctx, StatsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "takedowns", tds, []TakedownCount{
		{Platform: incident.Facebook, Status: incident.TakedownExpired, Count: 1},
		{Platform: incident.TikTok, Status: incident.TakedownRemoved, Count: 1},
	})
	tds, err = e.reader.TakedownOutcomes(ctx, StatsQuery{Unit: "lai-chau", From: ptr(t0.Add(-3 * day))})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "takedowns of the last 3 days", tds, []TakedownCount{{Platform: incident.Facebook, Status: incident.TakedownExpired, Count: 1}})
	if none, err := e.reader.SubUnitStats(ctx, StatsQuery{}); err != nil || none != nil {
		t.Errorf("sub-units without a unit: %v %v", none, err)
	}
}

var vietnam = func() *time.Location {
	loc, err := time.LoadLocation(VietnamZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

func itoa(n int) string { return strconv.Itoa(n) }
