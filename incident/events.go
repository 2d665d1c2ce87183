package incident

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event type names. They are part of the contract: auditors and other
// programs read them from the event log.
const (
	TypeCaseReported        = "CaseReported"
	TypeReportMerged        = "ReportMerged"
	TypeCaseTriaged         = "CaseTriaged"
	TypeCaseAssigned        = "CaseAssigned"
	TypeAnalysisStarted     = "AnalysisStarted"
	TypeAnalysisRecorded    = "AnalysisRecorded"
	TypeEvidenceAdded       = "EvidenceAdded"
	TypeTakedownRequested   = "TakedownRequested"
	TypeTakedownResponded   = "TakedownResponded"
	TypeEscalationRequested = "EscalationRequested"
	TypeEscalationApproved  = "EscalationApproved"
	TypeEscalationDeclined  = "EscalationDeclined"
	TypeEscalationSent      = "EscalationSent"
	TypeEscalationResponded = "EscalationResponded"
	TypeDeadlineSet         = "DeadlineSet"
	TypeDeadlineReminder    = "DeadlineReminder"
	TypeDeadlineMet         = "DeadlineMet"
	TypeDeadlineMissed      = "DeadlineMissed"
	TypeDeadlineCancelled   = "DeadlineCancelled"
	TypeCaseResolved        = "CaseResolved"
	TypeCaseClosed          = "CaseClosed"
	TypeCaseRejected        = "CaseRejected"
	TypeCaseReopened        = "CaseReopened"
	TypeCommentAdded        = "CommentAdded"
)

// Payload is the typed body of an event.
type Payload interface {
	EventType() string
}

// Event is one fact about a case. ID, Actor and At are set by whoever records
// it (the workflow); Version and GlobalPosition are set by the store.
type Event struct {
	ID             string
	Type           string
	Actor          string
	At             time.Time
	Data           Payload
	Version        int64
	GlobalPosition int64
}

// CaseReported opens a case.
type CaseReported struct {
	CaseID          string    `json:"caseId"`
	Number          string    `json:"number"`
	Kind            Kind      `json:"kind"`
	Unit            string    `json:"unit"`
	EscalatesTo     string    `json:"escalatesTo,omitempty"`
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Subjects        []Subject `json:"subjects"`
	ClientRequestID string    `json:"clientRequestId,omitempty"`
	// Channel is the report's Report.Channel: ChannelPublic for the
	// citizens' report form, absent otherwise (issue 18).
	Channel string `json:"channel,omitempty"`
	// EscalationRecipients are the report's (issue 17, §3); events
	// recorded before have none.
	EscalationRecipients []Recipient `json:"escalationRecipients,omitempty"`
}

// ReportMerged records a further report of a subject the case already covers.
type ReportMerged struct {
	Title           string    `json:"title"`
	Description     string    `json:"description"`
	Unit            string    `json:"unit"`
	Subjects        []Subject `json:"subjects"`
	ClientRequestID string    `json:"clientRequestId,omitempty"`
	// Channel is the report's Report.Channel, as in CaseReported.
	Channel string `json:"channel,omitempty"`
}

// CaseTriaged sets severity and assignee.
type CaseTriaged struct {
	Severity Severity `json:"severity"`
	Assignee string   `json:"assignee"`
	Note     string   `json:"note,omitempty"`
	// Tasks are the playbook's tasks for the case's kind, instantiated now
	// (none when the case's policy has no playbook for it).
	Tasks []PlannedTask `json:"tasks,omitempty"`
}

// CaseAssigned changes the assignee.
type CaseAssigned struct {
	Assignee string `json:"assignee"`
}

// AnalysisStarted moves a triaged case into analysis.
type AnalysisStarted struct{}

