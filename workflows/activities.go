package workflows

import (
	"encoding/json"
	"time"

	"casetrail/incident"
)

// The activities IncidentWorkflow calls, by registered name. The workflow
// owns this contract (names and payloads) so that it never imports the code
// with side effects; package activities implements it, and its methods carry
// exactly these names.
const (
	ActivityAppendEvents         = "AppendEvents"
	ActivityReadEvents           = "ReadEvents"
	ActivityAllocateCaseNumber   = "AllocateCaseNumber"
	ActivityNotify               = "Notify"
	ActivitySendTakedownRequest  = "SendTakedownRequest"
	ActivitySendEscalation       = "SendEscalation"
	ActivityMatchOfficialAccount = "MatchOfficialAccount"
	ActivityPrepareEscalation    = "PrepareEscalation"
	ActivityIssueEscalation      = "IssueEscalation"
)

// AppendInput asks AppendEvents to append Events to Stream when the stream is
// at ExpectedVersion. Event ids are deterministic, so a retried append of the
// same events is answered with the events already stored.
type AppendInput struct {
	Stream          string     `json:"stream"`
	ExpectedVersion int64      `json:"expectedVersion"`
	Events          []NewEvent `json:"events"`
}

// NewEvent is one event to append: the JSON payload of an incident event and
// its metadata.
type NewEvent struct {
	ID            string          `json:"id"`
	Type          string          `json:"type"`
	Data          json.RawMessage `json:"data"`
	Actor         string          `json:"actor"`
	CorrelationID string          `json:"correlationId,omitempty"`
	CausationID   string          `json:"causationId,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	OccurredAt    time.Time       `json:"occurredAt"`
}

// AppendResult holds the events as stored, in stream order.
type AppendResult struct {
	Events []StoredEvent `json:"events"`
}

// StoredEvent is an event as the store recorded it: what the workflow folds
// (incident.StoredEvent, whose JSON form old histories hold).
type StoredEvent = incident.StoredEvent

// ReadInput asks ReadEvents for the events of Stream from FromVersion on.
type ReadInput struct {
	Stream      string `json:"stream"`
	FromVersion int64  `json:"fromVersion"`
}

// AllocateInput asks AllocateCaseNumber for the number of case CaseID in Year.
type AllocateInput struct {
	CaseID string `json:"caseId"`
	Year   int    `json:"year"`
}

// Notification kinds (NotifyInput.Event): the event type that caused it.
const (
	NotifyReminder   = incident.TypeDeadlineReminder
	NotifyMissed     = incident.TypeDeadlineMissed
	NotifyEscalation = incident.TypeEscalationRequested
)

// NotifyInput is one notification about a case. Recipients are named
// subjects; with NotifyLeaders the activity adds the leaders of Unit.
type NotifyInput struct {
	CaseID        string                `json:"caseId"`
	Number        string                `json:"number"`
	Title         string                `json:"title"`
	Unit          string                `json:"unit"`
	Event         string                `json:"event"`
	DeadlineKind  incident.DeadlineKind `json:"deadlineKind,omitempty"`
	DueAt         time.Time             `json:"dueAt,omitzero"`
	Fraction      float64               `json:"fraction,omitempty"`
	Recipients    []string              `json:"recipients"`
	NotifyLeaders bool                  `json:"notifyLeaders"`
	Message       string                `json:"message"`

	// Since notifyVersion (notify.go; absent in older runs):

	// Key identifies the notification: the id of the event that caused
	// it. The activity delivers once per key and channel.
	Key string `json:"key,omitempty"`
	// Actor is who caused it (the system for the deadline clock).
	Actor string `json:"actor,omitempty"`
	// At is the workflow's time when it was decided.
	At time.Time `json:"at,omitzero"`
	// LeadersOf is the unit whose leaders NotifyLeaders adds ("" = Unit):
	// the receiving unit of a dispatched escalation.
	LeadersOf string `json:"leadersOf,omitempty"`
	// Reason is the free text the cause carries: the escalation's reason,
	// the resolution, the rejection's reason.
	Reason string `json:"reason,omitempty"`
	// To is the unit an escalation goes to, DispatchNumber its number
	// once sent.
	To             string `json:"to,omitempty"`
	DispatchNumber string `json:"dispatchNumber,omitempty"`
}

// Delivery channels reported by SendTakedownRequest and SendEscalation.
const (
	ChannelWebhook = "WEBHOOK"
	ChannelManual  = "MANUAL"
)

// TakedownInput is a takedown request to deliver to its platform.
type TakedownInput struct {
	CaseID      string            `json:"caseId"`
	Number      string            `json:"number"`
	TakedownID  string            `json:"takedownId"`
	Platform    incident.Platform `json:"platform"`
	TargetURL   string            `json:"targetUrl"`
	Reason      string            `json:"reason"`
	LegalBasis  string            `json:"legalBasis,omitempty"`
	DueAt       time.Time         `json:"dueAt"`
	RequestedBy string            `json:"requestedBy"`
}

// DeliveryResult says how a request went out: ChannelWebhook, or
// ChannelManual when it is to be sent by hand (Error says why when delivery
// was attempted and failed).
type DeliveryResult struct {
	Channel string `json:"channel"`
	Error   string `json:"error,omitempty"`
}

// EscalationInput asks SendEscalation to number and deliver the approved
// escalation of a case. Key identifies the escalation request within the case,
// so a retry gets the same dispatch number. (Runs older than letterVersion
// use it; newer ones issue a letter, IssueEscalationInput.)
type EscalationInput struct {
	CaseID     string `json:"caseId"`
	Number     string `json:"number"`
	Title      string `json:"title"`
	Unit       string `json:"unit"`
	To         string `json:"to"`
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approvedBy"`
	Key        string `json:"key"`
	Year       int    `json:"year"`
}

