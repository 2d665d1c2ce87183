package incident

import (
	"fmt"
	"strings"
	"time"
)

// Command is a request to change a case. Name is the GraphQL mutation (and
// Workflow Update) name.
type Command interface {
	Name() string
}

// Command names; each is also the action checked by authorization.
const (
	CmdReportIncident           = "reportIncident"
	CmdMergeReport              = "mergeReport"
	CmdTriageCase               = "triageCase"
	CmdAssignCase               = "assignCase"
	CmdStartAnalysis            = "startAnalysis"
	CmdRecordAnalysis           = "recordAnalysis"
	CmdAddEvidence              = "addEvidence"
	CmdRequestTakedown          = "requestTakedown"
	CmdRecordTakedownResponse   = "recordTakedownResponse"
	CmdRequestEscalation        = "requestEscalation"
	CmdApproveEscalation        = "approveEscalation"
	CmdDeclineEscalation        = "declineEscalation"
	CmdSendEscalation           = "sendEscalation"
	CmdRecordEscalationResponse = "recordEscalationResponse"
	CmdResolveCase              = "resolveCase"
	CmdCloseCase                = "closeCase"
	CmdRejectCase               = "rejectCase"
	CmdReopenCase               = "reopenCase"
	CmdAddComment               = "addComment"
	CmdCompleteTask             = "completeTask"
	CmdWaiveTask                = "waiveTask"
)

// SubjectInput is a subject as reported.
type SubjectInput struct {
	Platform    Platform `json:"platform"`
	URL         string   `json:"url"`
	DisplayName string   `json:"displayName,omitempty"`
}

// Report opens a case. CaseID and Number are allocated before deciding;
// EscalatesTo is resolved from the unit hierarchy by the caller.
type Report struct {
	CaseID          string         `json:"caseId"`
	Number          string         `json:"number"`
	ClientRequestID string         `json:"clientRequestId"`
	Kind            Kind           `json:"kind"`
	Unit            string         `json:"unit"`
	EscalatesTo     string         `json:"escalatesTo,omitempty"`
	Title           string         `json:"title"`
	Description     string         `json:"description"`
	Subjects        []SubjectInput `json:"subjects"`
	// Channel is the front door the report came through: "" for a
	// logged-in subject (the API, the case desk), ChannelPublic for the
	// citizens' report form (issue 18). Nothing else is accepted.
	Channel string `json:"channel,omitempty"`
	// EscalationRecipients are resolved by the caller with EscalatesTo
	// (UnitTree.EscalationRecipients for the report's unit and kind); the
	// first is the addressee and, when given, sets EscalatesTo.
	EscalationRecipients []Recipient `json:"escalationRecipients,omitempty"`
}

// MergeReport adds a further report of a subject to an open case.
type MergeReport struct {
	Report Report `json:"report"`
}

// Triage sets severity and assignee.
type Triage struct {
	Severity Severity `json:"severity"`
	Assignee string   `json:"assignee"`
	Note     string   `json:"note,omitempty"`
}

// Assign changes the assignee.
type Assign struct {
	Assignee string `json:"assignee"`
}

// StartAnalysis moves a triaged case into analysis.
type StartAnalysis struct{}

// RecordAnalysis records findings. Match and Similarity are filled by the
// workflow (MatchOfficialAccount) for IMPERSONATION cases.
type RecordAnalysis struct {
	Findings   string              `json:"findings"`
	Verdict    Verdict             `json:"verdict,omitempty"`
	LegalBasis string              `json:"legalBasis,omitempty"`
	Match      *OfficialAccountRef `json:"match,omitempty"`
	Similarity *float64            `json:"similarity,omitempty"`
}

// AddEvidence keeps evidence whose content is already stored as a blob.
type AddEvidence struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
	MediaType   string `json:"mediaType"`
	SHA256      string `json:"sha256"`
	SizeBytes   int64  `json:"sizeBytes"`
}

