package readmodel

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

const day = 24 * time.Hour

// known is a small data set whose every figure is worked out by hand.
// Reported (newest first): D -1h, C -2d, B -5d, A -10d, F -20d, E -30d, G -40d.
type known struct {
	e     *env
	cases map[string]*tcase
	byID  map[string]string // case id -> letter
}

func buildKnown(t *testing.T, e *env) *known {
	t.Helper()
	e.registerUnits(t, testUnits...)
	k := &known{e: e, cases: map[string]*tcase{}, byID: map[string]string{}}
	add := func(letter string, tc *tcase) {
		k.cases[letter] = tc
		k.byID[tc.id] = letter
	}
	h := time.Hour

	// A: IMPERSONATION in a commune, HIGH, verdict FALSE, takedown sent (ACTION);
	// its RESOLUTION and TAKEDOWN_RESPONSE deadlines are past due and pending.
	at := t0.Add(-10 * day)
	a := e.report(t, "reporter1", at, incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang Facebook giả mạo UBND xã Phúc Khoa", Description: "Trang dùng logo của xã.",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.phuckhoa.fake?fbclid=xyz"}}})
	a.triageAnalyse(t, at.Add(h), incident.High, incident.VerdictFalse)
	a.do(t, "handler1", at.Add(2*h), incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/ubnd.phuckhoa.fake", Reason: "Giả mạo"})
	add("A", a)

	// B: FALSE_INFORMATION, LOW, handler2, resolved 30 h after the report.
	at = t0.Add(-5 * day)
	b := e.report(t, "reporter2", at, incident.Report{Unit: "lai-chau/phuong-tan-phong",
		Title: "Tin đồn sai sự thật về lũ quét ở phường Đoàn Kết", Description: "Bài viết lan truyền trên nhóm Zalo."})
	b.do(t, "handler2", at.Add(h), incident.Triage{Severity: incident.Low, Assignee: "handler2"})
	b.do(t, "handler2", at.Add(2*h), incident.StartAnalysis{})
	b.do(t, "handler2", at.Add(3*h), incident.RecordAnalysis{Findings: "Sai sự thật", Verdict: incident.VerdictFalse})
	b.do(t, "handler2", at.Add(30*h), incident.Resolve{Resolution: "Đã cải chính"})
	add("B", b)

	// C: ACCOUNT_COMPROMISED in another province, REPORTED; its TRIAGE
	// deadline passed without the clock running: overdue.
	at = t0.Add(-2 * day)
	add("C", e.report(t, "reporter3", at, incident.Report{Kind: incident.AccountCompromised, Unit: "dien-bien/xa-tuan-giao",
		Title: "Fanpage Điện Biên bị chiếm quyền quản trị"}))

	// D: REPORTED an hour ago, TRIAGE due in 3 h: not overdue.
	at = t0.Add(-h)
	add("D", e.report(t, "reporter1", at, incident.Report{Unit: "lai-chau/tan-uyen",
		Title: "Thông tin xuyên tạc về giá đất tái định cư"}))

	// E: IMPERSONATION, TRIAGE missed (clock), triaged MEDIUM, then rejected.
	at = t0.Add(-30 * day)
	ec := e.report(t, "reporter1", at, incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen",
		Title: "Tài khoản mạo danh Chủ tịch xã"})
	ec.clock(t, at.Add(5*h))
	ec.do(t, "handler1", at.Add(6*h), incident.Triage{Severity: incident.Medium, Assignee: "handler1"})
	ec.do(t, "handler1", at.Add(7*h), incident.Reject{Reason: "Trùng lặp"})
	add("E", ec)

	// F: ACCOUNT_COMPROMISED, CRITICAL, resolved 10 h after the report, closed.
	at = t0.Add(-20 * day)
	f := e.report(t, "reporter4", at, incident.Report{Kind: incident.AccountCompromised, Unit: "lai-chau/cong-an",
		Title: "Mất quyền truy cập Zalo OA của Công an tỉnh"})
	f.do(t, "handler1", at.Add(h), incident.Triage{Severity: incident.Critical, Assignee: "handler1"})
	f.do(t, "handler1", at.Add(2*h), incident.StartAnalysis{})
	f.do(t, "handler1", at.Add(3*h), incident.RecordAnalysis{Findings: "Đã khôi phục"})
	f.do(t, "handler1", at.Add(10*h), incident.Resolve{Resolution: "Đã lấy lại tài khoản"})
	f.do(t, "leader1", at.Add(20*h), incident.Close{})
	add("F", f)

	// G: FALSE_INFORMATION, MEDIUM, ANALYSIS missed (clock), resolved after 50 h.
	at = t0.Add(-40 * day)
	g := e.report(t, "reporter1", at, incident.Report{Unit: "lai-chau/phuong-doan-ket",
		Title: "Video cắt ghép về mưa đá", Description: "Nội dung GIẢ MẠO phát ngôn của lãnh đạo tỉnh."})
	g.do(t, "handler1", at.Add(2*h), incident.Triage{Severity: incident.Medium, Assignee: "handler1"})
	g.do(t, "handler1", at.Add(3*h), incident.StartAnalysis{})
	g.clock(t, at.Add(49*h))
	g.do(t, "handler1", at.Add(50*h), incident.Resolve{Resolution: "Đã gỡ"})
	add("G", g)

	e.catchUp(t)
	return k
}

