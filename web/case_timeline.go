package web

import (
	"context"
	"math"
	"strings"
	"time"

	"casetrail/incident"
)

// timelineEntry is one event of a case's history in words.
type timelineEntry struct {
	Version    int64
	At         time.Time
	Actor      string // who, in words ("Hệ thống" for the system)
	System     bool
	Text       string // what happened
	Detail     string // the free text the event carries (a reason, a comment, findings)
	Comment    bool
	Hash       string
	PrevHash   string
	Position   string
	Data       string
	ChainBreak bool // prevHash differs from the hash of the event before
}

// timeline says every event of events in p's language; names gives the
// people's display names and units the names of the units the case knows.
func timeline(p *Printer, events []eventData, names map[string]string, units map[string]string) []timelineEntry {
	out := make([]timelineEntry, 0, len(events))
	tasks := taskTitles(events)
	for i, e := range events {
		t := timelineEntry{
			Version: e.Version, At: e.OccurredAt, Actor: p.Actor(names, e.Actor), System: e.Actor == incident.SystemActor,
			Hash: e.Hash, PrevHash: e.PrevHash, Position: e.GlobalPosition, Data: e.Data,
			ChainBreak: i > 0 && events[i-1].Version == e.Version-1 && events[i-1].Hash != e.PrevHash,
		}
		t.Text, t.Detail = describe(p, e, names, units, tasks)
		t.Comment = e.Type == incident.TypeCommentAdded
		out = append(out, t)
	}
	return out
}

// taskTitles returns the titles of the playbook's tasks by id, as the
// triage planned them in events.
func taskTitles(events []eventData) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.Type != incident.TypeCaseTriaged {
			continue
		}
		if x, err := incident.DecodePayload(e.Type, []byte(e.Data)); err == nil {
			for _, t := range x.(incident.CaseTriaged).Tasks {
				out[t.ID] = t.Title
			}
		}
	}
	return out
}

// describe says what event e did and the free text it carries; tasks are
// the titles of the playbook's tasks by id.
func describe(p *Printer, e eventData, names, units, tasks map[string]string) (text, detail string) {
	payload, err := incident.DecodePayload(e.Type, []byte(e.Data))
	if err != nil {
		return p.T("event.unknown"), ""
	}
	unit := func(id string) string {
		if n := units[id]; n != "" {
			return n
		}
		return id
	}
	dl := func(k incident.DeadlineKind) string { return p.Word("deadline", string(k)) }
	switch x := payload.(type) {
	case incident.CaseReported:
		return p.T("event.CaseReported", x.Title), x.Description
	case incident.ReportMerged:
		return p.T("event.ReportMerged", x.Title), x.Description
	case incident.CaseTriaged:
		return p.T("event.CaseTriaged", p.Word("severity", string(x.Severity)), p.Actor(names, x.Assignee)), x.Note
	case incident.CaseAssigned:
		return p.T("event.CaseAssigned", p.Actor(names, x.Assignee)), ""
	case incident.AnalysisStarted:
		return p.T("event.AnalysisStarted"), ""
	case incident.AnalysisRecorded:
		v := p.T("event.noVerdict")
		if x.Verdict != "" {
			v = p.Word("verdict", string(x.Verdict))
		}
		return p.T("event.AnalysisRecorded", v), x.Findings
	case incident.EvidenceAdded:
		return p.T("event.EvidenceAdded", x.Description, p.FileSize(x.SizeBytes)), ""
	case incident.TakedownRequested:
		title := p.T("event.TakedownRequested", x.TakedownID, p.Word("platform", string(x.Platform)), x.TargetURL)
		if x.Authority != "" { // an authority's request (issue 17, §2)
			title += " " + p.T("event.TakedownRequested.authority", x.Authority)
		}
		return title, x.Reason
	case incident.TakedownResponded:
		return p.T("event.TakedownResponded", x.TakedownID, p.Word("outcome", string(x.Outcome))), x.Note
	case incident.EscalationRequested:
		return p.T("event.EscalationRequested", unit(x.To)) + alsoTo(p, x.Recipients, x.To, unit), reasonText(p, e.Actor, x.Reason)
	case incident.EscalationApproved:
		return p.T("event.EscalationApproved"), x.Note
	case incident.EscalationDeclined:
		return p.T("event.EscalationDeclined"), x.Reason
	case incident.EscalationSent:
		return p.T("event.EscalationSent", x.DispatchNumber, unit(x.To)), ""
	case incident.EscalationResponded:
		state := p.T("event.escalationAck")
		if x.Resolved {
			state = p.T("event.escalationResolved")
		}
		if x.Recipient != "" { // recorded per recipient (issue 17, §3)
			state += " – " + unit(x.Recipient)
		}
		return p.T("event.EscalationResponded", state), x.Response
	case incident.DeadlineSet:
		return p.T("event.DeadlineSet", dl(x.Kind), p.Time(x.DueAt)), ""
	case incident.DeadlineReminder:
		return p.T("event.DeadlineReminder", dl(x.Kind), int(math.Round(x.Fraction*100)), p.Time(x.DueAt)), ""
	case incident.DeadlineMet:
		return p.T("event.DeadlineMet", dl(x.Kind)), ""
	case incident.DeadlineMissed:
		return p.T("event.DeadlineMissed", dl(x.Kind)), ""
	case incident.DeadlineCancelled:
		return p.T("event.DeadlineCancelled", dl(x.Kind)), ""
	case incident.CaseResolved:
		return p.T("event.CaseResolved"), x.Resolution
	case incident.CaseClosed:
		return p.T("event.CaseClosed"), x.Note
	case incident.CaseRejected:
		return p.T("event.CaseRejected"), x.Reason
	case incident.CaseReopened:
		return p.T("event.CaseReopened"), x.Reason
	case incident.CommentAdded:
		return p.T("event.CommentAdded"), x.Text
	case incident.NotificationSent: // case_delivery.go
		return describeDelivery(p, e.Type, x, names)
	case incident.NotificationFailed:
		return describeDelivery(p, e.Type, incident.NotificationSent(x), names)
	case incident.TaskCompleted, incident.TaskWaived:
		id, detail := "", ""
		switch x := x.(type) {
		case incident.TaskCompleted:
			id, detail = x.TaskID, strings.TrimSpace(x.URL+"\n"+x.Note)
		case incident.TaskWaived:
			id, detail = x.TaskID, x.Reason
		}
		title := tasks[id]
		if title == "" {
			title = id
		}
		return p.T("event."+e.Type, title), detail
	}
	return p.T("event.unknown"), ""
}