// RequestTakedown asks a platform to remove content.
type RequestTakedown struct {
	Platform   Platform `json:"platform"`
	TargetURL  string   `json:"targetUrl"`
	Reason     string   `json:"reason"`
	LegalBasis string   `json:"legalBasis,omitempty"`
	// Channel is how the request goes (PLATFORM_REPORT when empty) and
	// Authority the competent authority that sent an AUTHORITY_REQUEST
	// (takedown_channel.go).
	Channel   TakedownChannel `json:"channel,omitempty"`
	Authority string          `json:"authority,omitempty"`
}

// RecordTakedownResponse records a platform's answer.
type RecordTakedownResponse struct {
	TakedownID        string          `json:"takedownId"`
	Outcome           TakedownOutcome `json:"outcome"`
	PlatformReference string          `json:"platformReference,omitempty"`
	Note              string          `json:"note,omitempty"`
}

// RequestEscalation asks a leader to escalate to the case's escalation target.
type RequestEscalation struct {
	Reason string `json:"reason"`
}

// ApproveEscalation is a leader's approval. Signer and RegisterNumber are
// optional: the case's workflow completes the signer from the issuing unit
// before the approval is decided, and RegisterNumber is required exactly
// when the issuing unit numbers by hand (Unit.Numbering manual).
type ApproveEscalation struct {
	Note string `json:"note,omitempty"`
	// Signer signs the letter (the issuing unit's default when nil).
	Signer *Signer `json:"signer,omitempty"`
	// RegisterNumber is the number issued in the office's own register.
	RegisterNumber int `json:"registerNumber,omitempty"`
}

// DeclineEscalation is a leader's refusal.
type DeclineEscalation struct {
	Reason string `json:"reason"`
}

// SendEscalation records the dispatch after approval (the workflow issues it
// with the dispatch number the SendEscalation activity allocated, or since
// the office letters the letter the IssueEscalation activity numbered and
// rendered; the dispatch number is then the letter's).
type SendEscalation struct {
	DispatchNumber string  `json:"dispatchNumber"`
	Letter         *Letter `json:"letter,omitempty"`
}

// RecordEscalationResponse records the answer of a recipient of the
// escalation: the addressee's when Recipient is empty.
type RecordEscalationResponse struct {
	Response  string `json:"response"`
	Resolved  bool   `json:"resolved"`
	Recipient string `json:"recipient,omitempty"`
}

// Resolve records the outcome.
type Resolve struct {
	Resolution string `json:"resolution"`
}

// Close confirms a resolution.
type Close struct {
	Note string `json:"note,omitempty"`
}

// Reject declares the report not an incident or out of scope.
type Reject struct {
	Reason string `json:"reason"`
}

// Reopen brings a settled case back to triage.
type Reopen struct {
	Reason string `json:"reason"`
}

// Comment adds a comment.
type Comment struct {
	Text string `json:"text"`
}

// Name implementations.
func (Report) Name() string                   { return CmdReportIncident }
func (MergeReport) Name() string              { return CmdMergeReport }
func (Triage) Name() string                   { return CmdTriageCase }
func (Assign) Name() string                   { return CmdAssignCase }
func (StartAnalysis) Name() string            { return CmdStartAnalysis }
func (RecordAnalysis) Name() string           { return CmdRecordAnalysis }
func (AddEvidence) Name() string              { return CmdAddEvidence }
func (RequestTakedown) Name() string          { return CmdRequestTakedown }
func (RecordTakedownResponse) Name() string   { return CmdRecordTakedownResponse }
func (RequestEscalation) Name() string        { return CmdRequestEscalation }
func (ApproveEscalation) Name() string        { return CmdApproveEscalation }
func (DeclineEscalation) Name() string        { return CmdDeclineEscalation }
func (SendEscalation) Name() string           { return CmdSendEscalation }
func (RecordEscalationResponse) Name() string { return CmdRecordEscalationResponse }
func (Resolve) Name() string                  { return CmdResolveCase }
func (Close) Name() string                    { return CmdCloseCase }
func (Reject) Name() string                   { return CmdRejectCase }
func (Reopen) Name() string                   { return CmdReopenCase }
func (Comment) Name() string                  { return CmdAddComment }

