package incident

// Kind is the kind of incident a case is about.
type Kind string

// The incident kinds of the contract.
const (
	AccountCompromised Kind = "ACCOUNT_COMPROMISED"
	Impersonation      Kind = "IMPERSONATION"
	FalseInformation   Kind = "FALSE_INFORMATION"
)

// Kinds lists every incident kind in contract order.
var Kinds = []Kind{AccountCompromised, Impersonation, FalseInformation}

// Status is where a case stands in its lifecycle.
type Status string

// The lifecycle statuses (docs/ARCHITECTURE.md, "Lifecycle").
const (
	StatusReported  Status = "REPORTED"
	StatusTriaged   Status = "TRIAGED"
	StatusAnalysis  Status = "ANALYSIS"
	StatusAction    Status = "ACTION"
	StatusEscalated Status = "ESCALATED"
	StatusResolved  Status = "RESOLVED"
	StatusClosed    Status = "CLOSED"
	StatusRejected  Status = "REJECTED"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusReported, StatusTriaged, StatusAnalysis, StatusAction, StatusEscalated, StatusResolved, StatusClosed, StatusRejected}

// Open reports whether a case in status s is still being worked on.
func (s Status) Open() bool {
	switch s {
	case StatusReported, StatusTriaged, StatusAnalysis, StatusAction, StatusEscalated:
		return true
	}
	return false
}

// Severity ranks a case; it is set at triage.
type Severity string

// The severities of the contract.
const (
	Low      Severity = "LOW"
	Medium   Severity = "MEDIUM"
	High     Severity = "HIGH"
	Critical Severity = "CRITICAL"
)

// Severities lists every severity from lowest to highest.
var Severities = []Severity{Low, Medium, High, Critical}

// Platform is a social-media platform (or a plain website).
type Platform string

// The platforms of the contract.
const (
	Facebook  Platform = "FACEBOOK"
	TikTok    Platform = "TIKTOK"
	YouTube   Platform = "YOUTUBE"
	Zalo      Platform = "ZALO"
	Instagram Platform = "INSTAGRAM"
	X         Platform = "X"
	Telegram  Platform = "TELEGRAM"
	Website   Platform = "WEBSITE"
	Other     Platform = "OTHER"
)

// Platforms lists every platform of the contract.
var Platforms = []Platform{Facebook, TikTok, YouTube, Zalo, Instagram, X, Telegram, Website, Other}

// TakedownStatus is where a takedown request stands.
type TakedownStatus string

// Takedown statuses.
const (
	TakedownSent         TakedownStatus = "SENT"
	TakedownAcknowledged TakedownStatus = "ACKNOWLEDGED"
	TakedownRemoved      TakedownStatus = "REMOVED"
	TakedownRejected     TakedownStatus = "REJECTED"
	TakedownExpired      TakedownStatus = "EXPIRED"
	TakedownWithdrawn    TakedownStatus = "WITHDRAWN"
)

// TakedownOutcome is what a platform answered to a takedown request.
type TakedownOutcome string

// Takedown outcomes.
const (
	OutcomeAcknowledged TakedownOutcome = "ACKNOWLEDGED"
	OutcomeRemoved      TakedownOutcome = "REMOVED"
	OutcomeRejected     TakedownOutcome = "REJECTED"
)

// EscalationStatus is where an escalation to the higher authority stands.
type EscalationStatus string

// Escalation statuses.
const (
	EscPendingApproval EscalationStatus = "PENDING_APPROVAL"
	EscApproved        EscalationStatus = "APPROVED"
	EscSent            EscalationStatus = "SENT"
	EscAcknowledged    EscalationStatus = "ACKNOWLEDGED"
	EscResolved        EscalationStatus = "RESOLVED"
	EscDeclined        EscalationStatus = "DECLINED"
)

// Verdict is the outcome of a fact-check.
type Verdict string

// Verdicts.
const (
	VerdictFalse      Verdict = "FALSE"
	VerdictMisleading Verdict = "MISLEADING"
	VerdictUnverified Verdict = "UNVERIFIED"
	VerdictTrue       Verdict = "TRUE"
)

// DeadlineKind names what a deadline waits for.
type DeadlineKind string

// Deadline kinds (docs/ARCHITECTURE.md, "Deadlines").
const (
	DeadlineTriage             DeadlineKind = "TRIAGE"
	DeadlineAnalysis           DeadlineKind = "ANALYSIS"
	DeadlineTakedownResponse   DeadlineKind = "TAKEDOWN_RESPONSE"
	DeadlineEscalationApproval DeadlineKind = "ESCALATION_APPROVAL"
	DeadlineEscalationResponse DeadlineKind = "ESCALATION_RESPONSE"
	DeadlineResolution         DeadlineKind = "RESOLUTION"
)

// DeadlineKinds lists every deadline kind.
var DeadlineKinds = []DeadlineKind{DeadlineTriage, DeadlineAnalysis, DeadlineTakedownResponse, DeadlineEscalationApproval, DeadlineEscalationResponse, DeadlineResolution}

// DeadlineState is whether a deadline is still running or how it ended.
type DeadlineState string

// Deadline states.
const (
	StatePending   DeadlineState = "PENDING"
	StateMet       DeadlineState = "MET"
	StateMissed    DeadlineState = "MISSED"
	StateCancelled DeadlineState = "CANCELLED"
)

// SystemActor is the actor of events no person caused (deadlines, auto-escalation).
const SystemActor = "system"

func validKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func validSeverity(s Severity) bool {
	for _, x := range Severities {
		if x == s {
			return true
		}
	}
	return false
}

// ValidPlatform reports whether p is a platform of the contract.
func ValidPlatform(p Platform) bool {
	for _, x := range Platforms {
		if x == p {
			return true
		}
	}
	return false
}
