package web

import (
	"regexp"
	"time"

	"casetrail/incident"
)

// leftText says how a due time stands at now: "còn 2 giờ 15 phút" before
// it, "quá hạn 3 giờ" after.
func leftText(p *Printer, due, now time.Time) string {
	if now.Before(due) {
		return p.T("due.left", p.Span(due.Sub(now)))
	}
	return p.T("due.over", p.Span(now.Sub(due)))
}

// Actor names who did something: "Hệ thống" for the system, else the
// person's display name when known (names maps usernames to them), else
// the username.
func (p *Printer) Actor(names map[string]string, username string) string {
	if username == incident.SystemActor {
		return p.T("actor.system")
	}
	if username == incident.PublicSubject { // the citizens' report form (public_*.go)
		return p.T("actor.public")
	}
	if n := names[username]; n != "" {
		return n
	}
	return username
}

// autoEscalation is the reason the domain gives an escalation it opens
// itself when a takedown's answer is missed (incident.DueEvents).
var autoEscalation = regexp.MustCompile(`^Takedown (\S+) was not answered within (\S+) \(automatic escalation\)$`)

// reasonText says the reason of an escalation: the system's own reason in
// the printer's language, a person's as written.
func reasonText(p *Printer, actor, reason string) string {
	if actor != incident.SystemActor {
		return reason
	}
	m := autoEscalation.FindStringSubmatch(reason)
	if m == nil {
		return reason
	}
	span := m[2]
	if d, err := time.ParseDuration(m[2]); err == nil {
		span = p.Span(d)
	}
	return p.T("case.escalation.auto", m[1], span)
}