// Decide applies the lifecycle rules (docs/ARCHITECTURE.md, "Lifecycle"): it returns the events that
// cmd causes on c at now under policy p, or an *Error (INVALID_TRANSITION,
// BAD_USER_INPUT with the field). It has no side effects; the caller appends
// the events and folds them with Apply.
func Decide(c Case, cmd Command, now time.Time, p Policy) ([]Payload, error) {
	b := newBatch(c, now.UTC(), p)
	var err error
	switch x := cmd.(type) {
	case Report:
		err = b.report(x)
	case MergeReport:
		err = b.merge(x)
	case Triage:
		err = b.triage(x)
	case Assign:
		err = b.assign(x)
	case StartAnalysis:
		err = b.startAnalysis()
	case RecordAnalysis:
		err = b.recordAnalysis(x)
	case AddEvidence:
		err = b.addEvidence(x)
	case RequestTakedown:
		err = b.requestTakedown(x)
	case RecordTakedownResponse:
		err = b.takedownResponse(x)
	case RequestEscalation:
		err = b.requestEscalation(x)
	case ApproveEscalation:
		err = b.approveEscalation(x)
	case DeclineEscalation:
		err = b.declineEscalation(x)
	case SendEscalation:
		err = b.sendEscalation(x)
	case RecordEscalationResponse:
		err = b.escalationResponse(x)
	case Resolve:
		err = b.resolve(x)
	case Close:
		err = b.close(x)
	case Reject:
		err = b.reject(x)
	case Reopen:
		err = b.reopen(x)
	case Comment:
		err = b.comment(x)
	case CompleteTask:
		err = b.completeTask(x)
	case WaiveTask:
		err = b.waiveTask(x)
	default:
		return nil, Errorf(CodeBadUserInput, "unknown command %T", cmd)
	}
	if err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, Errorf(CodeInternal, "%s: %v", cmd.Name(), b.err)
	}
	return b.out, nil
}

// Validate reports what Decide would answer for cmd on c at now, without
// asking for what is allocated only once a command is known to be valid: a
// report's number (its CaseID must be set).
func Validate(c Case, cmd Command, now time.Time, p Policy) error {
	if r, ok := cmd.(Report); ok {
		_, _, err := checkReport(c, r)
		return err
	}
	_, err := Decide(c, cmd, now, p)
	return err
}

// checkReport applies the rules of a report that do not depend on its
// allocated number.
func checkReport(c Case, r Report) (Report, []Subject, error) {
	if c.Version != 0 {
		return r, nil, Errorf(CodeConflict, "case %s already exists", c.ID)
	}
	return ValidateReport(r)
}

// require returns INVALID_TRANSITION unless the case is in one of allowed.
func (b *batch) require(cmd string, allowed ...Status) error {
	if b.c.Version == 0 {
		return Errorf(CodeNotFound, "case not found")
	}
	for _, s := range allowed {
		if b.c.Status == s {
			return nil
		}
	}
	return invalidTransition(cmd, b.c.Status)
}

func (b *batch) requireOpen(cmd string) error {
	return b.require(cmd, StatusReported, StatusTriaged, StatusAnalysis, StatusAction, StatusEscalated)
}

// ValidateReport checks a report and returns it cleaned: NFC text, subjects
// with normalized URLs. The API calls it before starting a workflow.
func ValidateReport(r Report) (Report, []Subject, error) {
	var err error
	if !validKind(r.Kind) {
		return r, nil, BadInput("kind", "unknown incident kind %q", r.Kind)
	}
	if strings.TrimSpace(r.Unit) == "" {
		return r, nil, BadInput("unit", "is required")
	}
	if r.Title, err = CleanText("title", r.Title, true, MaxTitle); err != nil {
		return r, nil, err
	}
	if r.Description, err = CleanText("description", r.Description, false, MaxDescription); err != nil {
		return r, nil, err
	}
	if r.ClientRequestID, err = CleanText("clientRequestId", r.ClientRequestID, true, MaxShortText); err != nil {
		return r, nil, err
	}
	if r.Channel != "" && r.Channel != ChannelPublic {
		return r, nil, BadInput("channel", "unknown channel %q", r.Channel)
	}
	if len(r.EscalationRecipients) > 0 {
		// Resolved through the ancestors, the route may name the case's
		// own unit: it is not the unit's route.
		route, err := CleanRoute("", r.Kind, r.EscalationRecipients)
		if err != nil {
			return r, nil, err
		}
		r.EscalationRecipients, r.EscalatesTo = route, route[0].Unit
	}
	subjects, err := cleanSubjects(r.Subjects)
	return r, subjects, err
}

