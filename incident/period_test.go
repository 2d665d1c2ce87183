package incident_test

import (
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// vn is a wall-clock time in Vietnam (+07:00).
func vn(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.FixedZone("+07", 7*3600))
}

func TestReportPeriodBounds(t *testing.T) {
	for _, tc := range []struct {
		period     string
		from, last time.Time // last: the 14th, 00:00
		label      string
	}{
		{"2026-03", vn(2026, 2, 15, 0, 0), vn(2026, 3, 14, 0, 0), "tháng 3 năm 2026"},
		{"2026-01", vn(2025, 12, 15, 0, 0), vn(2026, 1, 14, 0, 0), "tháng 1 năm 2026"}, // across the year
		{"2026-12", vn(2026, 11, 15, 0, 0), vn(2026, 12, 14, 0, 0), "tháng 12 năm 2026"},
		{"2026-Q1", vn(2025, 12, 15, 0, 0), vn(2026, 3, 14, 0, 0), "quý I năm 2026"},
		{"2026-Q2", vn(2026, 3, 15, 0, 0), vn(2026, 6, 14, 0, 0), "quý II năm 2026"},
		{"2026-Q4", vn(2026, 9, 15, 0, 0), vn(2026, 12, 14, 0, 0), "quý IV năm 2026"},
		{"2026-H1", vn(2025, 12, 15, 0, 0), vn(2026, 6, 14, 0, 0), "6 tháng đầu năm 2026"},
		{"2026-H2", vn(2026, 6, 15, 0, 0), vn(2026, 12, 14, 0, 0), "6 tháng cuối năm 2026"},
		{"2026", vn(2025, 12, 15, 0, 0), vn(2026, 12, 14, 0, 0), "năm 2026"},
		{"2024-02", vn(2024, 1, 15, 0, 0), vn(2024, 2, 14, 0, 0), "tháng 2 năm 2024"}, // a leap year changes nothing
	} {
		p, err := incident.ParseReportPeriod(tc.period)
		if err != nil {
			t.Fatalf("%s: %v", tc.period, err)
		}
		from, to := p.Bounds()
		if !from.Equal(tc.from) || !to.Equal(tc.last.AddDate(0, 0, 1)) || !p.LastDay().Equal(tc.last) {
			t.Errorf("%s: [%s, %s) last %s, want [%s, %s 24:00)", tc.period, from, to, p.LastDay(), tc.from, tc.last)
		}
		if p.String() != tc.period || p.Label() != tc.label {
			t.Errorf("%s: String %q Label %q, want %q", tc.period, p.String(), p.Label(), tc.label)
		}
	}
}

// TestReportPeriodCutOff: 14/3 23:59 +07:00 is in March, 15/3 00:00 is
// not (it is April's first instant), whatever zone the instant is given in.
func TestReportPeriodCutOff(t *testing.T) {
	march, _ := incident.ParseReportPeriod("2026-03")
	from, to := march.Bounds()
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, tc := range []struct {
		at   time.Time
		in   bool
		next string // the month PeriodContaining gives
	}{
		{vn(2026, 3, 14, 23, 59), true, "2026-03"},
		{vn(2026, 3, 14, 23, 59).Add(59*time.Second + 999*time.Millisecond), true, "2026-03"},
		{vn(2026, 3, 15, 0, 0), false, "2026-04"},
		{vn(2026, 2, 15, 0, 0), true, "2026-03"},
		{vn(2026, 2, 14, 23, 59), false, "2026-02"},
		{time.Date(2026, 3, 14, 16, 59, 0, 0, time.UTC), true, "2026-03"},  // 23:59 in Vietnam
		{time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC), false, "2026-04"},  // 15/3 00:00 in Vietnam
		{time.Date(2025, 12, 14, 17, 0, 0, 0, time.UTC), false, "2026-01"}, // 15/12 00:00: next year's January
	} {
		if in(tc.at) != tc.in {
			t.Errorf("%s in March: %v, want %v", tc.at, in(tc.at), tc.in)
		}
		if got := incident.PeriodContaining(incident.PeriodMonth, tc.at).String(); got != tc.next {
			t.Errorf("PeriodContaining(month, %s) = %s, want %s", tc.at, got, tc.next)
		}
	}
	for _, tc := range []struct {
		kind incident.PeriodKind
		at   time.Time
		want string
	}{
		{incident.PeriodQuarter, vn(2025, 12, 15, 0, 0), "2026-Q1"},
		{incident.PeriodQuarter, vn(2025, 12, 14, 23, 59), "2025-Q4"},
		{incident.PeriodQuarter, vn(2026, 3, 15, 0, 0), "2026-Q2"},
		{incident.PeriodHalfYear, vn(2026, 6, 14, 12, 0), "2026-H1"},
		{incident.PeriodHalfYear, vn(2026, 6, 15, 0, 0), "2026-H2"},
		{incident.PeriodYear, vn(2026, 12, 14, 23, 59), "2026"},
		{incident.PeriodYear, vn(2026, 12, 15, 0, 0), "2027"},
	} {
		if got := incident.PeriodContaining(tc.kind, tc.at).String(); got != tc.want {
			t.Errorf("PeriodContaining(%s, %s) = %s, want %s", tc.kind, tc.at, got, tc.want)
		}
	}
	for _, tc := range [][2]string{{"2026-01", "2025-12"}, {"2026-Q1", "2025-Q4"}, {"2026-H1", "2025-H2"}, {"2026-H2", "2026-H1"}, {"2026", "2025"}} {
		p, _ := incident.ParseReportPeriod(tc[0])
		if got := p.Previous().String(); got != tc[1] {
			t.Errorf("%s.Previous() = %s, want %s", tc[0], got, tc[1])
		}
	}
}

func TestParseReportPeriod(t *testing.T) {
	for in, want := range map[string]incident.ReportPeriod{
		"2026-03":   {Kind: incident.PeriodMonth, Year: 2026, N: 3},
		" 2026-q1 ": {Kind: incident.PeriodQuarter, Year: 2026, N: 1},
		"2026-H2":   {Kind: incident.PeriodHalfYear, Year: 2026, N: 2},
		"2026":      {Kind: incident.PeriodYear, Year: 2026, N: 1},
	} {
		got, err := incident.ParseReportPeriod(in)
		if err != nil || got != want {
			t.Errorf("ParseReportPeriod(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-3", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-H3", "26-03",
		"2026/03", "2026-03-01", "march", "1900", "2026-Q", "2026-W10", "２０２６"} {
		_, err := incident.ParseReportPeriod(in)
		if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != "period" ||
			!strings.Contains(err.Error(), `"2026-Q1"`) || !strings.Contains(err.Error(), `"2026-H1"`) {
			t.Errorf("ParseReportPeriod(%q): %v, want BAD_USER_INPUT on period naming the forms", in, err)
		}
	}
}