// AnalysisRecorded records findings (and a verdict, a legal basis, the
// impersonated official account).
type AnalysisRecorded struct {
	Findings            string              `json:"findings"`
	Verdict             Verdict             `json:"verdict,omitempty"`
	LegalBasis          string              `json:"legalBasis,omitempty"`
	ImpersonatedAccount *OfficialAccountRef `json:"impersonatedAccount,omitempty"`
	Similarity          *float64            `json:"similarity,omitempty"`
}

// EvidenceAdded keeps a piece of evidence whose content is stored as a blob.
type EvidenceAdded struct {
	EvidenceID  string `json:"evidenceId"`
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
	SHA256      string `json:"sha256"`
	MediaType   string `json:"mediaType"`
	SizeBytes   int64  `json:"sizeBytes"`
}

// TakedownRequested records a removal request to a platform.
type TakedownRequested struct {
	TakedownID string    `json:"takedownId"`
	Platform   Platform  `json:"platform"`
	TargetURL  string    `json:"targetUrl"`
	Reason     string    `json:"reason"`
	LegalBasis string    `json:"legalBasis,omitempty"`
	DueAt      time.Time `json:"dueAt"`
	// Channel and Authority (issue 17, §2) are left out of events written
	// before channels existed: such a takedown reads as a PLATFORM_REPORT
	// without authority (Takedown.Via) whose deadline stays the one its
	// DeadlineSet gave it, from takedownResponse.
	Channel   TakedownChannel `json:"channel,omitempty"`
	Authority string          `json:"authority,omitempty"`
}

// TakedownResponded records a platform's answer.
type TakedownResponded struct {
	TakedownID        string          `json:"takedownId"`
	Outcome           TakedownOutcome `json:"outcome"`
	PlatformReference string          `json:"platformReference,omitempty"`
	Note              string          `json:"note,omitempty"`
}

// EscalationRequested asks a leader to approve an escalation. Since the
// routes by kind (issue 17, §3) it names every recipient, the addressee To
// first, when there are more than To; an event without them (To alone
// receives it, or it was recorded before) folds to To as the one
// recipient.
type EscalationRequested struct {
	Reason     string      `json:"reason"`
	To         string      `json:"to"`
	Recipients []Recipient `json:"recipients,omitempty"`
}

// EscalationApproved records the leader's approval. Approvals recorded
// since the office letters (issue 16) also name who signs the letter and,
// for a unit whose clerk numbers by hand, the number typed from the
// office's register; older ones decode without.
type EscalationApproved struct {
	Note string `json:"note,omitempty"`
	// Signer signs the letter: the one the leader named or the issuing
	// unit's default.
	Signer *Signer `json:"signer,omitempty"`
	// RegisterNumber is the number the clerk issued in the office's own
	// register (Unit.Numbering manual); 0 when CaseTrail numbers.
	RegisterNumber int `json:"registerNumber,omitempty"`
}

// EscalationDeclined records the leader's refusal.
type EscalationDeclined struct {
	Reason string `json:"reason"`
}

// EscalationSent records the dispatch of the escalation letter. Since the
// office letters (issue 16) it also records the công văn itself (Decree
// 30/2020/NĐ-CP, Art. 15): its number in the issuing unit's register, the
// symbol, the issuing unit, the date of issue, the signer and the SHA-256 of
// the rendered PDF (and DOCX), both kept in the blob store. Events recorded
// before decode with these fields empty.
type EscalationSent struct {
	DispatchNumber string    `json:"dispatchNumber"`
	To             string    `json:"to"`
	Number         int       `json:"number,omitempty"`
	Symbol         string    `json:"symbol,omitempty"`
	Issuer         string    `json:"issuer,omitempty"`
	IssuedAt       time.Time `json:"issuedAt,omitzero"`
	Manual         bool      `json:"manual,omitempty"`
	Signer         *Signer   `json:"signer,omitempty"`
	SHA256         string    `json:"sha256,omitempty"`
	DOCXSHA256     string    `json:"docxSha256,omitempty"`
}

