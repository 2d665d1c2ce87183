package readmodel

import (
	"bytes"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"casetrail/documents"
	"casetrail/incident"
)

// ict is a wall-clock time in Vietnam.
func ict(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, incident.VietnamTime)
}

// reportFixture reports the cases of TestPeriodicReport around March 2026
// (15/02 – 14/03 in Vietnam) and returns the period.
func reportFixture(t *testing.T, e *env) incident.ReportPeriod {
	t.Helper()
	e.registerUnits(t, "lai-chau", "lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/phuong-tan-phong",
		"lai-chau/cong-an", "dien-bien")
	h := "handler1"

	// A: 14/3 23:59, the last minute of March; never triaged, its TRIAGE
	// deadline missed after the period (at 03:59 on 15/3).
	a := e.report(t, "reporter1", ict(2026, 3, 14, 23, 59), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Kind: incident.Impersonation})
	a.clock(t, ict(2026, 4, 30, 0, 0))
	// B: 15/3 00:00, April's first instant: not in March at all.
	e.report(t, "reporter1", ict(2026, 3, 15, 0, 0), incident.Report{Unit: "lai-chau/tan-uyen"})
	// C: reported, taken down, resolved after 120 h and closed, all in March.
	c := e.report(t, "reporter1", ict(2026, 2, 20, 9, 0), incident.Report{Unit: "lai-chau/tan-uyen", Kind: incident.Impersonation})
	c.triageAnalyse(t, ict(2026, 2, 20, 10, 0), incident.High, incident.VerdictFalse)
	c.do(t, h, ict(2026, 2, 22, 9, 0), incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/fake-c", Reason: "Mạo danh"})
	c.do(t, h, ict(2026, 2, 22, 20, 0), incident.RecordTakedownResponse{TakedownID: c.c.Takedowns[0].ID, Outcome: incident.OutcomeRemoved})
	c.do(t, h, ict(2026, 2, 25, 9, 0), incident.Resolve{Resolution: "Đã gỡ"})
	c.do(t, "leader1", ict(2026, 3, 1, 9, 0), incident.Close{Note: "Xác nhận"})
	// E: reported in January, still open at the end of March (its
	// deadlines missed in January), resolved only in April: open at the
	// period's end although RESOLVED now.
	ec := e.report(t, "reporter1", ict(2026, 1, 10, 9, 0), incident.Report{Unit: "lai-chau/cong-an"})
	ec.triageAnalyse(t, ict(2026, 1, 10, 10, 0), incident.Medium, incident.VerdictFalse)
	ec.clock(t, ict(2026, 2, 1, 0, 0))
	ec.clock(t, ict(2026, 4, 10, 9, 0))
	ec.do(t, h, ict(2026, 4, 10, 9, 0), incident.Resolve{Resolution: "Xong"})
	// F: filed on the province itself, rejected in March.
	f := e.report(t, "reporter1", ict(2026, 3, 10, 9, 0), incident.Report{Unit: "lai-chau", Kind: incident.AccountCompromised})
	f.do(t, h, ict(2026, 3, 11, 9, 0), incident.Reject{Reason: "Không phải sự cố"})
	// G: reported in December, triaged, nothing since: its ANALYSIS
	// deadline pending and past due (the clock never ran): overdue.
	g := e.report(t, "reporter1", ict(2025, 12, 1, 9, 0), incident.Report{Unit: "lai-chau/tan-uyen"})
	g.do(t, h, ict(2025, 12, 1, 10, 0), incident.Triage{Severity: incident.Low, Assignee: h})
	// H: a takedown unanswered at the end of March (answered in April) and
	// an escalation sent in March.
	hc := e.report(t, "reporter1", ict(2026, 2, 16, 9, 0), incident.Report{Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Kind: incident.Impersonation, EscalatesTo: "lai-chau"})
	hc.triageAnalyse(t, ict(2026, 2, 16, 10, 0), incident.Critical, incident.VerdictFalse)
	hc.clock(t, ict(2026, 3, 10, 9, 0))
	hc.do(t, h, ict(2026, 3, 10, 9, 0), incident.RequestTakedown{Platform: incident.TikTok, TargetURL: "https://www.tiktok.com/@fake-h", Reason: "Mạo danh"})
	hc.do(t, h, ict(2026, 3, 10, 10, 0), incident.RequestEscalation{Reason: "Cần cấp tỉnh"})
	hc.do(t, "leader1", ict(2026, 3, 10, 11, 0), incident.ApproveEscalation{Note: "Đồng ý"})
	hc.clock(t, ict(2026, 3, 12, 9, 0))
	hc.do(t, incident.SystemActor, ict(2026, 3, 12, 9, 0), incident.SendEscalation{DispatchNumber: "12/UBND-VHTT"})
	hc.clock(t, ict(2026, 3, 20, 9, 0))
	hc.do(t, h, ict(2026, 3, 20, 9, 0), incident.RecordTakedownResponse{TakedownID: hc.c.Takedowns[0].ID, Outcome: incident.OutcomeRemoved})
	// I: another province, the same month.
	e.report(t, "reporter1", ict(2026, 3, 1, 9, 0), incident.Report{Unit: "dien-bien"})
	e.catchUp(t)
	e.now = ict(2026, 5, 1, 9, 0)
	p, err := incident.ParseReportPeriod("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPeriodicReport(t *testing.T) {
	e := newEnv(t)
	p := reportFixture(t, e)
	rep, err := e.reader.PeriodicReport(e.ctx, "lai-chau", p)
	if err != nil {
		t.Fatal(err)
	}
	from, to := p.Bounds()
	if !rep.AsOf.Equal(to) || rep.Unit.ID != "lai-chau" || rep.Period != p {
		t.Fatalf("report of %+v as of %s, want lai-chau's of %s as of %s", rep.Unit, rep.AsOf, p, to)
	}
	// Rows: the direct sub-units by name, then the province's own cases.
	var units []string
	for _, r := range rep.Rows {
		units = append(units, r.Unit.ID)
	}
	mustEqual(t, "rows", units, []string{"lai-chau/cong-an", "lai-chau/phuong-tan-phong", "lai-chau/tan-uyen", "lai-chau"})
	if !rep.Rows[3].Direct || rep.Rows[2].Direct {
		t.Fatalf("direct flags: %v %v", rep.Rows[2].Direct, rep.Rows[3].Direct)
	}
	type figs struct {
		received, resolved, closed, rejected, open, overdue, missed, tdSent, tdRemoved, tdRefused, tdUnanswered, esc int
	}
	of := func(r incident.ReportRow) figs {
		return figs{r.Received, r.Resolved, r.Closed, r.Rejected, r.OpenAtEnd, r.Overdue, r.Missed,
			r.TakedownsSent, r.TakedownsRemoved, r.TakedownsRefused, r.TakedownsUnanswered, r.EscalationsSent}
	}
	want := map[string]figs{
		// E: open at the end (resolved only in April).
		"lai-chau/cong-an":          {open: 1},
		"lai-chau/phuong-tan-phong": {},
		// A, C, H received (not B); C resolved and closed; A, H open and G
		// (dormant) open and overdue; A and H missed now; C's takedown removed,
		// H's unanswered at the end; H's escalation sent.
		"lai-chau/tan-uyen": {received: 3, resolved: 1, closed: 1, open: 3, overdue: 1, missed: 2, tdSent: 2, tdRemoved: 1, tdUnanswered: 1, esc: 1},
		"lai-chau":          {received: 1, rejected: 1},
	}
	total := figs{}
	for _, r := range rep.Rows {
		got := of(r)
		if w := want[r.Unit.ID]; got != w {
			t.Errorf("row %s: %+v, want %+v", r.Unit.ID, got, w)
		}
		total = figs{total.received + got.received, total.resolved + got.resolved, total.closed + got.closed,
			total.rejected + got.rejected, total.open + got.open, total.overdue + got.overdue, total.missed + got.missed,
			total.tdSent + got.tdSent, total.tdRemoved + got.tdRemoved, total.tdRefused + got.tdRefused,
			total.tdUnanswered + got.tdUnanswered, total.esc + got.esc}
	}
	if of(rep.Totals) != total {
		t.Errorf("totals %+v, the rows add up to %+v", of(rep.Totals), total)
	}
	if m := rep.Totals.MedianResolveHours; m == nil || *m != 120 {
		t.Errorf("median resolve hours %v, want 120 (C)", m)
	}
	if rep.Totals.ByKind(incident.Impersonation) != 3 || rep.Totals.ByKind(incident.AccountCompromised) != 1 || rep.Totals.ByKind(incident.FalseInformation) != 0 {
		t.Errorf("received by kind %+v", rep.Totals.ReceivedByKind)
	}
	if rep.Totals.DeadlineMetRatio == nil {
		t.Errorf("no deadline met ratio")
	}

	// The totals and each sub-unit's row reconcile with stats for the same
	// unit and window.
	reconcile(t, e, "lai-chau", from, to, rep.Totals)
	subs, err := e.reader.SubUnitStats(e.ctx, StatsQuery{Unit: "lai-chau", From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		for _, r := range rep.Rows {
			if r.Unit.ID == s.Unit && !r.Direct {
				if r.Received != s.Total || r.Missed != s.Missed || !sameRatio(r.DeadlineMetRatio, s.DeadlineMetRatio) {
					t.Errorf("row %s: received %d missed %d ratio %v; subUnits total %d missed %d ratio %v",
						s.Unit, r.Received, r.Missed, fmtRatio(r.DeadlineMetRatio), s.Total, s.Missed, fmtRatio(s.DeadlineMetRatio))
				}
				reconcile(t, e, s.Unit, from, to, r)
			}
		}
	}

	// A sub-unit's own report: its communes, and its own cases directly.
	tu, err := e.reader.PeriodicReport(e.ctx, "lai-chau/tan-uyen", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(tu.Rows) != 2 || tu.Rows[0].Unit.ID != "lai-chau/tan-uyen/xa-phuc-khoa" || !tu.Rows[1].Direct ||
		tu.Rows[0].Received != 2 || tu.Rows[1].Received != 1 || tu.Rows[1].Overdue != 1 || tu.Totals.Received != 3 {
		t.Errorf("tan-uyen's report: %+v", tu.Rows)
	}
	reconcile(t, e, "lai-chau/tan-uyen", from, to, tu.Totals)

	if _, err := e.reader.PeriodicReport(e.ctx, "nowhere", p); codeOf(err) != incident.CodeNotFound {
		t.Errorf("unknown unit: %v, want NOT_FOUND", err)
	}
	if _, err := e.reader.PeriodicReport(e.ctx, "lai-chau", incident.ReportPeriod{Kind: incident.PeriodMonth, Year: 2026, N: 13}); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("month 13: %v, want BAD_USER_INPUT", err)
	}
}

// reconcile compares the figures a report row shares with stats for unit
// and [from, to).
func reconcile(t *testing.T, e *env, unit string, from, to time.Time, r incident.ReportRow) {
	t.Helper()
	st, err := e.reader.Stats(e.ctx, unit, nil, &from, &to)
	if err != nil {
		t.Fatal(err)
	}
	tds, err := e.reader.TakedownOutcomes(e.ctx, StatsQuery{Unit: unit, From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, c := range tds {
		sent += c.Count
	}
	if r.Received != st.Total || r.Missed != st.Missed || r.TakedownsSent != sent ||
		!sameRatio(r.DeadlineMetRatio, st.DeadlineMetRatio) || !sameRatio(r.MedianResolveHours, st.MedianHoursToResolve) {
		t.Errorf("%s: report received %d missed %d takedowns %d ratio %s median %s; stats total %d missed %d takedowns %d ratio %s median %s",
			unit, r.Received, r.Missed, r.TakedownsSent, fmtRatio(r.DeadlineMetRatio), fmtRatio(r.MedianResolveHours),
			st.Total, st.Missed, sent, fmtRatio(st.DeadlineMetRatio), fmtRatio(st.MedianHoursToResolve))
	}
	for _, k := range incident.Kinds {
		if r.ByKind(k) != st.ByKind[k] {
			t.Errorf("%s: received %s %d, stats %d", unit, k, r.ByKind(k), st.ByKind[k])
		}
	}
}

func sameRatio(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func fmtRatio(f *float64) any {
	if f == nil {
		return "nil"
	}
	return *f
}

// TestPeriodicReportAtPeriodEnd: a case resolved in the period and reopened
// after it counts as resolved (and not open) in the period's report, as it
// stood at its end, while stats, which reads the cases as they are now,
// no longer counts its resolution; a report of the running period takes
// its figures now.
func TestPeriodicReportAtPeriodEnd(t *testing.T) {
	e := newEnv(t)
	e.registerUnits(t, "dien-bien", "dien-bien/xa-tuan-giao")
	d := e.report(t, "reporter1", ict(2026, 3, 1, 9, 0), incident.Report{Unit: "dien-bien/xa-tuan-giao"})
	d.triageAnalyse(t, ict(2026, 3, 1, 10, 0), incident.High, incident.VerdictFalse)
	d.do(t, "handler1", ict(2026, 3, 3, 9, 0), incident.Resolve{Resolution: "Xong"})
	d.do(t, "handler1", ict(2026, 4, 1, 9, 0), incident.Reopen{Reason: "Trang xuất hiện lại"})
	e.catchUp(t)
	e.now = ict(2026, 4, 5, 9, 0)
	p, _ := incident.ParseReportPeriod("2026-03")
	rep, err := e.reader.PeriodicReport(e.ctx, "dien-bien", p)
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Totals
	if r.Resolved != 1 || r.OpenAtEnd != 0 || r.MedianResolveHours == nil || *r.MedianResolveHours != 48 {
		t.Errorf("March: resolved %d open %d median %v; want 1, 0, 48", r.Resolved, r.OpenAtEnd, fmtRatio(r.MedianResolveHours))
	}
	from, to := p.Bounds()
	st, err := e.reader.Stats(e.ctx, "dien-bien", nil, &from, &to)
	if err != nil {
		t.Fatal(err)
	}
	if st.MedianHoursToResolve != nil || st.Open != 1 {
		t.Errorf("stats now: median %v open %d; want none, 1", fmtRatio(st.MedianHoursToResolve), st.Open)
	}
	// April, still running on 5/4: the reopened case is open now.
	april, _ := incident.ParseReportPeriod("2026-04")
	rep, err = e.reader.PeriodicReport(e.ctx, "dien-bien", april)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.AsOf.Equal(e.now) || rep.Totals.OpenAtEnd != 1 || rep.Totals.Resolved != 0 || rep.Totals.Received != 0 {
		t.Errorf("April as of %s: %+v", rep.AsOf, rep.Totals)
	}
}

// TestPeriodicReportXLSXEqualsStats: the XLSX the report becomes, opened
// again with excelize, holds in its totals row the figures stats gives
// for the same unit and window.
func TestPeriodicReportXLSXEqualsStats(t *testing.T) {
	e := newEnv(t)
	p := reportFixture(t, e)
	rep, err := e.reader.PeriodicReport(e.ctx, "lai-chau", p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := documents.RenderReportXLSX(rep, documents.ReportHeading{IssuingBody: "Ủy ban nhân dân\ntỉnh Lai Châu", Place: "Lai Châu", Date: e.now})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(documents.ReportSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var head, totals []string
	for i, r := range rows {
		if len(r) > 1 && r[1] == "Tổng cộng" {
			totals, head = r, rows[i-len(rep.Rows)-1]
		}
	}
	if totals == nil || head[2] != "Tổng số" {
		t.Fatalf("no totals row under the headers in %q", rows)
	}
	num := func(col int) float64 {
		t.Helper()
		if col >= len(totals) || totals[col] == "" {
			return -1
		}
		v, err := strconv.ParseFloat(totals[col], 64)
		if err != nil {
			t.Fatalf("totals column %d: %q", col, totals[col])
		}
		return v
	}
	from, to := p.Bounds()
	st, err := e.reader.Stats(e.ctx, "lai-chau", nil, &from, &to)
	if err != nil {
		t.Fatal(err)
	}
	tds, err := e.reader.TakedownOutcomes(e.ctx, StatsQuery{Unit: "lai-chau", From: &from, To: &to})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, c := range tds {
		sent += c.Count
	}
	// The columns: received, the three kinds, resolved, closed, rejected,
	// open, overdue, missed, takedowns sent … (documents.reportColumns).
	for _, c := range []struct {
		name string
		col  int
		want float64
	}{
		{"received", 2, float64(st.Total)},
		{"account compromised", 3, float64(st.ByKind[incident.AccountCompromised])},
		{"impersonation", 4, float64(st.ByKind[incident.Impersonation])},
		{"false information", 5, float64(st.ByKind[incident.FalseInformation])},
		{"missed", 11, float64(st.Missed)},
		{"takedowns sent", 12, float64(sent)},
		{"deadline-met ratio", 17, *st.DeadlineMetRatio},
		{"median hours", 18, *st.MedianHoursToResolve},
	} {
		if got := num(c.col); math.Abs(got-c.want) > 1e-12*max(1, c.want) {
			t.Errorf("XLSX totals %s = %v, stats %v", c.name, got, c.want)
		}
	}
}
