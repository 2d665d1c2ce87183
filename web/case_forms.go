package web

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"casetrail/incident"
)

// The action forms of the case page. Which forms a page shows is never
// decided here: it shows one for each name of the case's availableActions
// (what the domain's rules and the user's grants allow now, asked of the
// API). This file only says, per mutation, what to ask the user and how to
// send it.

// fieldKind is how a form field is entered.
type fieldKind string

const (
	fieldText     fieldKind = "text"
	fieldURL      fieldKind = "url"
	fieldTextarea fieldKind = "textarea"
	fieldSelect   fieldKind = "select"
	fieldCheckbox fieldKind = "checkbox"
	fieldFile     fieldKind = "file"
	fieldNumber   fieldKind = "number" // a positive whole number, sent as an Int
)

// fieldSpec is one field of an action's form: its form name is the
// mutation's argument name (under input: when input is set), so an error
// the API reports on an argument lands next to its field.
type fieldSpec struct {
	name     string
	kind     fieldKind
	required bool
	// max is the limit of the contract (incident/text.go), as maxlength.
	max int
	// terms is the catalog prefix of a select's enum values, values the
	// values in order.
	terms  string
	values []string
	// hint is a catalog key shown under the field.
	hint string
	// under and arg put the value in an input object argument: $under's
	// field arg (the letter's signer: signer.name from signerName), sent
	// only when one of its fields is filled in.
	under, arg string
	// when, when set, shows the field only for the cases it accepts, and
	// then as required (the register number where the clerk numbers).
	when func(c *caseData) bool
}

// actionSpec is one mutation a case page may offer.
type actionSpec struct {
	name string
	// doc is the mutation; its variables are $id, $expectedVersion when
	// versioned, each field's name, and $input for fields under input.
	doc       string
	versioned bool
	input     bool // the fields go in the mutation's input object
	fields    []fieldSpec
	danger    bool // a refusal or an end (styled apart)
	multipart bool // carries a file
}

var (
	severities = []string{string(incident.Low), string(incident.Medium), string(incident.High), string(incident.Critical)}
	verdicts   = []string{string(incident.VerdictFalse), string(incident.VerdictMisleading), string(incident.VerdictUnverified), string(incident.VerdictTrue)}
	outcomes   = []string{string(incident.OutcomeAcknowledged), string(incident.OutcomeRemoved), string(incident.OutcomeRejected)}
	platforms  = func() []string {
		var out []string
		for _, p := range incident.Platforms {
			out = append(out, string(p))
		}
		return out
	}()
)

// takedownChannels are the takedown channels, PLATFORM_REPORT first.
var takedownChannels = []string{string(incident.TakedownPlatformReport), string(incident.TakedownAuthorityRequest)}

// text fields of the contract's limits.
func textField(name string, required bool) fieldSpec {
	return fieldSpec{name: name, kind: fieldTextarea, required: required, max: incident.MaxText}
}

func shortField(name string, required bool) fieldSpec {
	return fieldSpec{name: name, kind: fieldText, required: required, max: incident.MaxShortText}
}

// versionedDoc writes the mutation of name with the arguments given
// ("severity: Severity!") besides $id and $expectedVersion.
func versionedDoc(name string, args ...string) string {
	decl := []string{"$id: ID!", "$expectedVersion: Int"}
	use := []string{"id: $id", "expectedVersion: $expectedVersion"}
	for _, a := range args {
		n, _, _ := strings.Cut(a, ":")
		decl = append(decl, "$"+a)
		use = append(use, n+": $"+n)
	}
	return "mutation CaseAction(" + strings.Join(decl, ", ") + ") { " + name + "(" + strings.Join(use, ", ") + ") { id version } }"
}

