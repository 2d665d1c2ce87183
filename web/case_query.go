package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"casetrail/incident"
)

// caseFields selects what the case pages show of a Case (the contract's
// fields only, so caseAsOf answers with the same).
const caseFields = `
fragment CaseFields on Case {
  id number kind status severity title description
  unit { id name }
  reportedBy reportedAt assignee updatedAt version mergedReports resolution publicReports
  subjects { platform url displayName }
  evidence { id description url sha256 mediaType sizeBytes addedBy addedAt }
  analysis { findings verdict legalBasis similarity recordedBy recordedAt
    impersonatedAccount { platform url displayName unit { name } } }
  takedowns { id platform targetUrl reason legalBasis status platformReference requestedBy requestedAt respondedAt dueAt letterPreviewUrl
    channel authority legalDeadline followUpAt }
  escalation { status reason to { id name } requestedBy requestedAt approvedBy approvedAt dispatchNumber sentAt response respondedAt
    recipients { unit { id name } role sentAt response respondedAt resolved }
    signer { ...SignerFields } letterPreviewUrl
    issuer { id name numbering defaultSigner { ...SignerFields } }
    letter { number symbol dispatchNumber issuedAt manual sha256 docxSha256 pdfUrl docxUrl issuer { id name } signer { ...SignerFields } } }
  deadlines { kind dueAt state settledAt ref }
  tasks { id title required role dueAt recordsUrl state note url reason settledBy settledAt }
}
fragment SignerFields on Signer { prefix authority title name }`

// historyFields selects a CaseEvent.
const historyFields = `version globalPosition type actor occurredAt data hash prevHash`

// historyPage is the most events one read of history asks for
// (schema.MaxHistory).
const historyPage = 1000

// casePageQuery reads the case with what its user may do now and, under
// another name, its history: a user who may read the case but not its
// history (a reporter) gets the case and a FORBIDDEN error on log.history.
const casePageQuery = `query CasePage($id: ID!) {
  case(id: $id) { ...CaseFields availableActions respondableTakedowns caseFileUrl }
  log: case(id: $id) { history(limit: 1000) { ` + historyFields + ` } }
}` + caseFields

// historyQuery reads the history on from a version (a case with more
// events than one page).
const historyQuery = `query CaseHistory($id: ID!, $from: Int!) {
  case(id: $id) { history(fromVersion: $from, limit: 1000) { ` + historyFields + ` } }
}`

// unitRef is a Unit as selected.
type unitRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// caseData is a Case as caseFields selects it.
type caseData struct {
	ID            string    `json:"id"`
	Number        string    `json:"number"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	Severity      string    `json:"severity"`
	Title         string    `json:"title"`
	Description   string    `json:"description"`
	Unit          unitRef   `json:"unit"`
	ReportedBy    string    `json:"reportedBy"`
	ReportedAt    time.Time `json:"reportedAt"`
	Assignee      string    `json:"assignee"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Version       int64     `json:"version"`
	MergedReports int       `json:"mergedReports"`
	Resolution    string    `json:"resolution"`
	Subjects      []struct {
		Platform    string `json:"platform"`
		URL         string `json:"url"`
		DisplayName string `json:"displayName"`
	} `json:"subjects"`
	Evidence   []evidenceData  `json:"evidence"`
	Analysis   *analysisData   `json:"analysis"`
	Takedowns  []takedownData  `json:"takedowns"`
	Escalation *escalationData `json:"escalation"`
	Deadlines  []deadlineData  `json:"deadlines"`
	Tasks      []taskData      `json:"tasks"`
	Available  []string        `json:"availableActions"`
	Respond    []string        `json:"respondableTakedowns"`
	// CaseFileURL links the case file (casefile_download.go) for those
	// who may take it.
	CaseFileURL string `json:"caseFileUrl"`
	// PublicReports counts the reports sent through the citizens' form
	// (case_public.go).
	PublicReports int `json:"publicReports"`
	// History is read apart (loadCase): empty when the user may not.
	History []eventData `json:"-"`
}

type evidenceData struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	URL         string    `json:"url"`
	SHA256      string    `json:"sha256"`
	MediaType   string    `json:"mediaType"`
	SizeBytes   int64     `json:"sizeBytes"`
	AddedBy     string    `json:"addedBy"`
	AddedAt     time.Time `json:"addedAt"`
}