func cleanSubjects(in []SubjectInput) ([]Subject, error) {
	if len(in) < 1 || len(in) > MaxSubjects {
		return nil, BadInput("subjects", "needs between 1 and %d subjects, got %d", MaxSubjects, len(in))
	}
	out := make([]Subject, 0, len(in))
	seen := map[string]bool{}
	for i, s := range in {
		field := fmt.Sprintf("subjects[%d]", i)
		if !ValidPlatform(s.Platform) {
			return nil, BadInput(field+".platform", "unknown platform %q", s.Platform)
		}
		u, err := CleanText(field+".url", s.URL, true, MaxURL)
		if err != nil {
			return nil, err
		}
		n, err := NormalizeURL(u)
		if err != nil {
			return nil, BadInput(field+".url", "%q is not an absolute http(s) URL", u)
		}
		name, err := CleanText(field+".displayName", s.DisplayName, false, MaxShortText)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, Subject{Platform: s.Platform, URL: strings.TrimSpace(u), NormalizedURL: n, DisplayName: name})
	}
	return out, nil
}

func (b *batch) report(r Report) error {
	r, subjects, err := checkReport(*b.c, r)
	if err != nil {
		return err
	}
	if r.CaseID == "" || r.Number == "" {
		return Errorf(CodeInternal, "report without case id or number")
	}
	b.add(CaseReported{
		CaseID: r.CaseID, Number: r.Number, Kind: r.Kind, Unit: r.Unit, EscalatesTo: r.EscalatesTo,
		Title: r.Title, Description: r.Description, Subjects: subjects, ClientRequestID: r.ClientRequestID,
		Channel: r.Channel, EscalationRecipients: r.EscalationRecipients,
	})
	b.startDeadline(DeadlineTriage, "")
	return nil
}

func (b *batch) merge(m MergeReport) error {
	if err := b.requireOpen(CmdMergeReport); err != nil {
		return err
	}
	r, subjects, err := ValidateReport(m.Report)
	if err != nil {
		return err
	}
	b.add(ReportMerged{Title: r.Title, Description: r.Description, Unit: r.Unit, Subjects: subjects, ClientRequestID: r.ClientRequestID,
		Channel: r.Channel})
	return nil
}

func (b *batch) triage(t Triage) error {
	if err := b.require(CmdTriageCase, StatusReported); err != nil {
		return err
	}
	if !validSeverity(t.Severity) {
		return BadInput("severity", "unknown severity %q", t.Severity)
	}
	assignee, err := CleanText("assignee", t.Assignee, true, MaxShortText)
	if err != nil {
		return err
	}
	note, err := CleanText("note", t.Note, false, MaxText)
	if err != nil {
		return err
	}
	var tasks []PlannedTask
	if len(b.c.Tasks) == 0 {
		// A case re-triaged keeps its tasks (none are planned twice).
		tasks = b.p.plannedTasks(b.c.Kind, b.now)
	}
	b.add(CaseTriaged{Severity: t.Severity, Assignee: assignee, Note: note, Tasks: tasks})
	b.meet(DeadlineTriage, "")
	b.startDeadline(DeadlineAnalysis, "")
	b.startDeadlineSince(DeadlineResolution, "", b.c.ReportedAt)
	return nil
}

func (b *batch) assign(a Assign) error {
	if err := b.requireOpen(CmdAssignCase); err != nil {
		return err
	}
	assignee, err := CleanText("assignee", a.Assignee, true, MaxShortText)
	if err != nil {
		return err
	}
	b.add(CaseAssigned{Assignee: assignee})
	return nil
}