// actionSpecs are the forms, by mutation name.
var actionSpecs = map[string]actionSpec{
	incident.CmdTriageCase: {
		doc:       versionedDoc("triageCase", "severity: Severity!", "assignee: String!", "note: String"),
		versioned: true,
		fields: []fieldSpec{
			{name: "severity", kind: fieldSelect, required: true, terms: "severity", values: severities},
			shortField("assignee", true), textField("note", false),
		},
	},
	incident.CmdAssignCase: {
		doc: versionedDoc("assignCase", "assignee: String!"), versioned: true,
		fields: []fieldSpec{shortField("assignee", true)},
	},
	incident.CmdStartAnalysis: {doc: versionedDoc("startAnalysis"), versioned: true},
	incident.CmdRecordAnalysis: {
		doc: versionedDoc("recordAnalysis", "input: AnalysisInput!"), versioned: true, input: true,
		fields: []fieldSpec{
			textField("findings", true),
			{name: "verdict", kind: fieldSelect, terms: "verdict", values: verdicts},
			{name: "legalBasis", kind: fieldText, max: incident.MaxText, hint: "field.legalBasisHint"},
		},
	},
	incident.CmdAddEvidence: {
		// The contract's addEvidence takes no expectedVersion: evidence is
		// added to the case as it is.
		doc:   "mutation CaseAction($id: ID!, $input: EvidenceInput!) { addEvidence(id: $id, input: $input) { id version } }",
		input: true, multipart: true,
		fields: []fieldSpec{
			{name: "file", kind: fieldFile, required: true, hint: "field.fileHint"},
			textField("description", true),
			{name: "url", kind: fieldURL, max: incident.MaxURL},
		},
	},
	incident.CmdRequestTakedown: {
		doc: versionedDoc("requestTakedown", "input: TakedownInput!"), versioned: true, input: true,
		fields: []fieldSpec{
			{name: "platform", kind: fieldSelect, required: true, terms: "platform", values: platforms},
			{name: "targetUrl", kind: fieldURL, required: true, max: incident.MaxURL},
			textField("reason", true),
			{name: "legalBasis", kind: fieldText, max: incident.MaxText, hint: "field.legalBasisHint"},
			// The channel and its authority (issue 17, §2): both always
			// shown (no script decides), the domain says which goes with
			// which. The channel is optional like the API's (a form sent
			// without it is a platform report) and PLATFORM_REPORT is chosen.
			{name: "channel", kind: fieldSelect, terms: "channel", values: takedownChannels, hint: "field.channelHint"},
			{name: "authority", kind: fieldText, max: incident.MaxShortText, hint: "field.authorityHint"},
		},
	},
	incident.CmdRecordTakedownResponse: {
		doc: versionedDoc("recordTakedownResponse", "input: TakedownResponseInput!"), versioned: true, input: true,
		fields: []fieldSpec{
			{name: "takedownId", kind: fieldSelect, required: true}, // values: the case's respondable takedowns
			{name: "outcome", kind: fieldSelect, required: true, terms: "outcome", values: outcomes},
			shortField("platformReference", false), textField("note", false),
		},
	},
	incident.CmdRequestEscalation: {
		doc: versionedDoc("requestEscalation", "reason: String!"), versioned: true,
		fields: []fieldSpec{textField("reason", true)},
	},
	incident.CmdApproveEscalation: {
		// The letter's signer and, where the clerk numbers by hand, the
		// register number (issue 16): beyond the contract's arguments.
		doc: versionedDoc("approveEscalation", "note: String", "signer: SignerInput", "registerNumber: Int"), versioned: true,
		fields: []fieldSpec{
			textField("note", false),
			{name: "registerNumber", kind: fieldNumber, hint: "field.registerNumberHint", when: numbersByHand},
			{name: "signerName", kind: fieldText, max: incident.MaxShortText, under: "signer", arg: "name", hint: "field.signerHint"},
			{name: "signerPrefix", kind: fieldSelect, terms: "signerPrefix", values: incident.SignerPrefixes, under: "signer", arg: "prefix"},
			{name: "signerTitle", kind: fieldText, max: incident.MaxShortText, under: "signer", arg: "title"},
		},
	},
	incident.CmdDeclineEscalation: {
		doc: versionedDoc("declineEscalation", "reason: String!"), versioned: true, danger: true,
		fields: []fieldSpec{textField("reason", true)},
	},
	incident.CmdRecordEscalationResponse: {
		// recipient: beyond the contract (issue 17, §3), asked only of an
		// escalation to several units (the addressee chosen).
		doc: versionedDoc("recordEscalationResponse", "response: String!", "resolved: Boolean!", "recipient: ID"), versioned: true,
		fields: []fieldSpec{
			{name: "recipient", kind: fieldSelect, hint: "field.recipientHint", when: severalRecipients}, // values: the recipients
			textField("response", true), {name: "resolved", kind: fieldCheckbox},
		},
	},
	incident.CmdResolveCase: {
		doc: versionedDoc("resolveCase", "resolution: String!"), versioned: true,
		fields: []fieldSpec{textField("resolution", true)},
	},
	incident.CmdCloseCase: {
		doc: versionedDoc("closeCase", "note: String"), versioned: true,
		fields: []fieldSpec{textField("note", false)},
	},
	incident.CmdRejectCase: {
		doc: versionedDoc("rejectCase", "reason: String!"), versioned: true, danger: true,
		fields: []fieldSpec{textField("reason", true)},
	},
	incident.CmdReopenCase: {
		doc: versionedDoc("reopenCase", "reason: String!"), versioned: true,
		fields: []fieldSpec{textField("reason", true)},
	},
	// The playbook's tasks (issue 17, §1): the step is chosen among the
	// case's open ones.
	incident.CmdCompleteTask: {
		doc: versionedDoc("completeTask", "taskId: ID!", "note: String", "url: String"), versioned: true,
		fields: []fieldSpec{
			{name: "taskId", kind: fieldSelect, required: true}, // values: the case's open tasks
			{name: "url", kind: fieldURL, max: incident.MaxURL, hint: "field.taskUrlHint"},
			textField("note", false),
		},
	},
	incident.CmdWaiveTask: {
		doc: versionedDoc("waiveTask", "taskId: ID!", "reason: String!"), versioned: true,
		fields: []fieldSpec{
			{name: "taskId", kind: fieldSelect, required: true},
			textField("reason", true),
		},
	},
	incident.CmdAddComment: {
		// Comments take no expectedVersion either.
		doc:    "mutation CaseAction($id: ID!, $text: String!) { addComment(id: $id, text: $text) { id version } }",
		fields: []fieldSpec{textField("text", true)},
	},
}