// EscalationResult is the allocated dispatch number and how it went out.
type EscalationResult struct {
	DispatchNumber string `json:"dispatchNumber"`
	DeliveryResult
}

// MatchInput asks MatchOfficialAccount which registered official account the
// subjects of a case most resemble.
type MatchInput struct {
	Subjects []incident.Subject `json:"subjects"`
}

// MatchResult is the best match (nil when none resembles the subjects
// enough) and its 0..1 similarity.
type MatchResult struct {
	Account    *incident.OfficialAccountRef `json:"account,omitempty"`
	Similarity float64                      `json:"similarity"`
}

// PrepareEscalationInput asks PrepareEscalation to ready the approval of
// the escalation Key of case CaseID, whose letter Issuer (the case's unit)
// will issue: the signer (Signer as the leader named them, else the
// issuer's default, else Approver), and for an issuer whose clerk numbers
// by hand the RegisterNumber typed, recorded in the issuer's register for
// the year of At (a number already used is BAD_USER_INPUT).
type PrepareEscalationInput struct {
	CaseID         string           `json:"caseId"`
	Issuer         string           `json:"issuer"`
	Key            string           `json:"key"`
	At             time.Time        `json:"at"`
	Approver       string           `json:"approver"`
	Signer         *incident.Signer `json:"signer,omitempty"`
	RegisterNumber int              `json:"registerNumber,omitempty"`
}

// PrepareEscalationResult is the approval's signer and its recorded
// register number (0 when CaseTrail numbers the letter when it is issued).
type PrepareEscalationResult struct {
	Signer         incident.Signer `json:"signer"`
	RegisterNumber int             `json:"registerNumber,omitempty"`
}

// IssueEscalationInput asks IssueEscalation to issue the letter of the
// approved escalation Key of Case: numbered in the register of the case's
// unit (the number recorded at the approval, else the next of the year of
// At), rendered as PDF and DOCX, stored in the blob store and delivered to
// the escalation target. A retry gets the same number and the same letter.
type IssueEscalationInput struct {
	Key  string        `json:"key"`
	At   time.Time     `json:"at"`
	Case incident.Case `json:"case"`
}

// IssueEscalationResult is the letter issued and how it went out.
type IssueEscalationResult struct {
	Letter incident.Letter `json:"letter"`
	DeliveryResult
}
