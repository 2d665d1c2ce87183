package incident

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reporting periods of Decree 09/2019/NĐ-CP (chế độ báo cáo của cơ quan
// hành chính nhà nước), Art. 12: the data of a periodic report is cut off
//
//   - monthly: from the 15th of the previous month to the 14th of the
//     report month;
//   - quarterly: from the 15th of the month before the quarter to the 14th
//     of the quarter's last month;
//   - half-yearly: from the 15th of the month before the half to the 14th
//     of its sixth month;
//   - yearly: from 15 December of the previous year to 14 December of the
//     report year.
//
// Days are those of Vietnam (+07:00, no daylight saving since 1975). The
// 14th is included to its last instant, so a period is the half-open
// interval [the 15th 00:00, the next 15th 00:00): a case reported on 14/3
// at 23:59 +07:00 counts in March, one reported on 15/3 at 00:00 in April.

// VietnamTime is the time zone of Vietnam (Asia/Ho_Chi_Minh): UTC+07:00.
var VietnamTime = time.FixedZone("ICT", 7*60*60)

// PeriodKind is the length of a reporting period.
type PeriodKind string

// The kinds of period.
const (
	PeriodMonth    PeriodKind = "MONTH"
	PeriodQuarter  PeriodKind = "QUARTER"
	PeriodHalfYear PeriodKind = "HALF_YEAR"
	PeriodYear     PeriodKind = "YEAR"
)

// PeriodKinds lists the kinds, shortest first.
var PeriodKinds = []PeriodKind{PeriodMonth, PeriodQuarter, PeriodHalfYear, PeriodYear}

// months is how many report months a period of kind k spans (0: unknown).
func (k PeriodKind) months() int {
	switch k {
	case PeriodMonth:
		return 1
	case PeriodQuarter:
		return 3
	case PeriodHalfYear:
		return 6
	case PeriodYear:
		return 12
	}
	return 0
}

// ReportPeriod is one reporting period: Kind of Year, the N-th of the year
// (the month 1–12, the quarter 1–4, the half 1–2; 1 for a year).
type ReportPeriod struct {
	Kind PeriodKind `json:"kind"`
	Year int        `json:"year"`
	N    int        `json:"number"`
}

// Years a period may have.
const (
	MinPeriodYear = 1975
	MaxPeriodYear = 9999
)

// PeriodForms names the accepted forms of ParseReportPeriod (for messages).
const PeriodForms = `"2026-03" (month), "2026-Q1" (quarter), "2026-H1" (half-year) or "2026" (year)`

// Validate reports what makes p no period (BAD_USER_INPUT on field period).
func (p ReportPeriod) Validate() error {
	m := p.Kind.months()
	switch {
	case m == 0:
		return BadInput("period", "unknown kind of period %q", p.Kind)
	case p.Year < MinPeriodYear || p.Year > MaxPeriodYear:
		return BadInput("period", "year %d is not between %d and %d", p.Year, MinPeriodYear, MaxPeriodYear)
	case p.N < 1 || p.N > 12/m:
		return BadInput("period", "%s number %d is not between 1 and %d", p.Kind, p.N, 12/m)
	}
	return nil
}

// ParseReportPeriod reads a period in one of PeriodForms (letters in either
// case, surrounding spaces ignored); anything else is BAD_USER_INPUT naming
// the accepted forms.
func ParseReportPeriod(s string) (ReportPeriod, error) {
	bad := func() (ReportPeriod, error) {
		return ReportPeriod{}, BadInput("period", "%q is not a period; use %s", s, PeriodForms)
	}
	t := strings.ToUpper(strings.TrimSpace(s))
	year, rest, _ := strings.Cut(t, "-")
	if len(year) != 4 || !digits(year) {
		return bad()
	}
	y, _ := strconv.Atoi(year)
	p := ReportPeriod{Kind: PeriodYear, Year: y, N: 1}
	switch {
	case t == year:
	case len(rest) == 2 && digits(rest):
		p.Kind = PeriodMonth
	case len(rest) == 2 && rest[0] == 'Q' && digits(rest[1:]):
		p.Kind, rest = PeriodQuarter, rest[1:]
	case len(rest) == 2 && rest[0] == 'H' && digits(rest[1:]):
		p.Kind, rest = PeriodHalfYear, rest[1:]
	default:
		return bad()
	}
	if p.Kind != PeriodYear {
		p.N, _ = strconv.Atoi(rest)
	}
	if err := p.Validate(); err != nil {
		return ReportPeriod{}, BadInput("period", "%q: %s; use %s", s, err.(*Error).Message, PeriodForms)
	}
	return p, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// String is the period in the form ParseReportPeriod reads: "2026-03",
// "2026-Q1", "2026-H2", "2026".
func (p ReportPeriod) String() string {
	switch p.Kind {
	case PeriodMonth:
		return fmt.Sprintf("%04d-%02d", p.Year, p.N)
	case PeriodQuarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.N)
	case PeriodHalfYear:
		return fmt.Sprintf("%04d-H%d", p.Year, p.N)
	}
	return fmt.Sprintf("%04d", p.Year)
}

// reportMonths returns the first and last report month of p, 1–12.
func (p ReportPeriod) reportMonths() (first, last int) {
	m := p.Kind.months()
	return (p.N-1)*m + 1, p.N * m
}

// Bounds returns the period's data cut-off as the half-open interval
// [from, to): from the 15th 00:00 +07:00 of the month before its first
// report month to the 15th 00:00 +07:00 of its last report month (the 14th
// included whole). p must be valid.
func (p ReportPeriod) Bounds() (from, to time.Time) {
	first, last := p.reportMonths()
	from = time.Date(p.Year, time.Month(first-1), 15, 0, 0, 0, 0, VietnamTime) // month 0 is December of the year before
	to = time.Date(p.Year, time.Month(last), 15, 0, 0, 0, 0, VietnamTime)
	return from, to
}

// LastDay returns the period's last day (the 14th), at 00:00 +07:00.
func (p ReportPeriod) LastDay() time.Time {
	_, to := p.Bounds()
	return to.AddDate(0, 0, -1)
}

var romanQuarter = []string{"", "I", "II", "III", "IV"}

// Label names the period as a Vietnamese report does: "tháng 3 năm 2026",
// "quý I năm 2026", "6 tháng đầu năm 2026", "6 tháng cuối năm 2026",
// "năm 2026".
func (p ReportPeriod) Label() string {
	switch p.Kind {
	case PeriodMonth:
		return fmt.Sprintf("tháng %d năm %d", p.N, p.Year)
	case PeriodQuarter:
		if p.N >= 1 && p.N <= 4 {
			return fmt.Sprintf("quý %s năm %d", romanQuarter[p.N], p.Year)
		}
	case PeriodHalfYear:
		if p.N == 1 {
			return fmt.Sprintf("6 tháng đầu năm %d", p.Year)
		}
		return fmt.Sprintf("6 tháng cuối năm %d", p.Year)
	}
	return fmt.Sprintf("năm %d", p.Year)
}

// PeriodContaining returns the period of kind k whose bounds hold t: the
// report month of t is its month in Vietnam, or the next one from the 15th
// on. k must be a known kind.
func PeriodContaining(k PeriodKind, t time.Time) ReportPeriod {
	v := t.In(VietnamTime)
	month := time.Date(v.Year(), v.Month(), 1, 0, 0, 0, 0, VietnamTime)
	if v.Day() >= 15 {
		month = month.AddDate(0, 1, 0)
	}
	m := k.months()
	if m == 0 {
		m, k = 1, PeriodMonth
	}
	return ReportPeriod{Kind: k, Year: month.Year(), N: (int(month.Month())-1)/m + 1}
}

// Previous returns the period of the same kind just before p.
func (p ReportPeriod) Previous() ReportPeriod {
	from, _ := p.Bounds()
	return PeriodContaining(p.Kind, from.Add(-time.Nanosecond))
}