func init() {
	for name, s := range actionSpecs {
		s.name = name
		actionSpecs[name] = s
	}
}

// choice is one option of a select.
type choice struct {
	Value, Label string
	Selected     bool
}

// formField is a field as rendered.
type formField struct {
	ID, Name, Label, Hint string
	Kind                  fieldKind
	Required              bool
	Max                   int
	Value                 string
	Checked               bool
	Options               []choice
	Error                 string
}

// actionForm is an action's form as rendered.
type actionForm struct {
	Action, Title, Button string
	Fields                []*formField
	Versioned             bool
	Version               int64
	// Key is the form's idempotency key: a new random one per render, so
	// a double submit of one form runs its command once.
	Key       string
	Multipart bool
	Danger    bool
	Open      bool   // shown unfolded (after an error)
	Error     string // about the whole form
	// Context says what the form decides on (the escalation a leader
	// approves or declines); Preview links the draft of its letter.
	Context string
	Preview string
}

// newKey returns a fresh idempotency key.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// buildForms returns the forms of the actions c.Available names, in its
// order, with defaults from the case and the user.
func buildForms(p *Printer, c *caseData, u *User) []*actionForm {
	var out []*actionForm
	for _, name := range c.Available {
		spec, ok := actionSpecs[name]
		if !ok {
			continue // a command this interface does not know yet
		}
		out = append(out, newForm(p, spec, c, u, nil))
	}
	return out
}