func (b *batch) startAnalysis() error {
	if err := b.require(CmdStartAnalysis, StatusTriaged); err != nil {
		return err
	}
	b.add(AnalysisStarted{})
	return nil
}

func validVerdict(v Verdict) bool {
	switch v {
	case "", VerdictFalse, VerdictMisleading, VerdictUnverified, VerdictTrue:
		return true
	}
	return false
}

func (b *batch) recordAnalysis(a RecordAnalysis) error {
	if err := b.require(CmdRecordAnalysis, StatusAnalysis, StatusAction, StatusEscalated); err != nil {
		return err
	}
	findings, err := CleanText("findings", a.Findings, true, MaxText)
	if err != nil {
		return err
	}
	if !validVerdict(a.Verdict) {
		return BadInput("verdict", "unknown verdict %q", a.Verdict)
	}
	legal, err := CleanText("legalBasis", a.LegalBasis, false, MaxText)
	if err != nil {
		return err
	}
	b.add(AnalysisRecorded{Findings: findings, Verdict: a.Verdict, LegalBasis: legal, ImpersonatedAccount: a.Match, Similarity: a.Similarity})
	b.meet(DeadlineAnalysis, "")
	return nil
}

func (b *batch) addEvidence(e AddEvidence) error {
	if err := b.requireOpen(CmdAddEvidence); err != nil {
		return err
	}
	desc, err := CleanText("description", e.Description, true, MaxText)
	if err != nil {
		return err
	}
	mt, err := CleanText("mediaType", e.MediaType, true, MaxMediaType)
	if err != nil {
		return err
	}
	if e.URL != "" {
		if _, err := NormalizeURL(e.URL); err != nil {
			return BadInput("url", "%q is not an absolute http(s) URL", e.URL)
		}
	}
	if !isSHA256Hex(e.SHA256) {
		return BadInput("contentBase64", "content was not stored")
	}
	if e.SizeBytes < 0 || e.SizeBytes > MaxEvidence {
		return BadInput("contentBase64", "evidence is %d bytes; at most %d are allowed", e.SizeBytes, MaxEvidence)
	}
	id := fmt.Sprintf("EV-%d", len(b.c.Evidence)+1)
	b.add(EvidenceAdded{EvidenceID: id, Description: desc, URL: strings.TrimSpace(e.URL), SHA256: e.SHA256, MediaType: mt, SizeBytes: e.SizeBytes})
	return nil
}

// isSHA256Hex reports whether s is a SHA-256 digest in lower-case hex.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (b *batch) requestTakedown(t RequestTakedown) error {
	if err := b.require(CmdRequestTakedown, StatusAnalysis, StatusAction, StatusEscalated); err != nil {
		return err
	}
	if b.c.Status == StatusAnalysis && b.c.Analysis == nil {
		return Errorf(CodeInvalidTransition, "requestTakedown needs a recorded analysis first")
	}
	if !ValidPlatform(t.Platform) {
		return BadInput("platform", "unknown platform %q", t.Platform)
	}
	target, err := CleanText("targetUrl", t.TargetURL, true, MaxURL)
	if err != nil {
		return err
	}
	if _, err := NormalizeURL(target); err != nil {
		return BadInput("targetUrl", "%q is not an absolute http(s) URL", target)
	}
	reason, err := CleanText("reason", t.Reason, true, MaxText)
	if err != nil {
		return err
	}
	legal, err := CleanText("legalBasis", t.LegalBasis, false, MaxText)
	if err != nil {
		return err
	}
	channel, authority, err := cleanTakedownChannel(t)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("TD-%d", len(b.c.Takedowns)+1)
	due := b.p.ForChannel(channel).Due(DeadlineTakedownResponse, b.c.Severity, b.now)
	b.add(TakedownRequested{TakedownID: id, Platform: t.Platform, TargetURL: strings.TrimSpace(target), Reason: reason, LegalBasis: legal,
		Channel: channel, Authority: authority, DueAt: due})
	b.startDeadline(DeadlineTakedownResponse, id)
	return nil
}

