package incident_test

import (
	"testing"
	"time"

	"casetrail/incident"
)

// foldIn folds h's events that occurred before asOf into a PeriodFold of
// [from, to).
func foldIn(t *testing.T, h *history, from, to, asOf time.Time) *incident.PeriodFold {
	t.Helper()
	f := &incident.PeriodFold{From: from, To: to, AsOf: asOf}
	for _, e := range h.events {
		if e.At.Before(asOf) {
			if err := f.Apply(e); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func TestPeriodTally(t *testing.T) {
	type want struct{ received, resolved, closed, rejected, open, overdue, tdSent, tdUnanswered, esc int }
	row := func(r incident.ReportRow) want {
		return want{r.Received, r.Resolved, r.Closed, r.Rejected, r.OpenAtEnd, r.Overdue, r.TakedownsSent, r.TakedownsUnanswered, r.EscalationsSent}
	}
	// The fixture's times: reported at 0 h, takedown at 4 h, escalation
	// requested 5 h, sent 7 h, resolved 9 h, closed 10 h, rejected 2 h.
	for _, tc := range []struct {
		name           string
		fixture        string
		from, to, asOf float64 // hours
		want           want
		met, median    bool
	}{
		{"closed, all in the period", fxClosed, 0, 11, 11, want{received: 1, resolved: 1, closed: 1, tdSent: 1, tdUnanswered: 1}, true, true},
		{"resolved before, closed in the period", fxClosed, 9.5, 11, 11, want{closed: 1}, false, false},
		{"the period ends before the resolution", fxClosed, 0, 8, 8, want{received: 1, open: 1, tdSent: 1, tdUnanswered: 1, esc: 0}, true, false},
		{"rejected in the period", fxRejected, 0, 3, 3, want{received: 1, rejected: 1}, true, false},
		{"reported before the period, open", fxAction, 1, 5, 5, want{open: 1, tdSent: 1, tdUnanswered: 1}, true, false},
		{"reported after the period's end", fxClosed, -10, 0, 0, want{}, false, false},
	} {
		h := fixture(t, tc.fixture)
		f := foldIn(t, h, at(tc.from), at(tc.to), at(tc.asOf))
		var tally incident.ReportTally
		tally.AddFolded(f, false)
		r := tally.Row(incident.ReportUnit{ID: "u"}, false)
		if row(r) != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, row(r), tc.want)
		}
		if (r.DeadlineMetRatio != nil) != tc.met || (r.MedianResolveHours != nil) != tc.median {
			t.Errorf("%s: ratio %v median %v", tc.name, r.DeadlineMetRatio, r.MedianResolveHours)
		}
	}
	// An escalation sent in the period counts once.
	h := fixture(t, fxEscSent)
	f := foldIn(t, h, at(6), at(8), at(8))
	var tally incident.ReportTally
	tally.AddFolded(f, true)
	if r := tally.Row(incident.ReportUnit{}, false); r.EscalationsSent != 1 || r.Missed != 0 || r.OpenAtEnd != 1 {
		t.Errorf("escalation sent at 7 h: %+v", r)
	}
	// A pending deadline past due at the end is the contract's overdue.
	h = fixture(t, fxTriaged)
	f = foldIn(t, h, at(0), at(100), at(100))
	tally = incident.ReportTally{}
	tally.AddFolded(f, true)
	if r := tally.Row(incident.ReportUnit{}, false); r.Overdue != 1 || r.Missed != 1 || r.Received != 1 {
		t.Errorf("triaged, never analysed, 100 h later: %+v", r)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{4, 1}, 2.5}, {[]float64{5, 1, 3}, 3}, {[]float64{1, 2, 3, 10}, 2.5}} {
		if m := incident.Median(tc.in); m == nil || *m != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, m, tc.want)
		}
	}
	if incident.Median(nil) != nil {
		t.Error("Median of nothing")
	}
}