// newForm renders spec's form for c; values, when not nil, are what the
// user sent (kept after a refusal).
func newForm(p *Printer, spec actionSpec, c *caseData, u *User, values map[string][]string) *actionForm {
	f := &actionForm{
		Action: spec.name, Title: p.T("action." + spec.name), Button: p.T("action." + spec.name),
		Versioned: spec.versioned, Version: c.Version, Key: newKey(), Multipart: spec.multipart, Danger: spec.danger,
	}
	if e := c.Escalation; e != nil && (spec.name == incident.CmdApproveEscalation || spec.name == incident.CmdDeclineEscalation) {
		f.Context = p.T("case.escalation.ask", e.To.Name, reasonText(p, e.RequestedBy, e.Reason))
		f.Preview = e.PreviewURL
	}
	if _, ok := messages["action."+spec.name+".title"]; ok {
		f.Title = p.T("action." + spec.name + ".title")
	}
	for _, fs := range spec.fields {
		if fs.when != nil && !fs.when(c) {
			continue
		}
		ff := &formField{
			ID: "f-" + spec.name + "-" + fs.name, Name: fs.name, Label: p.T("field." + fs.name),
			Kind: fs.kind, Required: fs.required || fs.when != nil, Max: fs.max,
		}
		if fs.hint != "" {
			ff.Hint = p.T(fs.hint)
		}
		value := defaultValue(spec.name, fs.name, c, u)
		if values != nil {
			value = first(values[fs.name])
		}
		ff.Value = value
		ff.Checked = fs.kind == fieldCheckbox && value != ""
		if fs.kind == fieldSelect {
			if !fs.required {
				ff.Options = append(ff.Options, choice{Value: "", Label: p.T("case.choose"), Selected: value == ""})
			}
			for _, v := range fs.values {
				ff.Options = append(ff.Options, choice{Value: v, Label: p.Word(fs.terms, v), Selected: v == value})
			}
			if fs.name == "recipient" {
				ff.Options = append(ff.Options[:0], recipientChoices(p, c, value)...) // web/case_recipients.go
			}
			if fs.name == "takedownId" {
				for _, id := range c.Respond {
					ff.Options = append(ff.Options, choice{Value: id, Label: takedownLabel(p, c, id), Selected: id == value})
				}
			}
			if fs.name == "taskId" {
				for _, t := range c.Tasks {
					if t.State != string(incident.TaskStateOpen) {
						continue
					}
					label := t.Title
					if t.Required {
						label += " (" + p.T("case.task.required") + ")"
					}
					if t.RecordsURL && spec.name == incident.CmdCompleteTask {
						label += " – " + p.T("case.task.needsUrl")
					}
					ff.Options = append(ff.Options, choice{Value: t.ID, Label: label, Selected: t.ID == value})
				}
			}
		}
		f.Fields = append(f.Fields, ff)
	}
	return f
}

// defaultValue is what a field holds before the user types: the triage
// assigns the case's assignee or the user, a takedown targets the case's
// first subject.
func defaultValue(action, field string, c *caseData, u *User) string {
	switch {
	case field == "assignee":
		if c.Assignee != "" {
			return c.Assignee
		}
		return u.Username
	case action == incident.CmdTriageCase && field == "severity":
		return string(incident.Medium)
	case action == incident.CmdRequestTakedown && field == "platform" && len(c.Subjects) > 0:
		return c.Subjects[0].Platform
	case action == incident.CmdRequestTakedown && field == "targetUrl" && len(c.Subjects) > 0:
		return c.Subjects[0].URL
	case action == incident.CmdRequestTakedown && field == "channel":
		return string(incident.TakedownPlatformReport)
	case action == incident.CmdRecordEscalationResponse && field == "recipient" && c.Escalation != nil:
		return c.Escalation.To.ID // the addressee
	case action == incident.CmdApproveEscalation:
		// The letter is signed by the issuing unit's default signer
		// unless the leader says otherwise.
		if e := c.Escalation; e != nil && e.Issuer != nil && e.Issuer.DefaultSigner != nil {
			s := e.Issuer.DefaultSigner
			switch field {
			case "signerName":
				return s.Name
			case "signerTitle":
				return s.Title
			case "signerPrefix":
				return s.Prefix
			}
		}
	}
	return ""
}

