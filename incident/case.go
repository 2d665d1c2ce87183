package incident

import "time"

// Case is the state of one incident, as folded from its events by Apply. The
// workflow, the projector and the replay of an auditor all hold this type.
type Case struct {
	ID          string    `json:"id"`
	Number      string    `json:"number"`
	Kind        Kind      `json:"kind"`
	Status      Status    `json:"status"`
	Severity    Severity  `json:"severity,omitempty"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Unit        string    `json:"unit"`
	EscalatesTo string    `json:"escalatesTo,omitempty"`
	ReportedBy  string    `json:"reportedBy"`
	ReportedAt  time.Time `json:"reportedAt"`
	Assignee    string    `json:"assignee,omitempty"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Version     int64     `json:"version"`
	// ChangedVersion is the version of the last event that changed the
	// case; the events after it only record deliveries (NotificationSent,
	// NotificationFailed). 0 when unknown (states folded before delivery
	// records existed): then it is Version.
	ChangedVersion int64 `json:"changedVersion,omitempty"`
	// Position is the global log position of the last event folded in (0
	// until the case was read back from the store). Reads wait for the
	// projection to reach it, so a caller sees its own command.
	Position  int64      `json:"position,omitempty"`
	Subjects  []Subject  `json:"subjects"`
	Evidence  []Evidence `json:"evidence"`
	Analysis  *Analysis  `json:"analysis,omitempty"`
	Takedowns []Takedown `json:"takedowns"`
	// Tasks are the playbook's tasks, from triage on (issue 17, §1).
	Tasks         []Task      `json:"tasks,omitempty"`
	Escalation    *Escalation `json:"escalation,omitempty"`
	Deadlines     []Deadline  `json:"deadlines"`
	Resolution    string      `json:"resolution,omitempty"`
	MergedReports int         `json:"mergedReports"`
	// PublicReports counts the reports of the case (the one that opened
	// it and those merged into it) sent through the citizens' report
	// form (Channel ChannelPublic; issue 18).
	PublicReports int `json:"publicReports,omitempty"`
	Comments      int `json:"comments"`
	// ResolvedAt is when the case last reached RESOLVED (nil when it has not).
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
	// ClientRequestID is the idempotency key of the report that opened the case.
	ClientRequestID string `json:"clientRequestId,omitempty"`
	// BeforeEscalation is the status to return to when an escalation is declined.
	BeforeEscalation Status `json:"beforeEscalation,omitempty"`

	// EscalationRecipients are where an escalation of the case goes, the
	// addressee (EscalatesTo) first, as resolved when it was reported
	// (none for cases reported before routes: EscalatesTo alone).
	EscalationRecipients []Recipient `json:"escalationRecipients,omitempty"`
}

// Subject is what the incident is about: a post, page or account.
type Subject struct {
	Platform      Platform `json:"platform"`
	URL           string   `json:"url"`
	NormalizedURL string   `json:"normalizedUrl"`
	DisplayName   string   `json:"displayName,omitempty"`
}

// Evidence is a piece of kept evidence; its content is a blob addressed by SHA256.
type Evidence struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	URL         string    `json:"url,omitempty"`
	SHA256      string    `json:"sha256"`
	MediaType   string    `json:"mediaType"`
	SizeBytes   int64     `json:"sizeBytes"`
	AddedBy     string    `json:"addedBy"`
	AddedAt     time.Time `json:"addedAt"`
}

// OfficialAccountRef identifies a registered official account.
type OfficialAccountRef struct {
	ID          string   `json:"id"`
	Unit        string   `json:"unit"`
	Platform    Platform `json:"platform"`
	URL         string   `json:"url"`
	DisplayName string   `json:"displayName"`
}

// Analysis is the recorded verification / fact-check of a case.
type Analysis struct {
	Findings            string              `json:"findings"`
	Verdict             Verdict             `json:"verdict,omitempty"`
	LegalBasis          string              `json:"legalBasis,omitempty"`
	ImpersonatedAccount *OfficialAccountRef `json:"impersonatedAccount,omitempty"`
	Similarity          *float64            `json:"similarity,omitempty"`
	RecordedBy          string              `json:"recordedBy"`
	RecordedAt          time.Time           `json:"recordedAt"`
}