// Letter returns the letter the event records, nil for an event recorded
// before letters were issued.
func (e EscalationSent) Letter() *Letter {
	if e.SHA256 == "" {
		return nil
	}
	l := &Letter{Number: e.Number, Symbol: e.Symbol, Issuer: e.Issuer, IssuedAt: e.IssuedAt, Manual: e.Manual,
		SHA256: e.SHA256, DOCXSHA256: e.DOCXSHA256}
	if e.Signer != nil {
		l.Signer = *e.Signer
	}
	return l
}

// EscalationResponded records the answer of a recipient of the
// escalation: the addressee's when Recipient is empty (every event recorded
// before the routes by kind) or names it.
type EscalationResponded struct {
	Response  string `json:"response"`
	Resolved  bool   `json:"resolved"`
	Recipient string `json:"recipient,omitempty"`
}

// DeadlineSet starts a deadline.
type DeadlineSet struct {
	DeadlineID string       `json:"deadlineId"`
	Kind       DeadlineKind `json:"kind"`
	Ref        string       `json:"ref,omitempty"`
	DueAt      time.Time    `json:"dueAt"`
	// StartedAt is when the deadline's span began, when that is earlier than
	// the event (RESOLUTION runs from the report, not the triage); zero means
	// the time of the event.
	StartedAt time.Time `json:"startedAt,omitzero"`
	// WorkingDays is the count of working days the deadline was given (0:
	// clock time); its reminders then fall on working time.
	WorkingDays int `json:"workingDays,omitempty"`
}

// DeadlineReminder records a reminder at a fraction of the deadline's span.
type DeadlineReminder struct {
	DeadlineID string       `json:"deadlineId"`
	Kind       DeadlineKind `json:"kind"`
	Fraction   float64      `json:"fraction"`
	DueAt      time.Time    `json:"dueAt"`
}

// DeadlineMet records that the awaited step happened in time.
type DeadlineMet struct {
	DeadlineID string       `json:"deadlineId"`
	Kind       DeadlineKind `json:"kind"`
}

// DeadlineMissed records that the deadline's timer fired first.
type DeadlineMissed struct {
	DeadlineID string       `json:"deadlineId"`
	Kind       DeadlineKind `json:"kind"`
	Ref        string       `json:"ref,omitempty"`
}

// DeadlineCancelled records that a deadline no longer applies (case resolved,
// rejected, escalation declined...).
type DeadlineCancelled struct {
	DeadlineID string       `json:"deadlineId"`
	Kind       DeadlineKind `json:"kind"`
}

// CaseResolved records the outcome.
type CaseResolved struct {
	Resolution string `json:"resolution"`
}

// CaseClosed records a leader's confirmation of the resolution.
type CaseClosed struct {
	Note string `json:"note,omitempty"`
}

// CaseRejected records that the report is not an incident or out of scope.
type CaseRejected struct {
	Reason string `json:"reason"`
}

// CaseReopened brings a resolved, closed or rejected case back to triage.
type CaseReopened struct {
	Reason string `json:"reason"`
}

// CommentAdded records a comment.
type CommentAdded struct {
	Text string `json:"text"`
}

