package incident

import (
	"fmt"
	"time"
)

// Apply folds one event into c. It is the only place that knows how events
// change a case: the workflow, the projector and the auditors' replay all
// call it. It trusts events (they were validated when decided) and never
// fails on a known type; an unknown payload is an error.
func Apply(c *Case, e Event) error {
	at := e.At
	switch e.Data.(type) {
	case NotificationSent, NotificationFailed:
		// A delivery record: the case stays as it was (nor is it updated).
		if c.ChangedVersion == 0 {
			c.ChangedVersion = c.Version
		}
		c.Version++
		if e.Version != 0 {
			c.Version = e.Version
		}
		if e.GlobalPosition != 0 {
			c.Position = e.GlobalPosition
		}
		return nil
	}
	switch p := e.Data.(type) {
	case CaseReported:
		*c = Case{
			ID:              p.CaseID,
			Number:          p.Number,
			Kind:            p.Kind,
			Status:          StatusReported,
			Title:           p.Title,
			Description:     p.Description,
			Unit:            p.Unit,
			EscalatesTo:     p.EscalatesTo,
			ReportedBy:      e.Actor,
			ReportedAt:      at,
			Subjects:        append([]Subject(nil), p.Subjects...),
			ClientRequestID: p.ClientRequestID,
		}
		c.EscalationRecipients = append([]Recipient(nil), p.EscalationRecipients...)
		if p.Channel == ChannelPublic {
			c.PublicReports = 1
		}
	case ReportMerged:
		c.MergedReports++
		if p.Channel == ChannelPublic {
			c.PublicReports++
		}
		for _, s := range p.Subjects {
			if !c.hasSubject(s.NormalizedURL) {
				c.Subjects = append(c.Subjects, s)
			}
		}
	case CaseTriaged:
		c.Status = StatusTriaged
		c.Severity = p.Severity
		c.Assignee = p.Assignee
		if len(p.Tasks) > 0 {
			c.Tasks = c.Tasks[:0:0]
			for _, t := range p.Tasks {
				c.Tasks = append(c.Tasks, Task{ID: t.ID, Title: t.Title, Required: t.Required, Role: t.Role, DueAt: t.DueAt, RecordsURL: t.RecordsURL, State: TaskStateOpen})
			}
		}
	case TaskCompleted:
		t := c.Task(p.TaskID)
		if t == nil {
			return fmt.Errorf("TaskCompleted: no task %q", p.TaskID)
		}
		t.State, t.Note, t.URL, t.SettledBy, t.SettledAt = TaskStateDone, p.Note, p.URL, e.Actor, &at
	case TaskWaived:
		t := c.Task(p.TaskID)
		if t == nil {
			return fmt.Errorf("TaskWaived: no task %q", p.TaskID)
		}
		t.State, t.Reason, t.SettledBy, t.SettledAt = TaskStateWaived, p.Reason, e.Actor, &at
	case CaseAssigned:
		c.Assignee = p.Assignee
	case AnalysisStarted:
		c.Status = StatusAnalysis
	case AnalysisRecorded:
		c.Analysis = &Analysis{
			Findings:            p.Findings,
			Verdict:             p.Verdict,
			LegalBasis:          p.LegalBasis,
			ImpersonatedAccount: p.ImpersonatedAccount,
			Similarity:          p.Similarity,
			RecordedBy:          e.Actor,
			RecordedAt:          at,
		}
	case EvidenceAdded:
		c.Evidence = append(c.Evidence, Evidence{
			ID:          p.EvidenceID,
			Description: p.Description,
			URL:         p.URL,
			SHA256:      p.SHA256,
			MediaType:   p.MediaType,
			SizeBytes:   p.SizeBytes,
			AddedBy:     e.Actor,
			AddedAt:     at,
		})
	case TakedownRequested:
		c.Takedowns = append(c.Takedowns, Takedown{
			ID:          p.TakedownID,
			Platform:    p.Platform,
			TargetURL:   p.TargetURL,
			Reason:      p.Reason,
			LegalBasis:  p.LegalBasis,
			Status:      TakedownSent,
			RequestedBy: e.Actor,
			RequestedAt: at,
			DueAt:       p.DueAt,
			Channel:     p.Channel,
			Authority:   p.Authority,
		})
		if c.Status == StatusAnalysis {
			c.Status = StatusAction
		}
		if c.Status == StatusEscalated && c.BeforeEscalation == StatusAnalysis {
			// A takedown sent while escalating from ANALYSIS puts the case in
			// ACTION should the escalation be declined, where its answer can
			// be recorded.
			c.BeforeEscalation = StatusAction
		}
	case TakedownResponded:
		if t := c.Takedown(p.TakedownID); t != nil {
			t.Status = TakedownStatus(p.Outcome)
			t.PlatformReference = p.PlatformReference
			t.RespondedAt = timePtr(at)
		}
	case EscalationRequested:
		c.BeforeEscalation = c.Status
		c.Status = StatusEscalated
		c.Escalation = &Escalation{
			Status:      EscPendingApproval,
			Reason:      p.Reason,
			To:          p.To,
			RequestedBy: e.Actor,
			RequestedAt: at,
			Recipients:  escalationRecipients(p.To, p.Recipients),
		}
	case EscalationApproved:
		if c.Escalation != nil {
			c.Escalation.Status = EscApproved
			c.Escalation.ApprovedBy = e.Actor
			c.Escalation.ApprovedAt = timePtr(at)
			c.Escalation.Signer = nil
			if p.Signer != nil {
				s := *p.Signer
				c.Escalation.Signer = &s
			}
			c.Escalation.RegisterNumber = p.RegisterNumber
		}
	case EscalationDeclined:
		if c.Escalation != nil {
			c.Escalation.Status = EscDeclined
		}
		c.Status = c.BeforeEscalation
	case EscalationSent:
		if c.Escalation != nil {
			c.Escalation.Status = EscSent
			c.Escalation.DispatchNumber = p.DispatchNumber
			c.Escalation.SentAt = timePtr(at)
			c.Escalation.Letter = p.Letter()
			c.Escalation.materialize()
			for i := range c.Escalation.Recipients {
				c.Escalation.Recipients[i].SentAt = timePtr(at)
			}
		}
	case EscalationResponded:
		if c.Escalation != nil {
			if r := c.Escalation.Recipient(p.Recipient); r != nil {
				r.Response, r.RespondedAt, r.Resolved = p.Response, timePtr(at), p.Resolved
			}
			if p.Recipient != "" && p.Recipient != c.Escalation.To {
				break // another recipient's answer: recorded on it alone
			}
			c.Escalation.Response = p.Response
			c.Escalation.RespondedAt = timePtr(at)
			c.Escalation.Status = EscAcknowledged
			if p.Resolved {
				c.Escalation.Status = EscResolved
			}
		}
	case DeadlineSet:
		started := at
		if !p.StartedAt.IsZero() {
			started = p.StartedAt
		}
		c.Deadlines = append(c.Deadlines, Deadline{
			ID:          p.DeadlineID,
			Kind:        p.Kind,
			Ref:         p.Ref,
			StartedAt:   started,
			DueAt:       p.DueAt,
			State:       StatePending,
			WorkingDays: p.WorkingDays,
		})
	case DeadlineReminder:
		if d := c.Deadline(p.DeadlineID); d != nil {
			d.Reminders++
		}
	case DeadlineMet:
		c.settle(p.DeadlineID, StateMet, at)
	case DeadlineMissed:
		c.settle(p.DeadlineID, StateMissed, at)
		if p.Kind == DeadlineTakedownResponse {
			if t := c.Takedown(p.Ref); t != nil && (t.Status == TakedownSent || t.Status == TakedownAcknowledged) {
				t.Status = TakedownExpired
			}
		}
	case DeadlineCancelled:
		c.settle(p.DeadlineID, StateCancelled, at)
	case CaseResolved:
		c.Status = StatusResolved
		c.Resolution = p.Resolution
		c.ResolvedAt = timePtr(at)
	case CaseClosed:
		c.Status = StatusClosed
	case CaseRejected:
		c.Status = StatusRejected
		c.Resolution = p.Reason
	case CaseReopened:
		c.Status = StatusTriaged
		if c.Severity == "" {
			c.Status = StatusReported // never triaged: back to triage
		}
		c.Resolution = ""
		c.ResolvedAt = nil
	case CommentAdded:
		c.Comments++
	default:
		return fmt.Errorf("apply: unknown event payload %T", e.Data)
	}
	c.Version++
	if e.Version != 0 {
		c.Version = e.Version
	}
	c.ChangedVersion = c.Version
	if e.GlobalPosition != 0 {
		c.Position = e.GlobalPosition
	}
	c.UpdatedAt = at
	return nil
}

// Fold replays events from the empty case.
func Fold(events []Event) (Case, error) {
	var c Case
	for _, e := range events {
		if err := Apply(&c, e); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *Case) settle(id string, state DeadlineState, at time.Time) {
	if d := c.Deadline(id); d != nil && d.State == StatePending {
		d.State = state
		d.SettledAt = timePtr(at)
	}
}

func (c *Case) hasSubject(normalized string) bool {
	for _, s := range c.Subjects {
		if s.NormalizedURL == normalized {
			return true
		}
	}
	return false
}

func timePtr(t time.Time) *time.Time { return &t }