// letters names the cases of a page by their letters, in page order.
func (k *known) letters(p Page) string {
	var sb strings.Builder
	for _, c := range p.Cases {
		sb.WriteString(k.byID[c.ID])
	}
	return sb.String()
}

func (k *known) list(t *testing.T, f Filter, visible []string) string {
	t.Helper()
	p, err := k.e.reader.ListCases(context.Background(), f, visible, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != len(p.Cases) {
		t.Fatalf("total %d, but %d cases listed", p.Total, len(p.Cases))
	}
	return k.letters(p)
}

func TestListFilters(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	S := func(s ...incident.Status) []incident.Status { return s }
	tm := func(d time.Duration) *time.Time { return ptr(t0.Add(d)) }
	tests := []struct {
		name    string
		f       Filter
		visible []string
		want    string
	}{
		{"none", Filter{}, nil, "DCBAFEG"},
		{"status", Filter{Status: S(incident.StatusReported)}, nil, "DC"},
		{"statuses", Filter{Status: S(incident.StatusAction, incident.StatusResolved)}, nil, "BAG"},
		{"closed", Filter{Status: S(incident.StatusClosed)}, nil, "F"},
		{"kind", Filter{Kind: []incident.Kind{incident.Impersonation}}, nil, "AE"},
		{"kinds", Filter{Kind: []incident.Kind{incident.AccountCompromised, incident.Impersonation}}, nil, "CAFE"},
		{"severity", Filter{Severity: []incident.Severity{incident.High}}, nil, "A"},
		{"severities", Filter{Severity: []incident.Severity{incident.Low, incident.High}}, nil, "BA"},
		{"unit subtree", Filter{Unit: "lai-chau/tan-uyen"}, nil, "DAE"},
		{"unit province", Filter{Unit: "lai-chau"}, nil, "DBAFEG"},
		{"unit leaf", Filter{Unit: "lai-chau/tan-uyen/xa-phuc-khoa"}, nil, "A"},
		{"unit is a path prefix, not a string prefix", Filter{Unit: "lai-chau/tan"}, nil, ""},
		{"assignee", Filter{Assignee: "handler2"}, nil, "B"},
		{"overdue", Filter{Overdue: ptr(true)}, nil, "CA"},
		{"not overdue", Filter{Overdue: ptr(false)}, nil, "DBFEG"},
		{"reported after", Filter{ReportedAfter: tm(-6 * day)}, nil, "DCB"},
		{"reported before", Filter{ReportedBefore: tm(-6 * day)}, nil, "AFEG"},
		{"reported window", Filter{ReportedAfter: tm(-6 * day), ReportedBefore: tm(-1 * day)}, nil, "CB"},
		{"after is inclusive", Filter{ReportedAfter: tm(-5 * day)}, nil, "DCB"},
		{"before is exclusive", Filter{ReportedBefore: tm(-5 * day)}, nil, "AFEG"},
		{"text without diacritics", Filter{Text: "gia mao"}, nil, "AG"},
		{"text upper case with diacritics", Filter{Text: "GIẢ MẠO"}, nil, "AG"},
		{"text every word", Filter{Text: "giả mạo phúc khoa"}, nil, "A"},
		{"text đ folds to d", Filter{Text: "doan ket"}, nil, "B"},
		{"text Đ", Filter{Text: "Đoàn"}, nil, "B"},
		{"text d finds đ", Filter{Text: "dien bien"}, nil, "C"},
		{"text number", Filter{Text: k.cases["C"].c.Number}, nil, "C"},
		{"text subject url", Filter{Text: "phuckhoa.fake"}, nil, "A"},
		{"text inside a url word", Filter{Text: "khoa.fak"}, nil, "A"},
		{"text part of the number", Filter{Text: k.cases["C"].c.Number[len(k.cases["C"].c.Number)-4:]}, nil, "C"},
		{"text last word is a prefix", Filter{Text: "chiếm quy"}, nil, "C"},
		{"text other words are whole", Filter{Text: "chie quyen"}, nil, ""},
		{"text number prefix", Filter{Text: "VV-2026-00000"}, nil, "DCBAFEG"},
		{"text number lower case", Filter{Text: " " + strings.ToLower(k.cases["C"].c.Number)}, nil, "C"},
		{"text inside a prose word does not match", Filter{Text: "oan ket"}, nil, ""},
		{"text description", Filter{Text: "phát ngôn"}, nil, "G"},
		{"text of punctuation only finds nothing", Filter{Text: "%"}, nil, ""},
		{"text quote", Filter{Text: "'"}, nil, ""},
		// Operators are plain separators: every word is required, "!x" is the word x.
		{"text tsquery syntax is not interpreted", Filter{Text: "gia | mao & !x"}, nil, "A"},
		{"text blank", Filter{Text: "   "}, nil, "DCBAFEG"},
		{"text no match", Filter{Text: "khong co gi"}, nil, ""},
		{"combined", Filter{Status: S(incident.StatusReported), Unit: "lai-chau"}, nil, "D"},
		{"combined text kind", Filter{Kind: []incident.Kind{incident.FalseInformation}, Text: "gia mao"}, nil, "G"},
		{"visible subtree", Filter{}, []string{"lai-chau/tan-uyen"}, "DAE"},
		{"visible several", Filter{}, []string{"dien-bien", "lai-chau/phuong-tan-phong"}, "CB"},
		{"visible none", Filter{}, []string{}, ""},
		{"visible and unit", Filter{Unit: "lai-chau"}, []string{"dien-bien"}, ""},
		{"visible and text", Filter{Text: "gia mao"}, []string{"lai-chau/tan-uyen"}, "A"},
		{"status and text", Filter{Status: S(incident.StatusAction, incident.StatusResolved), Text: "gia mao"}, nil, "AG"},
		{"status, text and visible", Filter{Status: S(incident.StatusResolved), Text: "gia"}, []string{"lai-chau/phuong-doan-ket"}, "G"},
		{"severity and text", Filter{Severity: []incident.Severity{incident.High, incident.Medium}, Text: "tai khoan"}, nil, "E"},
		{"kind, unit and text", Filter{Kind: []incident.Kind{incident.Impersonation}, Unit: "lai-chau", Text: "mao"}, nil, "AE"},
		{"text and a status nobody has", Filter{Status: S(incident.StatusEscalated), Text: "gia"}, nil, ""},
		{"text, assignee and overdue", Filter{Text: "trang", Assignee: "handler1", Overdue: ptr(true)}, nil, "A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := k.list(t, tt.f, tt.visible); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestListBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		f     Filter
		first int
		after string
		field string
	}{
		"negative first":  {first: -1, field: "first"},
		"huge first":      {first: MaxPageSize + 1, field: "first"},
		"bad cursor":      {first: 5, after: "not-a-cursor", field: "after"},
		"bad status":      {f: Filter{Status: []incident.Status{"OPEN"}}, first: 5, field: "filter.status"},
		"bad kind":        {f: Filter{Kind: []incident.Kind{"SPAM"}}, first: 5, field: "filter.kind"},
		"bad severity":    {f: Filter{Severity: []incident.Severity{"URGENT"}}, first: 5, field: "filter.severity"},
		"long text":       {f: Filter{Text: strings.Repeat("a", MaxSearchText+1)}, first: 5, field: "text"},
		"text not utf-8":  {f: Filter{Text: "\xff"}, first: 5, field: "text"},
		"cursor not json": {first: 5, after: "bm9wZQ", field: "after"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.reader.ListCases(ctx, tc.f, nil, tc.first, tc.after)
			var ie *incident.Error
			if !asError(err, &ie) || ie.Code != incident.CodeBadUserInput || ie.Field != tc.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
}

func TestCase(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	for letter, tc := range k.cases {
		got, err := e.reader.Case(e.ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "case "+letter, *got, tc.c)
		byNumber, err := e.reader.CaseByNumber(e.ctx, tc.c.Number)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "case by number "+letter, *byNumber, tc.c)
	}
	if _, err := e.reader.Case(e.ctx, "nope"); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("unknown id: %v", err)
	}
	if _, err := e.reader.CaseByNumber(e.ctx, "VV-1999-000001"); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("unknown number: %v", err)
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	ctx := context.Background()

	all, err := e.reader.Stats(ctx, "", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "all time", all, Stats{
		Total: 7, Open: 3, Overdue: 2,
		ByStatus: map[incident.Status]int{incident.StatusReported: 2, incident.StatusAction: 1,
			incident.StatusResolved: 2, incident.StatusClosed: 1, incident.StatusRejected: 1},
		ByKind: map[incident.Kind]int{incident.Impersonation: 2, incident.FalseInformation: 3, incident.AccountCompromised: 2},
		// B 30 h, F 10 h, G 50 h.
		MedianHoursToResolve: ptr(30.0),
		// MET: A triage+analysis, B triage+analysis+resolution, F the same,
		// G triage+resolution = 10; MISSED: E triage, G analysis = 2.
		DeadlineMetRatio: ptr(10.0 / 12.0),
	})

	// The last 25 days: A B C D F reported; B and F resolved (30 h, 10 h);
	// A, B and F's deadlines settled, all MET.
	from, to := t0.Add(-25*day), t0
	window, err := e.reader.Stats(ctx, "", nil, &from, &to)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "window", window, Stats{
		Total: 5, Open: 3, Overdue: 2,
		ByStatus: map[incident.Status]int{incident.StatusReported: 2, incident.StatusAction: 1,
			incident.StatusResolved: 1, incident.StatusClosed: 1},
		ByKind:               map[incident.Kind]int{incident.Impersonation: 1, incident.FalseInformation: 2, incident.AccountCompromised: 2},
		MedianHoursToResolve: ptr(20.0),
		DeadlineMetRatio:     ptr(1.0),
	})

	// Only from: E and G (and their settlements) fall out as well.
	open, err := e.reader.Stats(ctx, "", nil, &from, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "from only", open, window)

	// The other province: only C, nothing resolved or settled.
	db, err := e.reader.Stats(ctx, "", []string{"dien-bien"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "visible dien-bien", db, Stats{
		Total: 1, Open: 1, Overdue: 1,
		ByStatus: map[incident.Status]int{incident.StatusReported: 1},
		ByKind:   map[incident.Kind]int{incident.AccountCompromised: 1},
	})

	// stats(unit) counts the subtree: A (commune), D and E.
	tu, err := e.reader.Stats(ctx, "lai-chau/tan-uyen", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit tan-uyen", tu, Stats{
		Total: 3, Open: 2, Overdue: 1,
		ByStatus: map[incident.Status]int{incident.StatusReported: 1, incident.StatusAction: 1, incident.StatusRejected: 1},
		ByKind:   map[incident.Kind]int{incident.Impersonation: 2, incident.FalseInformation: 1},
		// A: TRIAGE and ANALYSIS met; E: TRIAGE missed.
		DeadlineMetRatio: ptr(2.0 / 3.0),
	})

	// A unit outside the visible units shows nothing.
	none, err := e.reader.Stats(ctx, "lai-chau/tan-uyen", []string{"dien-bien"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "unit outside visible", none, Stats{ByStatus: map[incident.Status]int{}, ByKind: map[incident.Kind]int{}})
	_ = k
}

func TestStatsMedianEvenCount(t *testing.T) {
	e := newEnv(t)
	for i, hours := range []int{4, 10, 1, 7} {
		at := t0.Add(-time.Duration(i+1) * day)
		tc := e.report(t, "reporter1", at, incident.Report{})
		tc.do(t, "handler1", at.Add(30*time.Minute), incident.Triage{Severity: incident.Low, Assignee: "handler1"})
		tc.do(t, "handler1", at.Add(40*time.Minute), incident.StartAnalysis{})
		tc.do(t, "handler1", at.Add(time.Duration(hours)*time.Hour), incident.Resolve{Resolution: "Xong"})
	}
	e.catchUp(t)
	st, err := e.reader.Stats(context.Background(), "", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// sorted 1 4 7 10: median (4 + 7) / 2.
	if st.MedianHoursToResolve == nil || *st.MedianHoursToResolve != 5.5 {
		t.Fatalf("median %v, want 5.5", st.MedianHoursToResolve)
	}
	if st.Open != 0 || st.ByStatus[incident.StatusResolved] != 4 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPaginationStable(t *testing.T) {
	e := newEnv(t)
	k := buildKnown(t, e)
	ctx := context.Background()
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		p, err := e.reader.ListCases(ctx, Filter{}, nil, 2, after)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 7 {
			t.Fatalf("total %d", p.Total)
		}
		got = append(got, k.letters(p))
		if len(p.Cursors) != len(p.Cases) || (len(p.Cases) > 0 && p.EndCursor != p.Cursors[len(p.Cursors)-1]) {
			t.Fatalf("cursors %v end %q", p.Cursors, p.EndCursor)
		}
		for i := range p.Cases {
			if p.Cursors[i] != CursorOf(&p.Cases[i]) {
				t.Fatalf("cursor %d differs from CursorOf", i)
			}
		}
		if !p.HasNext {
			break
		}
		after = p.EndCursor
	}
	mustEqual(t, "pages", got, []string{"DC", "BA", "FE", "G"})

	// first = 0 answers only the total.
	p, err := e.reader.ListCases(ctx, Filter{Status: []incident.Status{incident.StatusReported}}, nil, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2 || len(p.Cases) != 0 {
		t.Fatalf("first=0: %+v", p)
	}
	// A cursor taken from one page continues past that case in any list.
	p, err = e.reader.ListCases(ctx, Filter{Kind: []incident.Kind{incident.Impersonation}}, nil, 5, CursorOf(&k.cases["B"].c))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.letters(p); got != "AE" || p.HasNext || p.Total != 2 {
		t.Fatalf("after B: %q hasNext=%v total=%d", got, p.HasNext, p.Total)
	}
}

func TestPaginationUnderConcurrentInserts(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Reports spread over the last 40 days, three per timestamp, so the id
	// breaks ties.
	initial := map[string]bool{}
	for i := range 120 {
		initial[e.report(t, "reporter1", t0.Add(-time.Duration(i/3)*day), incident.Report{}).id] = true
	}
	e.catchUp(t)
	runDone := make(chan error, 1)
	go func() { runDone <- e.proj.Run(ctx) }()

	// Between two pages, cases are reported both behind the cursor (they
	// must show up later) and ahead of it (they must not); the live
	// projector applies them before the next page is read.
	seen := map[string]int{}
	behind, ahead := map[string]bool{}, map[string]bool{}
	after := ""
	var cursorAt time.Time
	for page := 0; ; page++ {
		p, err := e.reader.ListCases(ctx, Filter{}, nil, 7, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Cases {
			seen[c.ID]++
		}
		if !p.HasNext {
			break
		}
		after = p.EndCursor
		cursorAt = p.Cases[len(p.Cases)-1].ReportedAt
		var last int64
		for j := range 2 {
			older := e.report(t, "reporter2", cursorAt.Add(-time.Duration(j*7+1)*time.Hour), incident.Report{})
			newer := e.report(t, "reporter2", cursorAt.Add(time.Duration(j*7+1)*time.Hour), incident.Report{})
			behind[older.id] = true
			ahead[newer.id] = true
			last = newer.recs[len(newer.recs)-1].GlobalPosition
		}
		if err := e.proj.WaitFor(ctx, last); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("case %s listed %d times", id, n)
		}
		if ahead[id] {
			t.Fatalf("case %s, reported ahead of the cursor, was listed", id)
		}
	}
	for id := range initial {
		if seen[id] != 1 {
			t.Fatalf("case %s, there before paging started, was skipped", id)
		}
	}
	for id := range behind {
		if seen[id] != 1 {
			t.Fatalf("case %s, reported behind the cursor while paging, was skipped", id)
		}
	}
	if len(behind) < 30 {
		t.Fatalf("only %d cases were reported behind the cursor", len(behind))
	}
	t.Logf("%d cases listed: %d initial, %d reported behind the cursor while paging (%d ahead, not listed)",
		len(seen), len(initial), len(behind), len(ahead))
}

func TestSearchUsesIndex(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// 30,000 synthetic rows are enough for the planner to prefer the index.
	_, err := e.store.Pool().Exec(ctx, `
		INSERT INTO cases (id, number, kind, status, unit, reported_by, reported_at, updated_at, version, search, global_position, doc)
		SELECT 'c' || i, 'VV-2026-' || lpad(i::text, 6, '0'), 'FALSE_INFORMATION', 'REPORTED', 'lai-chau/tan-uyen', 'r',
			now() - i * interval '1 minute', now(), 1,
			to_tsvector('simple', 'vv 2026 ' || lpad(i::text, 6, '0') || ' tin ' || md5(i::text) || ' ' || md5((i * 7)::text)), i, '{}'
		FROM generate_series(1, 30000) AS i`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, `ANALYZE cases`); err != nil {
		t.Fatal(err)
	}
	q, err := e.reader.listQuery(Filter{Text: "Giả mạo ubnd"}, scope{all: true}, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{{q.countSQL(), q.countArgs}, {q.listSQL, q.listArgs}} {
		rows, err := e.store.Pool().Query(ctx, "EXPLAIN "+stmt.sql, stmt.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "cases_search") || strings.Contains(text, "Seq Scan on cases") {
			t.Fatalf("plan does not use the search index:\n%s", text)
		}
	}
}

func TestDedupeLookups(t *testing.T) {
	e := newEnv(t)
	url := "https://www.facebook.com/trang-gia-mao?fbclid=abc"
	norm, err := incident.NormalizeURL(url)
	if err != nil {
		t.Fatal(err)
	}
	older := e.report(t, "reporter1", t0.Add(-2*day), incident.Report{ClientRequestID: "req-1",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: url}}})
	newer := e.report(t, "reporter2", t0.Add(-day), incident.Report{ClientRequestID: "req-1",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://facebook.com/trang-gia-mao/"}, {Platform: incident.TikTok, URL: "https://www.tiktok.com/@khac"}}})
	// A third report is merged into the older case.
	older.do(t, "reporter3", t0.Add(-day+time.Hour), incident.MergeReport{Report: incident.Report{ClientRequestID: "req-9",
		Kind: incident.FalseInformation, Unit: "lai-chau/tan-uyen", Title: "Báo lại", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: url}}}})
	e.catchUp(t)
	ctx := context.Background()

	id, ok, err := e.reader.OpenCaseBySubject(ctx, []string{"https://x.example/none", norm})
	if err != nil || !ok || id != older.id {
		t.Fatalf("open case by subject: %q %v %v, want the older case", id, ok, err)
	}
	tiktok, _ := incident.NormalizeURL("https://www.tiktok.com/@khac")
	if id, ok, _ := e.reader.OpenCaseBySubject(ctx, []string{tiktok}); !ok || id != newer.id {
		t.Fatalf("tiktok subject: %q %v", id, ok)
	}
	if _, ok, _ := e.reader.OpenCaseBySubject(ctx, nil); ok {
		t.Fatal("no urls found a case")
	}
	// Once the older case is rejected, the newer one is where reports go.
	older.do(t, "handler1", t0, incident.Reject{Reason: "Trùng"})
	e.catchUp(t)
	if id, ok, _ := e.reader.OpenCaseBySubject(ctx, []string{norm}); !ok || id != newer.id {
		t.Fatalf("after rejecting the older case: %q %v", id, ok)
	}
	newer.do(t, "handler1", t0, incident.Reject{Reason: "Trùng"})
	e.catchUp(t)
	if id, ok, _ := e.reader.OpenCaseBySubject(ctx, []string{norm, tiktok}); ok {
		t.Fatalf("closed cases still receive reports: %q", id)
	}
	// Reopening makes the case open again.
	newer.do(t, "handler1", t0.Add(time.Hour), incident.Reopen{Reason: "Tái diễn"})
	e.catchUp(t)
	if id, ok, _ := e.reader.OpenCaseBySubject(ctx, []string{tiktok}); !ok || id != newer.id {
		t.Fatalf("after reopening: %q %v", id, ok)
	}

	for _, tc := range []struct {
		reporter, req, want string
	}{
		{"reporter1", "req-1", older.id},
		{"reporter2", "req-1", newer.id},
		{"reporter3", "req-9", older.id}, // the merged report
		{"reporter3", "req-1", ""},
		{"reporter1", "req-9", ""},
	} {
		id, ok, err := e.reader.CaseByRequest(ctx, tc.reporter, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (tc.want != "") || id != tc.want {
			t.Fatalf("%s/%s: %q %v, want %q", tc.reporter, tc.req, id, ok, tc.want)
		}
	}
}

func TestCheckAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.reg.UpsertUnits(ctx, genUnits); err != nil {
		t.Fatal(err)
	}
	official, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên")
	if err != nil {
		t.Fatal(err)
	}
	fake := "https://www.facebook.com/ubnd.tanuyen.official"
	misleading := "https://www.tiktok.com/@tanuyen-tintuc"
	trueVerdict := "https://www.facebook.com/tanuyen-fan"
	falseInfo := "https://www.facebook.com/tin-don"
	subject := func(u string) []incident.SubjectInput {
		return []incident.SubjectInput{{Platform: incident.Facebook, URL: u}}
	}
	imp := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(fake)})
	imp.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.High, incident.VerdictFalse)
	imp.do(t, "handler1", t0.Add(-2*day), incident.Resolve{Resolution: "Đã gỡ"})
	imp.do(t, "leader1", t0.Add(-day), incident.Close{})
	mis := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(misleading)})
	mis.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.High, incident.VerdictMisleading)
	tr := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(trueVerdict)})
	tr.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.Low, incident.VerdictTrue)
	fi := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.FalseInformation, Subjects: subject(falseInfo)})
	fi.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.Low, incident.VerdictFalse)
	pending := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject("https://zalo.me/123")})
	e.catchUp(t)

	for _, tc := range []struct {
		url, want, number string
		account           bool
	}{
		{"https://facebook.com/ubndtanuyen/?fbclid=1", incident.AccountOfficial, "", true},
		{"http://m.facebook.com/ubndtanuyen", incident.AccountOfficial, "", true},
		{fake + "?fbclid=zzz", incident.AccountKnownImpersonator, imp.c.Number, false},
		{misleading, incident.AccountKnownImpersonator, mis.c.Number, false},
		{trueVerdict, incident.AccountUnknown, "", false},
		{falseInfo, incident.AccountUnknown, "", false},             // not an impersonation case
		{"https://zalo.me/123", incident.AccountUnknown, "", false}, // no verdict yet
		{"https://www.facebook.com/someone-else", incident.AccountUnknown, "", false},
	} {
		got, err := e.reader.CheckAccount(ctx, tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got.Result != tc.want || got.CaseNumber != tc.number || (got.Account != nil) != tc.account {
			t.Fatalf("%s: %+v, want %s %q", tc.url, got, tc.want, tc.number)
		}
		if tc.account {
			mustEqual(t, "account", *got.Account, official)
		}
	}
	if _, err := e.reader.CheckAccount(ctx, "facebook.com/x"); codeOf(err) != incident.CodeBadUserInput {
		t.Fatalf("bad url: %v", err)
	}
	_ = pending
}

