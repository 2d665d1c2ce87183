package incident_test

import (
	"testing"
	"time"

	"casetrail/incident"
)

// TestDigestDay: the day is midnight to midnight in Vietnam, whatever the
// instant's zone.
func TestDigestDay(t *testing.T) {
	for _, tt := range []struct {
		at   time.Time
		want string // the day's first instant in Vietnam
	}{
		{time.Date(2026, 6, 1, 16, 59, 59, 0, time.UTC), "2026-06-01"}, // 23:59:59 in Vietnam
		{time.Date(2026, 6, 1, 17, 0, 0, 0, time.UTC), "2026-06-02"},   // midnight in Vietnam
		{time.Date(2026, 6, 2, 0, 30, 0, 0, time.UTC), "2026-06-02"},   // 07:30
		{time.Date(2026, 6, 2, 7, 30, 0, 0, incident.VietnamTime), "2026-06-02"},
	} {
		from, to := incident.DigestDay(tt.at)
		if got := from.In(incident.VietnamTime).Format("2006-01-02 15:04"); got != tt.want+" 00:00" || to.Sub(from) != 24*time.Hour ||
			from.Location() != time.UTC {
			t.Errorf("DigestDay(%s) = [%s, %s)", tt.at, from, to)
		}
	}
}

// TestDigestItems: a missed deadline stays until its step happens, a
// running one counts when due before the day's end, an escalation when it
// waits for approval; a rejected case adds nothing.
func TestDigestItems(t *testing.T) {
	h := newHistory(t)
	h.do(reporter, validReport(), t0) // TRIAGE due at 4 h
	_, to := incident.DigestDay(at(1))
	missed, due, pending := h.c.DigestItems(to)
	if len(missed) != 0 || len(due) != 1 || due[0].DeadlineKind != incident.DeadlineTriage || !due[0].DueAt.Equal(at(4)) || pending != nil {
		t.Fatalf("reported: %v %v %v", missed, due, pending)
	}
	if _, due, _ := h.c.DigestItems(at(4)); len(due) != 0 {
		t.Errorf("a deadline due at the day's end counted as due: %v", due)
	}
	h.tick(at(5)) // the miss recorded at 5 h
	missed, due, _ = h.c.DigestItems(to)
	if len(missed) != 1 || !missed[0].MissedAt.Equal(at(5)) || !missed[0].DueAt.Equal(at(4)) || missed[0].Number != "VV-2025-000001" || len(due) != 0 {
		t.Fatalf("triage missed: %v %v", missed, due)
	}
	h.do(handler, incident.Triage{Severity: incident.High, Assignee: handler}, at(6))
	if missed, _, _ := h.c.DigestItems(to); len(missed) != 0 {
		t.Errorf("triaged late, still missed: %v", missed)
	}
	h.do(handler, incident.StartAnalysis{}, at(6.5))
	h.do(handler, incident.RecordAnalysis{Findings: "Mạo danh", Verdict: incident.VerdictFalse}, at(7))
	h.do(handler, incident.RequestEscalation{Reason: "Vượt thẩm quyền"}, at(8))
	if _, _, pending := h.c.DigestItems(to); pending == nil || pending.EscalationReason != "Vượt thẩm quyền" || pending.RequestedBy != handler {
		t.Errorf("escalation waiting: %+v", pending)
	}
	h.do(leader, incident.DeclineEscalation{Reason: "Huyện tự xử lý"}, at(9))
	h.do(handler, incident.Reject{Reason: "Trùng lặp"}, at(10))
	if m, d, p := h.c.DigestItems(to); m != nil || d != nil || p != nil {
		t.Errorf("a rejected case adds %v %v %v", m, d, p)
	}
}
