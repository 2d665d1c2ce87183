package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Word says a value of the contract (a kind, status, severity, platform or
// deadline kind) in the printer's language: the catalog's prefix.value
// (kind.IMPERSONATION, status.REPORTED, ...). A value the catalog lacks is
// shown as itself and logged, as T does; TestWorklistCatalog checks every
// value of incident has its words.
func (p *Printer) Word(prefix string, value any) string {
	v := fmt.Sprint(value)
	if v == "" {
		return ""
	}
	return p.T(prefix + "." + v)
}

// Number writes n with the language's thousands separator: 1.480 in
// Vietnamese, 1,480 in English.
func (p *Printer) Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := "."
	if p.lang == English {
		sep = ","
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Span says a duration the way a deadline is told: "3 ngày 4 giờ",
// "2 giờ 15 phút", "15 phút", "dưới 1 phút" (rounded down to the minute;
// the sign is ignored).
func (p *Printer) Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int(d / time.Minute)
	days, hours, minutes := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0 && hours > 0:
		return p.T("span.days", days) + " " + p.T("span.hours", hours)
	case days > 0:
		return p.T("span.days", days)
	case hours > 0 && minutes > 0:
		return p.T("span.hours", hours) + " " + p.T("span.minutes", minutes)
	case hours > 0:
		return p.T("span.hours", hours)
	case minutes > 0:
		return p.T("span.minutes", minutes)
	}
	return p.T("span.underOne")
}

// FileSize says a size in bytes: "812 byte", "12,5 KB", "3,2 MB" (decimal
// comma in Vietnamese).
func (p *Printer) FileSize(n int64) string {
	num := func(f float64) string {
		s := strconv.FormatFloat(f, 'f', 1, 64)
		s = strings.TrimSuffix(s, ".0")
		if p.lang == Vietnamese {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	switch {
	case n < 1024:
		return p.T("size.bytes", p.Number(int(n)))
	case n < 1<<20:
		return p.T("size.kilobytes", num(float64(n)/1024))
	}
	return p.T("size.megabytes", num(float64(n)/(1<<20)))
}

// deadlineView is a deadline as the worklist shows it.
type deadlineView struct {
	Kind   string    `json:"kind"`
	State  string    `json:"state"`
	DueAt  time.Time `json:"dueAt"`
	Starts time.Time `json:"startedAt"`
}

// dueShown is the next deadline of a case, told for a page: its name, the
// time left ("còn 2 giờ 15 phút") or past ("quá hạn 3 giờ"), when it falls
// due, and its urgency: "over" (past due: red), "soon" (under 20 % of its
// span left: amber) or "ok".
type dueShown struct {
	Name, Left, At, Urgency string
}

// soonShare is the share of a deadline's span under which it is shown as
// soon due (amber).
const soonShare = 0.2

// nextDue returns the PENDING deadline of ds that falls due first, told
// as of now; ok is false when none is pending.
func (p *Printer) nextDue(ds []deadlineView, now time.Time) (dueShown, bool) {
	var next *deadlineView
	for i := range ds {
		d := &ds[i]
		if d.State == "PENDING" && (next == nil || d.DueAt.Before(next.DueAt)) {
			next = d
		}
	}
	if next == nil {
		return dueShown{}, false
	}
	left := next.DueAt.Sub(now)
	out := dueShown{Name: p.Word("deadline", next.Kind), At: p.Time(next.DueAt), Urgency: "ok"}
	switch span := next.DueAt.Sub(next.Starts); {
	case left <= 0:
		out.Left, out.Urgency = p.T("due.over", p.Span(left)), "over"
	case !next.Starts.IsZero() && span > 0 && float64(left) < soonShare*float64(span):
		out.Left, out.Urgency = p.T("due.left", p.Span(left)), "soon"
	default:
		out.Left = p.T("due.left", p.Span(left))
	}
	return out, true
}

// missed names the deadlines of ds that were MISSED (a case's
// missedDeadlines: missed, and the step not done since), each kind once.
func (p *Printer) missed(ds []deadlineView) string {
	var names []string
	seen := map[string]bool{}
	for _, d := range ds {
		if d.State == "MISSED" && !seen[d.Kind] {
			seen[d.Kind] = true
			names = append(names, p.Word("deadline", d.Kind))
		}
	}
	return strings.Join(names, ", ")
}