// Takedown is a removal request sent to a platform.
type Takedown struct {
	ID                string         `json:"id"`
	Platform          Platform       `json:"platform"`
	TargetURL         string         `json:"targetUrl"`
	Reason            string         `json:"reason"`
	LegalBasis        string         `json:"legalBasis,omitempty"`
	Status            TakedownStatus `json:"status"`
	PlatformReference string         `json:"platformReference,omitempty"`
	RequestedBy       string         `json:"requestedBy"`
	RequestedAt       time.Time      `json:"requestedAt"`
	RespondedAt       *time.Time     `json:"respondedAt,omitempty"`
	DueAt             time.Time      `json:"dueAt"`
	// Channel is as the request's event recorded it ("" before channels
	// existed; read it with Via), Authority the competent authority of an
	// AUTHORITY_REQUEST (takedown_channel.go).
	Channel   TakedownChannel `json:"channel,omitempty"`
	Authority string          `json:"authority,omitempty"`
}

// Escalation is the case's escalation to the higher authority.
type Escalation struct {
	Status      EscalationStatus `json:"status"`
	Reason      string           `json:"reason"`
	To          string           `json:"to"`
	RequestedBy string           `json:"requestedBy"`
	RequestedAt time.Time        `json:"requestedAt"`
	ApprovedBy  string           `json:"approvedBy,omitempty"`
	ApprovedAt  *time.Time       `json:"approvedAt,omitempty"`
	// Signer and RegisterNumber are what the approval recorded (issue 16).
	Signer         *Signer    `json:"signer,omitempty"`
	RegisterNumber int        `json:"registerNumber,omitempty"`
	DispatchNumber string     `json:"dispatchNumber,omitempty"`
	SentAt         *time.Time `json:"sentAt,omitempty"`
	// Letter is the công văn the escalation went out with (nil before it
	// was sent, and for escalations sent before letters were issued).
	Letter *Letter `json:"letter,omitempty"`
	// Response and RespondedAt are the addressee's latest answer.
	Response    string     `json:"response,omitempty"`
	RespondedAt *time.Time `json:"respondedAt,omitempty"`
	// Recipients are the units the escalation goes to, the addressee (To)
	// first, each with its own answer. Read them with RecipientList: an
	// escalation recorded before recipients has none here.
	Recipients []EscalationRecipient `json:"recipients,omitempty"`
}

// Deadline is one durable deadline of the case. ID is unique within the case.
type Deadline struct {
	ID        string        `json:"id"`
	Kind      DeadlineKind  `json:"kind"`
	Ref       string        `json:"ref,omitempty"`
	StartedAt time.Time     `json:"startedAt"`
	DueAt     time.Time     `json:"dueAt"`
	State     DeadlineState `json:"state"`
	SettledAt *time.Time    `json:"settledAt,omitempty"`
	// Reminders counts the reminders already sent (index into Policy.Reminders).
	Reminders int `json:"reminders"`
	// WorkingDays is the count of working days the deadline was given (0:
	// clock time).
	WorkingDays int `json:"workingDays,omitempty"`
}

// Clone returns a deep copy of c, so a fold never aliases a previous state.
func (c Case) Clone() Case {
	out := c
	out.Subjects = append([]Subject(nil), c.Subjects...)
	out.Evidence = append([]Evidence(nil), c.Evidence...)
	out.Takedowns = append([]Takedown(nil), c.Takedowns...)
	out.Deadlines = append([]Deadline(nil), c.Deadlines...)
	out.Tasks = append([]Task(nil), c.Tasks...)
	out.EscalationRecipients = append([]Recipient(nil), c.EscalationRecipients...)
	if c.Analysis != nil {
		a := *c.Analysis
		out.Analysis = &a
	}
	if c.Escalation != nil {
		e := *c.Escalation
		if e.Signer != nil {
			s := *e.Signer
			e.Signer = &s
		}
		if e.Letter != nil {
			l := *e.Letter
			e.Letter = &l
		}
		e.Recipients = append([]EscalationRecipient(nil), e.Recipients...)
		out.Escalation = &e
	}
	return out
}

// Takedown returns the takedown with id, or nil.
func (c *Case) Takedown(id string) *Takedown {
	for i := range c.Takedowns {
		if c.Takedowns[i].ID == id {
			return &c.Takedowns[i]
		}
	}
	return nil
}

// Deadline returns the deadline with id, or nil.
func (c *Case) Deadline(id string) *Deadline {
	for i := range c.Deadlines {
		if c.Deadlines[i].ID == id {
			return &c.Deadlines[i]
		}
	}
	return nil
}

// PendingDeadlines returns the deadlines still running.
func (c *Case) PendingDeadlines() []Deadline {
	var out []Deadline
	for _, d := range c.Deadlines {
		if d.State == StatePending {
			out = append(out, d)
		}
	}
	return out
}

// Overdue reports whether a pending deadline is past due at now.
func (c *Case) Overdue(now time.Time) bool {
	for _, d := range c.Deadlines {
		if d.State == StatePending && !now.Before(d.DueAt) {
			return true
		}
	}
	return false
}