type analysisData struct {
	Findings            string    `json:"findings"`
	Verdict             string    `json:"verdict"`
	LegalBasis          string    `json:"legalBasis"`
	Similarity          *float64  `json:"similarity"`
	RecordedBy          string    `json:"recordedBy"`
	RecordedAt          time.Time `json:"recordedAt"`
	ImpersonatedAccount *struct {
		Platform    string  `json:"platform"`
		URL         string  `json:"url"`
		DisplayName string  `json:"displayName"`
		Unit        unitRef `json:"unit"`
	} `json:"impersonatedAccount"`
}

type takedownData struct {
	ID                string     `json:"id"`
	Platform          string     `json:"platform"`
	TargetURL         string     `json:"targetUrl"`
	Reason            string     `json:"reason"`
	LegalBasis        string     `json:"legalBasis"`
	Status            string     `json:"status"`
	PlatformReference string     `json:"platformReference"`
	RequestedBy       string     `json:"requestedBy"`
	RequestedAt       time.Time  `json:"requestedAt"`
	RespondedAt       *time.Time `json:"respondedAt"`
	DueAt             time.Time  `json:"dueAt"`
	// LetterURL is the draft of its letter as PDF (letter_download.go).
	LetterURL string `json:"letterPreviewUrl"`
	// Channel and Authority say how the request went; its due time is
	// LegalDeadline for an authority's request, FollowUpAt for the
	// office's report through the platform (issue 17, §2).
	Channel       string     `json:"channel"`
	Authority     string     `json:"authority"`
	LegalDeadline *time.Time `json:"legalDeadline"`
	FollowUpAt    *time.Time `json:"followUpAt"`
}

// LetterDOCX is the draft of the takedown's letter as DOCX.
func (t takedownData) LetterDOCX() string {
	if t.LetterURL == "" {
		return ""
	}
	return strings.TrimSuffix(t.LetterURL, ".pdf") + ".docx"
}

type escalationData struct {
	Status         string     `json:"status"`
	Reason         string     `json:"reason"`
	To             unitRef    `json:"to"`
	RequestedBy    string     `json:"requestedBy"`
	RequestedAt    time.Time  `json:"requestedAt"`
	ApprovedBy     string     `json:"approvedBy"`
	ApprovedAt     *time.Time `json:"approvedAt"`
	DispatchNumber string     `json:"dispatchNumber"`
	SentAt         *time.Time `json:"sentAt"`
	Response       string     `json:"response"`
	RespondedAt    *time.Time `json:"respondedAt"`
	// Recipients are every unit it goes to, the addressee first (issue
	// 17, §3; web/case_recipients.go).
	Recipients []recipientData `json:"recipients"`
	// The letter (issue 16; web/letter_download.go).
	Signer     *signerData `json:"signer"`
	PreviewURL string      `json:"letterPreviewUrl"`
	Issuer     *struct {
		unitRef
		Numbering     string      `json:"numbering"`
		DefaultSigner *signerData `json:"defaultSigner"`
	} `json:"issuer"`
	Letter *letterData `json:"letter"`
}

// signerData is a Signer.
type signerData struct {
	Prefix    string `json:"prefix"`
	Authority string `json:"authority"`
	Title     string `json:"title"`
	Name      string `json:"name"`
}

// letterData is an EscalationLetter.
type letterData struct {
	Number         int        `json:"number"`
	Symbol         string     `json:"symbol"`
	DispatchNumber string     `json:"dispatchNumber"`
	IssuedAt       time.Time  `json:"issuedAt"`
	Manual         bool       `json:"manual"`
	SHA256         string     `json:"sha256"`
	DOCXSHA256     string     `json:"docxSha256"`
	PDFURL         string     `json:"pdfUrl"`
	DOCXURL        string     `json:"docxUrl"`
	Issuer         unitRef    `json:"issuer"`
	Signer         signerData `json:"signer"`
}

// taskData is a Task of the case's playbook (issue 17, §1).
type taskData struct {
	ID         string     `json:"id"`
	Title      string     `json:"title"`
	Required   bool       `json:"required"`
	Role       string     `json:"role"`
	DueAt      *time.Time `json:"dueAt"`
	RecordsURL bool       `json:"recordsUrl"`
	State      string     `json:"state"`
	Note       string     `json:"note"`
	URL        string     `json:"url"`
	Reason     string     `json:"reason"`
	SettledBy  string     `json:"settledBy"`
	SettledAt  *time.Time `json:"settledAt"`
}