// numbersByHand reports whether the unit that issues c's escalation letter
// numbers it in the office's own register.
func numbersByHand(c *caseData) bool {
	e := c.Escalation
	return e != nil && e.Issuer != nil && e.Issuer.Numbering == "MANUAL"
}

// takedownLabel names a takedown in a select: "TD-1 · Facebook · url".
func takedownLabel(p *Printer, c *caseData, id string) string {
	for _, t := range c.Takedowns {
		if t.ID == id {
			return t.ID + " · " + p.Word("platform", t.Platform) + " · " + t.TargetURL
		}
	}
	return id
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// fieldOf returns the form field an API error names ("input.findings",
// "findings", a variable "$severity", "input.contentBase64"), or "".
func fieldOf(spec actionSpec, apiField, message string) string {
	name := apiField
	if name == "" {
		// graphql-go's coercion errors name the variable: Variable "$severity" got invalid value ...
		if i := strings.Index(message, `"$`); i >= 0 {
			rest := message[i+2:]
			if j := strings.IndexByte(rest, '"'); j >= 0 {
				name = rest[:j]
			}
		}
	}
	for _, f := range spec.fields {
		if f.under != "" && (name == f.under+"."+f.arg || name == "input."+f.under+"."+f.arg) {
			return f.name
		}
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	switch name {
	case "contentBase64", "mediaType":
		name = "file"
	}
	for _, f := range spec.fields {
		if f.name == name {
			return name
		}
	}
	return ""
}

// ruleText says, in the user's language, which rule the value of field
// broke, from the API's message (incident.CleanText, NormalizeURL, the
// evidence checks).
func ruleText(p *Printer, spec actionSpec, field, message string) string {
	label := p.T("field." + field)
	var max int
	for _, f := range spec.fields {
		if f.name == field {
			max = f.max
		}
	}
	switch m := strings.ToLower(message); {
	case strings.Contains(m, "already used"):
		return p.T("rule.numberUsed", label)
	case strings.Contains(m, "leave the number out"):
		return p.T("rule.numberNotYours", label)
	case strings.Contains(m, "own register"):
		return p.T("rule.required", label)
	case strings.Contains(m, "quota"):
		return p.T("rule.quota", label)
	case field == "file" && strings.Contains(m, "empty"):
		return p.T("rule.fileMissing", label)
	case field == "file" && (strings.Contains(m, "larger") || strings.Contains(m, "at most")):
		return p.T("rule.fileTooLarge", label)
	case field == "authority" && strings.Contains(m, "is required"):
		return p.T("rule.authorityRequired", label)
	case field == "authority" && strings.Contains(m, "platform_report"):
		return p.T("rule.authorityOnly", label)
	case strings.Contains(m, "is required") || strings.Contains(m, "required type") || strings.Contains(m, "got invalid value <nil>"):
		return p.T("rule.required", label)
	case strings.Contains(m, "characters long") && max > 0:
		return p.T("rule.tooLong", label, max)
	case strings.Contains(m, "url"):
		return p.T("rule.url", label)
	case strings.Contains(m, "unknown") || strings.Contains(m, "invalid value") || strings.Contains(m, "expected type"):
		return p.T("rule.choose", label)
	}
	return p.T("rule.invalid", label)
}