func TestVisibilityBoundaries(t *testing.T) {
	e := newEnv(t)
	e.registerUnits(t, testUnits...)
	a := e.report(t, "r", t0.Add(-time.Hour), incident.Report{Unit: "lai-chau/tan-uyen"})
	b := e.report(t, "r", t0.Add(-2*time.Hour), incident.Report{Unit: "lai-chau/tan-uyen-moi"})
	c := e.report(t, "r", t0.Add(-3*time.Hour), incident.Report{Unit: "lai-chau"})
	e.catchUp(t)
	ids := func(visible []string) []string {
		p, err := e.reader.ListCases(context.Background(), Filter{}, visible, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range p.Cases {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	mustEqual(t, "tan-uyen", ids([]string{"lai-chau/tan-uyen"}), sorted(a.id))
	mustEqual(t, "tan-uyen-moi", ids([]string{"lai-chau/tan-uyen-moi"}), sorted(b.id))
	mustEqual(t, "province", ids([]string{"lai-chau"}), sorted(a.id, b.id, c.id))
	mustEqual(t, "a child does not see its parent", ids([]string{"lai-chau/tan-uyen/xa-phuc-khoa"}), []string(nil))
	mustEqual(t, "no restriction", ids(nil), sorted(a.id, b.id, c.id))
}

// TestReparentedUnit: lists and statistics follow the registry's parent
// links, as the authorizer does, not the shape of unit ids: a commune moved
// under another unit leaves the old parent's scope and joins the new one's.
func TestReparentedUnit(t *testing.T) {
	e := newEnv(t)
	e.registerUnits(t, testUnits...)
	c := e.report(t, "r", t0.Add(-time.Hour), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa"})
	e.catchUp(t)
	count := func(visible []string, unit string) (listed, counted int) {
		t.Helper()
		p, err := e.reader.ListCases(e.ctx, Filter{Unit: unit}, visible, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		st, err := e.reader.Stats(e.ctx, unit, visible, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Cases), st.Total
	}
	if l, s := count([]string{"lai-chau/tan-uyen"}, ""); l != 1 || s != 1 {
		t.Fatalf("before the move, tan-uyen sees %d listed, %d counted", l, s)
	}
	moved := incident.Unit{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/phuong-tan-phong"}
	if err := e.reg.UpsertUnits(e.ctx, []incident.Unit{moved}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		visible []string
		unit    string
		want    int
	}{
		{[]string{"lai-chau/tan-uyen"}, "", 0},
		{nil, "lai-chau/tan-uyen", 0},
		{[]string{"lai-chau/phuong-tan-phong"}, "", 1},
		{nil, "lai-chau/phuong-tan-phong", 1},
		{[]string{"lai-chau"}, "lai-chau/phuong-tan-phong", 1},
	} {
		if l, s := count(tc.visible, tc.unit); l != tc.want || s != tc.want {
			t.Errorf("after the move, visible %v unit %q: %d listed, %d counted, want %d (case %s)", tc.visible, tc.unit, l, s, tc.want, c.id)
		}
	}
}