// OpenRequired counts c's required tasks neither done nor waived.
func (c *caseData) OpenRequired() int {
	n := 0
	for _, t := range c.Tasks {
		if t.Required && t.State == string(incident.TaskStateOpen) {
			n++
		}
	}
	return n
}

type deadlineData struct {
	Kind      string     `json:"kind"`
	DueAt     time.Time  `json:"dueAt"`
	State     string     `json:"state"`
	SettledAt *time.Time `json:"settledAt"`
	Ref       string     `json:"ref"`
}

// eventData is a CaseEvent.
type eventData struct {
	Version        int64     `json:"version"`
	GlobalPosition string    `json:"globalPosition"`
	Type           string    `json:"type"`
	Actor          string    `json:"actor"`
	OccurredAt     time.Time `json:"occurredAt"`
	Data           string    `json:"data"`
	Hash           string    `json:"hash"`
	PrevHash       string    `json:"prevHash"`
}

// gqlError is one error of an in-process answer: its contract code, the
// offending argument (BAD_USER_INPUT), its message and where it arose.
type gqlError struct {
	Code, Field, Message string
	Path                 []any
}

// at reports whether the error arose at the response path given.
func (e gqlError) at(path ...string) bool {
	if len(e.Path) < len(path) {
		return false
	}
	for i, p := range path {
		if fmt.Sprint(e.Path[i]) != p {
			return false
		}
	}
	return true
}

// exec runs doc as user and decodes what data there is into out (when not
// nil), also when some fields failed; it returns the errors. An INTERNAL
// error is logged (its message names nothing a user should see).
func (h *Handler) exec(ctx context.Context, user *User, doc string, vars map[string]any, out any) []gqlError {
	res := h.o.Exec(ctx, user.Username, doc, vars)
	var errs []gqlError
	for _, e := range res.Errors {
		ge := gqlError{Message: e.Message, Path: e.Path}
		ge.Code, _ = e.Extensions["code"].(string)
		ge.Field, _ = e.Extensions["field"].(string)
		if ge.Code == "" || ge.Code == incident.CodeInternal {
			h.log.Error("graphql in-process", "subject", user.Username, "code", ge.Code, "message", e.Message, "path", e.Path)
			ge.Code = incident.CodeInternal
		}
		errs = append(errs, ge)
	}
	if out != nil && res.Data != nil {
		b, err := json.Marshal(res.Data)
		if err == nil {
			err = json.Unmarshal(b, out)
		}
		if err != nil {
			h.log.Error("graphql in-process: decode", "subject", user.Username, "err", err)
			errs = append(errs, gqlError{Code: incident.CodeInternal, Message: err.Error()})
		}
	}
	return errs
}

// loadCase reads case id as user for the case page: the case (nil when
// there is none, or with the code that refused it) and its history when the
// user may read it (historyOK false otherwise).
func (h *Handler) loadCase(ctx context.Context, user *User, id string) (c *caseData, historyOK bool, code string) {
	var out struct {
		Case *caseData `json:"case"`
		Log  *struct {
			History []eventData `json:"history"`
		} `json:"log"`
	}
	errs := h.exec(ctx, user, casePageQuery, map[string]any{"id": id}, &out)
	for _, e := range errs {
		if e.at("log") && e.Code == incident.CodeForbidden {
			continue // the history is not the user's to read
		}
		return nil, false, e.Code
	}
	if out.Case == nil {
		return nil, false, ""
	}
	c = out.Case
	if out.Log == nil {
		return c, false, ""
	}
	c.History = out.Log.History
	for page := 1; len(out.Log.History) == historyPage && page < 20; page++ {
		var more struct {
			Case *struct {
				History []eventData `json:"history"`
			} `json:"case"`
		}
		from := c.History[len(c.History)-1].Version + 1
		if errs := h.exec(ctx, user, historyQuery, map[string]any{"id": id, "from": from}, &more); len(errs) > 0 {
			return nil, false, errs[0].Code
		}
		if more.Case == nil {
			break
		}
		c.History = append(c.History, more.Case.History...)
		out.Log.History = more.Case.History
	}
	return c, true, ""
}