// EventType implementations.
func (CaseReported) EventType() string        { return TypeCaseReported }
func (ReportMerged) EventType() string        { return TypeReportMerged }
func (CaseTriaged) EventType() string         { return TypeCaseTriaged }
func (CaseAssigned) EventType() string        { return TypeCaseAssigned }
func (AnalysisStarted) EventType() string     { return TypeAnalysisStarted }
func (AnalysisRecorded) EventType() string    { return TypeAnalysisRecorded }
func (EvidenceAdded) EventType() string       { return TypeEvidenceAdded }
func (TakedownRequested) EventType() string   { return TypeTakedownRequested }
func (TakedownResponded) EventType() string   { return TypeTakedownResponded }
func (EscalationRequested) EventType() string { return TypeEscalationRequested }
func (EscalationApproved) EventType() string  { return TypeEscalationApproved }
func (EscalationDeclined) EventType() string  { return TypeEscalationDeclined }
func (EscalationSent) EventType() string      { return TypeEscalationSent }
func (EscalationResponded) EventType() string { return TypeEscalationResponded }
func (DeadlineSet) EventType() string         { return TypeDeadlineSet }
func (DeadlineReminder) EventType() string    { return TypeDeadlineReminder }
func (DeadlineMet) EventType() string         { return TypeDeadlineMet }
func (DeadlineMissed) EventType() string      { return TypeDeadlineMissed }
func (DeadlineCancelled) EventType() string   { return TypeDeadlineCancelled }
func (CaseResolved) EventType() string        { return TypeCaseResolved }
func (CaseClosed) EventType() string          { return TypeCaseClosed }
func (CaseRejected) EventType() string        { return TypeCaseRejected }
func (CaseReopened) EventType() string        { return TypeCaseReopened }
func (CommentAdded) EventType() string        { return TypeCommentAdded }

var payloadTypes = map[string]func([]byte) (Payload, error){
	TypeCaseReported:        decoder[CaseReported](),
	TypeReportMerged:        decoder[ReportMerged](),
	TypeCaseTriaged:         decoder[CaseTriaged](),
	TypeCaseAssigned:        decoder[CaseAssigned](),
	TypeAnalysisStarted:     decoder[AnalysisStarted](),
	TypeAnalysisRecorded:    decoder[AnalysisRecorded](),
	TypeEvidenceAdded:       decoder[EvidenceAdded](),
	TypeTakedownRequested:   decoder[TakedownRequested](),
	TypeTakedownResponded:   decoder[TakedownResponded](),
	TypeEscalationRequested: decoder[EscalationRequested](),
	TypeEscalationApproved:  decoder[EscalationApproved](),
	TypeEscalationDeclined:  decoder[EscalationDeclined](),
	TypeEscalationSent:      decoder[EscalationSent](),
	TypeEscalationResponded: decoder[EscalationResponded](),
	TypeDeadlineSet:         decoder[DeadlineSet](),
	TypeDeadlineReminder:    decoder[DeadlineReminder](),
	TypeDeadlineMet:         decoder[DeadlineMet](),
	TypeDeadlineMissed:      decoder[DeadlineMissed](),
	TypeDeadlineCancelled:   decoder[DeadlineCancelled](),
	TypeCaseResolved:        decoder[CaseResolved](),
	TypeCaseClosed:          decoder[CaseClosed](),
	TypeCaseRejected:        decoder[CaseRejected](),
	TypeCaseReopened:        decoder[CaseReopened](),
	TypeCommentAdded:        decoder[CommentAdded](),
	TypeTaskCompleted:       decoder[TaskCompleted](),
	TypeTaskWaived:          decoder[TaskWaived](),
}

// decoder returns a function that parses JSON into a T.
func decoder[T Payload]() func([]byte) (Payload, error) {
	return func(b []byte) (Payload, error) {
		var v T
		if len(b) > 0 {
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, err
			}
		}
		return v, nil
	}
}

// EventTypes returns every event type name the domain knows.
func EventTypes() []string {
	out := make([]string, 0, len(payloadTypes))
	for t := range payloadTypes {
		out = append(out, t)
	}
	return out
}

// EncodePayload returns the JSON form of p as stored in the event log.
func EncodePayload(p Payload) (json.RawMessage, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", p.EventType(), err)
	}
	return b, nil
}

// DecodePayload parses the stored JSON of an event of type typ.
func DecodePayload(typ string, data []byte) (Payload, error) {
	dec, ok := payloadTypes[typ]
	if !ok {
		return nil, fmt.Errorf("decode: unknown event type %q", typ)
	}
	p, err := dec(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", typ, err)
	}
	return p, nil
}
