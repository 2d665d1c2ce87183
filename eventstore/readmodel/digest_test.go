package readmodel

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestLeaderDigests gathers the leaders' digests of Tuesday 2 June 2026,
// 07:30 in Vietnam, on the real PostgreSQL. The cases (now = 07:30):
//
//	M  commune xa-phuc-khoa, REPORTED 10 h ago: TRIAGE missed 6 h ago.
//	D  district tan-uyen, REPORTED 30 min ago: TRIAGE due 11:00 today.
//	T  tan-uyen, triaged an hour ago (MEDIUM): TRIAGE met, ANALYSIS due
//	   06:30 tomorrow — not today's.
//	E  tan-uyen, escalation requested an hour ago: PENDING_APPROVAL, its
//	   ESCALATION_APPROVAL due 10:30 today.
//	X  dien-bien/xa-tuan-giao: TRIAGE missed (another province).
//	R  tan-uyen: TRIAGE missed, then rejected (closed: nothing).
//
// A leader of the province sees the district's and the commune's, a
// leader of the district its commune's, the commune's leader only M; two
// grants on nested units list a case once; a leader with nothing to hear
// gets an empty digest.
func TestLeaderDigests(t *testing.T) {
	e := newEnv(t)
	e.registerUnits(t, testUnits...)
	at := time.Date(2026, 6, 2, 7, 30, 0, 0, incident.VietnamTime)
	h := time.Hour
	names := map[string]string{} // case number -> letter

	report := func(letter, unit string, reported time.Time) *tcase {
		tc := e.report(t, "reporter1", reported, incident.Report{Unit: unit, Title: "Vụ việc " + letter, EscalatesTo: "lai-chau/so-vhttdl"})
		names[tc.c.Number] = letter
		return tc
	}
	m := report("M", "lai-chau/tan-uyen/xa-phuc-khoa", at.Add(-10*h))
	m.clock(t, at.Add(-5*h))
	report("D", "lai-chau/tan-uyen", at.Add(-h/2))
	tt := report("T", "lai-chau/tan-uyen", at.Add(-2*h))
	tt.do(t, "handler1", at.Add(-h), incident.Triage{Severity: incident.Medium, Assignee: "handler1"})
	esc := report("E", "lai-chau/tan-uyen", at.Add(-4*h))
	esc.triageAnalyse(t, at.Add(-3*h), incident.High, incident.VerdictFalse)
	esc.do(t, "handler1", at.Add(-h), incident.RequestEscalation{Reason: "Vượt thẩm quyền"})
	x := report("X", "dien-bien/xa-tuan-giao", at.Add(-9*h))
	x.clock(t, at.Add(-4*h))
	r := report("R", "lai-chau/tan-uyen", at.Add(-8*h))
	r.clock(t, at.Add(-3*h))
	r.do(t, "leader1", at.Add(-2*h), incident.Reject{Reason: "Không thuộc thẩm quyền"})
	e.catchUp(t)

	for _, d := range tt.c.PendingDeadlines() {
		if d.Kind == incident.DeadlineAnalysis && !d.DueAt.Equal(at.Add(23*h)) || d.DueAt.Before(at.Add(23*h)) {
			t.Fatalf("T's deadline %+v; the test wants ANALYSIS due tomorrow 06:30 and nothing sooner", d)
		}
	}

	got, err := e.reader.LeaderDigests(e.ctx, []LeaderGrant{
		{Subject: "tinh", Unit: "lai-chau"},
		{Subject: "huyen", Unit: "lai-chau/tan-uyen"},
		{Subject: "xa", Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
		{Subject: "hai-cap", Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
		{Subject: "hai-cap", Unit: "lai-chau/tan-uyen"},
		{Subject: "dien-bien", Unit: "dien-bien"},
		{Subject: "cong-an", Unit: "lai-chau/cong-an"},
	}, at)
	if err != nil {
		t.Fatal(err)
	}
	// line shows a list as "M:TRIAGE@01:30" (deadlines, their due time in
	// Vietnam) or "E" (escalations).
	line := func(items []incident.DigestItem) string {
		var s []string
		for _, it := range items {
			w := names[it.Number]
			if it.DeadlineKind != "" {
				w += fmt.Sprintf(":%s@%s", it.DeadlineKind, it.DueAt.In(incident.VietnamTime).Format("15:04"))
			}
			s = append(s, w)
		}
		return strings.Join(s, " ")
	}
	district := [3]string{"M:TRIAGE@01:30", "E:ESCALATION_APPROVAL@10:30 D:TRIAGE@11:00", "E"}
	want := map[string][3]string{
		"cong-an":   {},
		"dien-bien": {"X:TRIAGE@02:30", "", ""},
		"hai-cap":   district,
		"huyen":     district,
		"tinh":      district,
		"xa":        {"M:TRIAGE@01:30", "", ""},
	}
	var leaders []string
	from, to := incident.DigestDay(at)
	for _, d := range got {
		leaders = append(leaders, d.Leader)
		if !d.From.Equal(from) || !d.To.Equal(to) || !d.From.Equal(time.Date(2026, 6, 2, 0, 0, 0, 0, incident.VietnamTime)) {
			t.Errorf("%s: day [%s, %s), want 2 June in Vietnam", d.Leader, d.From, d.To)
		}
		if g := [3]string{line(d.Missed), line(d.DueToday), line(d.PendingApproval)}; g != want[d.Leader] {
			t.Errorf("%s: missed, due today, pending approval\n got  %q\n want %q", d.Leader, g, want[d.Leader])
		}
		if d.MissedTotal != len(d.Missed) || d.DueTodayTotal != len(d.DueToday) || d.PendingApprovalTotal != len(d.PendingApproval) {
			t.Errorf("%s: totals %d/%d/%d for lists of %d/%d/%d", d.Leader, d.MissedTotal, d.DueTodayTotal, d.PendingApprovalTotal,
				len(d.Missed), len(d.DueToday), len(d.PendingApproval))
		}
		if d.Empty() != (d.Leader == "cong-an") {
			t.Errorf("%s: Empty() = %v", d.Leader, d.Empty())
		}
	}
	mustEqual(t, "leaders", strings.Join(leaders, " "), "cong-an dien-bien hai-cap huyen tinh xa")
	mustEqual(t, "hai-cap's units", got[2].Units, []string{"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa"})

	// The items carry what the message names.
	hv := got[3]
	if t.Failed() {
		t.FailNow()
	}
	if it := hv.Missed[0]; it.Title != "Vụ việc M" || it.Unit != "lai-chau/tan-uyen/xa-phuc-khoa" || it.Status != incident.StatusReported ||
		!it.MissedAt.Equal(at.Add(-6*h)) || it.CaseID != m.id {
		t.Errorf("missed item %+v", it)
	}
	if it := hv.PendingApproval[0]; it.EscalationReason != "Vượt thẩm quyền" || it.RequestedBy != "handler1" ||
		!it.RequestedAt.Equal(at.Add(-h)) || it.Severity != incident.High || it.Assignee != "handler1" {
		t.Errorf("escalation item %+v", it)
	}

	// A day later the missed ones are still there; E's approval is missed
	// too (recorded by its clock), and nothing of 3 June is due.
	esc.clock(t, at.Add(5*h))
	e.catchUp(t)
	got, err = e.reader.LeaderDigests(e.ctx, []LeaderGrant{{Subject: "huyen", Unit: "lai-chau/tan-uyen"}}, at.Add(24*h))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d digests", len(got))
	}
	if g := [3]string{line(got[0].Missed), line(got[0].DueToday), line(got[0].PendingApproval)}; g[0] != "M:TRIAGE@01:30 E:ESCALATION_APPROVAL@10:30" || g[2] != "E" ||
		!strings.Contains(g[1], "D:TRIAGE@11:00") || !strings.Contains(g[1], "T:ANALYSIS@06:30") {
		t.Errorf("the next day: %q", g)
	}

	if got, err := e.reader.LeaderDigests(e.ctx, nil, at); err != nil || len(got) != 0 {
		t.Errorf("no grants: %v, %v", got, err)
	}
}

// TestDigestCut: a list longer than incident.DigestLimit is cut, the
// total counts all.
func TestDigestCut(t *testing.T) {
	e := newEnv(t)
	e.registerUnits(t, "lai-chau", "lai-chau/tan-uyen")
	at := time.Date(2026, 6, 2, 7, 30, 0, 0, incident.VietnamTime)
	n := incident.DigestLimit + 3
	for i := range n {
		e.report(t, "reporter1", at.Add(-time.Duration(i+1)*time.Minute), incident.Report{Unit: "lai-chau/tan-uyen"})
	}
	e.catchUp(t)
	got, err := e.reader.LeaderDigests(e.ctx, []LeaderGrant{{Subject: "tinh", Unit: "lai-chau"}}, at)
	if err != nil {
		t.Fatal(err)
	}
	d := got[0]
	if d.DueTodayTotal != n || len(d.DueToday) != incident.DigestLimit || len(d.Missed) != 0 {
		t.Fatalf("due today %d listed of %d, want %d of %d", len(d.DueToday), d.DueTodayTotal, incident.DigestLimit, n)
	}
	// Soonest first: the case reported first is due first.
	for i := 1; i < len(d.DueToday); i++ {
		if d.DueToday[i].DueAt.Before(d.DueToday[i-1].DueAt) {
			t.Fatalf("not in due order at %d", i)
		}
	}
}