func (b *batch) takedownResponse(r RecordTakedownResponse) error {
	if err := b.require(CmdRecordTakedownResponse, StatusAction, StatusEscalated); err != nil {
		return err
	}
	t := b.c.Takedown(r.TakedownID)
	if t == nil {
		return Errorf(CodeNotFound, "takedown %q not found in this case", r.TakedownID)
	}
	switch t.Status {
	case TakedownSent, TakedownAcknowledged, TakedownExpired:
	default:
		return Errorf(CodeInvalidTransition, "takedown %s is already %s", t.ID, t.Status)
	}
	switch r.Outcome {
	case OutcomeAcknowledged, OutcomeRemoved, OutcomeRejected:
	default:
		return BadInput("outcome", "unknown outcome %q", r.Outcome)
	}
	ref, err := CleanText("platformReference", r.PlatformReference, false, MaxShortText)
	if err != nil {
		return err
	}
	note, err := CleanText("note", r.Note, false, MaxText)
	if err != nil {
		return err
	}
	b.add(TakedownResponded{TakedownID: t.ID, Outcome: r.Outcome, PlatformReference: ref, Note: note})
	b.meet(DeadlineTakedownResponse, t.ID)
	return nil
}

func (b *batch) requestEscalation(r RequestEscalation) error {
	if err := b.require(CmdRequestEscalation, StatusAnalysis, StatusAction); err != nil {
		return err
	}
	reason, err := CleanText("reason", r.Reason, true, MaxText)
	if err != nil {
		return err
	}
	if b.c.EscalatesTo == "" {
		return Errorf(CodeInvalidTransition, "unit %s has no escalation target configured", b.c.Unit)
	}
	b.add(EscalationRequested{Reason: reason, To: b.c.EscalatesTo, Recipients: recipientsOf(b.c)})
	b.startDeadline(DeadlineEscalationApproval, "")
	return nil
}

func (b *batch) requireEscalation(cmd string, allowed ...EscalationStatus) error {
	if err := b.require(cmd, StatusEscalated); err != nil {
		return err
	}
	if b.c.Escalation != nil {
		for _, s := range allowed {
			if b.c.Escalation.Status == s {
				return nil
			}
		}
	}
	st := EscalationStatus("none")
	if b.c.Escalation != nil {
		st = b.c.Escalation.Status
	}
	return Errorf(CodeInvalidTransition, "%s is not allowed while the escalation is %s", cmd, st)
}

func (b *batch) approveEscalation(a ApproveEscalation) error {
	if err := b.requireEscalation(CmdApproveEscalation, EscPendingApproval); err != nil {
		return err
	}
	note, err := CleanText("note", a.Note, false, MaxText)
	if err != nil {
		return err
	}
	ev := EscalationApproved{Note: note}
	if a.Signer != nil {
		s, err := CleanSigner("signer", *a.Signer)
		if err != nil {
			return err
		}
		ev.Signer = &s
	}
	if a.RegisterNumber < 0 {
		return BadInput("registerNumber", "must be 1 or more, not %d", a.RegisterNumber)
	}
	ev.RegisterNumber = a.RegisterNumber
	b.add(ev)
	b.meet(DeadlineEscalationApproval, "")
	return nil
}

func (b *batch) declineEscalation(d DeclineEscalation) error {
	if err := b.requireEscalation(CmdDeclineEscalation, EscPendingApproval); err != nil {
		return err
	}
	reason, err := CleanText("reason", d.Reason, true, MaxText)
	if err != nil {
		return err
	}
	b.add(EscalationDeclined{Reason: reason})
	b.meet(DeadlineEscalationApproval, "")
	return nil
}