// deadlineRow is a deadline as the page shows it.
type deadlineRow struct {
	Kind, State, Due, Left, Ref string
	// Class is "missed" (missed, or past due and still running), "soon"
	// (under 20 % of its span left) or "".
	Class string
}

// deadlineRows says c's deadlines at now; starts gives, by kind and ref,
// when each running deadline began (from the history's DeadlineSet), for
// the 20 % warning.
func deadlineRows(p *Printer, c *caseData, now time.Time, starts map[string]time.Time) []deadlineRow {
	var out []deadlineRow
	for _, d := range c.Deadlines {
		r := deadlineRow{Kind: p.Word("deadline", d.Kind), State: p.Word("deadlineState", d.State), Due: p.Time(d.DueAt)}
		if d.Ref != "" {
			r.Ref = p.T("case.deadline.ref", d.Ref)
		}
		switch {
		case d.State == string(incident.StatePending):
			r.Left = leftText(p, d.DueAt, now)
			if !now.Before(d.DueAt) {
				r.Class = "missed"
			} else if start, ok := starts[d.Kind+"/"+d.Ref]; ok && d.DueAt.After(start) &&
				d.DueAt.Sub(now) < d.DueAt.Sub(start)/5 {
				r.Class = "soon"
			}
		case d.SettledAt != nil:
			r.Left = p.T("case.deadline.settled", p.Time(*d.SettledAt))
		}
		if d.State == string(incident.StateMissed) {
			r.Class = "missed"
		}
		out = append(out, r)
	}
	return out
}

// deadlineStarts reads, from a history, when the last deadline of each
// kind and ref began.
func deadlineStarts(events []eventData) map[string]time.Time {
	out := map[string]time.Time{}
	for _, e := range events {
		if e.Type != incident.TypeDeadlineSet {
			continue
		}
		payload, err := incident.DecodePayload(e.Type, []byte(e.Data))
		if err != nil {
			continue
		}
		x := payload.(incident.DeadlineSet)
		start := x.StartedAt
		if start.IsZero() {
			start = e.OccurredAt
		}
		out[string(x.Kind)+"/"+x.Ref] = start
	}
	return out
}

// people returns the usernames a case page names: who reported, holds,
// added, recorded, requested and approved, and every actor and assignee
// of the history.
func people(c *caseData) []string {
	seen := map[string]bool{}
	var out []string
	add := func(u string) {
		if u != "" && u != incident.SystemActor && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	add(c.ReportedBy)
	add(c.Assignee)
	for _, e := range c.Evidence {
		add(e.AddedBy)
	}
	if c.Analysis != nil {
		add(c.Analysis.RecordedBy)
	}
	for _, t := range c.Takedowns {
		add(t.RequestedBy)
	}
	if e := c.Escalation; e != nil {
		add(e.RequestedBy)
		add(e.ApprovedBy)
	}
	for _, e := range c.History {
		add(e.Actor)
		switch e.Type {
		case incident.TypeCaseTriaged, incident.TypeCaseAssigned, incident.TypeNotificationSent, incident.TypeNotificationFailed:
			if payload, err := incident.DecodePayload(e.Type, []byte(e.Data)); err == nil {
				switch x := payload.(type) {
				case incident.CaseTriaged:
					add(x.Assignee)
				case incident.CaseAssigned:
					add(x.Assignee)
				case incident.NotificationSent:
					for _, r := range x.Recipients {
						add(r)
					}
				case incident.NotificationFailed:
					for _, r := range x.Recipients {
						add(r)
					}
				}
			}
		}
	}
	return out
}

// caseNames returns the display names of the usernames that are users of
// the interface (the people's names are the desk's own data, not the
// case's); a failure is logged and shows the usernames.
func (h *Handler) caseNames(ctx context.Context, usernames []string) map[string]string {
	if len(usernames) == 0 {
		return nil
	}
	out, err := h.users.displayNames(ctx, usernames)
	if err != nil {
		h.log.Warn("case: display names", "err", err)
	}
	return out
}