func (b *batch) sendEscalation(s SendEscalation) error {
	if err := b.requireEscalation(CmdSendEscalation, EscApproved); err != nil {
		return err
	}
	ev := EscalationSent{DispatchNumber: s.DispatchNumber, To: b.c.Escalation.To}
	if l := s.Letter; l != nil {
		if err := l.check(); err != nil {
			return err
		}
		ev.DispatchNumber = l.DispatchNumber()
		signer := l.Signer
		ev.Number, ev.Symbol, ev.Issuer, ev.IssuedAt, ev.Manual = l.Number, l.Symbol, l.Issuer, l.IssuedAt.UTC(), l.Manual
		ev.Signer, ev.SHA256, ev.DOCXSHA256 = &signer, l.SHA256, l.DOCXSHA256
	}
	number, err := CleanText("dispatchNumber", ev.DispatchNumber, true, MaxShortText)
	if err != nil {
		return err
	}
	ev.DispatchNumber = number
	b.add(ev)
	b.startDeadline(DeadlineEscalationResponse, "")
	return nil
}

func (b *batch) escalationResponse(r RecordEscalationResponse) error {
	if err := b.requireEscalation(CmdRecordEscalationResponse, EscSent, EscAcknowledged); err != nil {
		return err
	}
	resp, err := CleanText("response", r.Response, true, MaxText)
	if err != nil {
		return err
	}
	esc := b.c.Escalation // the batch's own copy
	to := strings.TrimSpace(r.Recipient)
	if to == "" {
		to = esc.To
	}
	if esc.Recipient(to) == nil {
		return BadInput("recipient", "unit %s is not a recipient of this escalation", to)
	}
	b.add(EscalationResponded{Response: resp, Resolved: r.Resolved, Recipient: to})
	if to == esc.To {
		// Only the addressee's answer settles the escalation and its
		// deadline; the others are recorded on their recipient.
		b.meet(DeadlineEscalationResponse, "")
	}
	return nil
}

func (b *batch) resolve(r Resolve) error {
	if err := b.require(CmdResolveCase, StatusAnalysis, StatusAction, StatusEscalated); err != nil {
		return err
	}
	if open := b.c.OpenRequiredTasks(); len(open) > 0 {
		return Errorf(CodeInvalidTransition, "%s: required tasks not done or waived: %s", CmdResolveCase, strings.Join(open, ", "))
	}
	res, err := CleanText("resolution", r.Resolution, true, MaxText)
	if err != nil {
		return err
	}
	b.add(CaseResolved{Resolution: res})
	b.meet(DeadlineResolution, "")
	b.cancel("")
	return nil
}

func (b *batch) close(c Close) error {
	if err := b.require(CmdCloseCase, StatusResolved); err != nil {
		return err
	}
	note, err := CleanText("note", c.Note, false, MaxText)
	if err != nil {
		return err
	}
	b.add(CaseClosed{Note: note})
	return nil
}

func (b *batch) reject(r Reject) error {
	if err := b.require(CmdRejectCase, StatusReported, StatusTriaged, StatusAnalysis); err != nil {
		return err
	}
	reason, err := CleanText("reason", r.Reason, true, MaxText)
	if err != nil {
		return err
	}
	b.add(CaseRejected{Reason: reason})
	b.cancel("")
	return nil
}

func (b *batch) reopen(r Reopen) error {
	if err := b.require(CmdReopenCase, StatusResolved, StatusClosed, StatusRejected); err != nil {
		return err
	}
	reason, err := CleanText("reason", r.Reason, true, MaxText)
	if err != nil {
		return err
	}
	b.add(CaseReopened{Reason: reason})
	if b.c.Severity == "" {
		// Rejected before triage: it was never triaged, so it goes back to
		// triage (REPORTED, with a TRIAGE deadline) rather than to a TRIAGED
		// without severity or assignee.
		b.startDeadline(DeadlineTriage, "")
		return nil
	}
	b.startDeadline(DeadlineAnalysis, "")
	b.startDeadline(DeadlineResolution, "")
	return nil
}

func (b *batch) comment(c Comment) error {
	if b.c.Version == 0 {
		return Errorf(CodeNotFound, "case not found")
	}
	text, err := CleanText("text", c.Text, true, MaxText)
	if err != nil {
		return err
	}
	b.add(CommentAdded{Text: text})
	return nil
}
