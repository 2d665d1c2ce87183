package web

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"casetrail/incident"
)

// Bounds of the report form.
const (
	// maxEvidenceFiles is how many evidence files one report form sends.
	maxEvidenceFiles = 10
	// minSubjectRows is how many URL rows an empty form offers.
	minSubjectRows = 2
)

// reportForm is the report form as the user filled it: what the page shows
// again when something is wrong.
type reportForm struct {
	// RequestID is the form's clientRequestId, a random UUID given when the
	// form is first shown: the same form sent twice reports once.
	RequestID   string
	Kind        string
	Unit        string
	Title       string
	Description string
	Subjects    []subjectRow
	// HadFiles: the form came with evidence files, which a browser does
	// not keep when the page is shown again.
	HadFiles bool
}

// subjectRow is one URL row of the form. Platform "" asks the server to
// detect it from the URL when the report is sent (detectPlatform).
type subjectRow struct {
	URL, Platform, Name string
}

// newReportForm returns an empty form with a fresh request id.
func newReportForm() reportForm {
	return reportForm{RequestID: uuid.NewString(), Subjects: make([]subjectRow, minSubjectRows)}
}

// subjectField matches the form's subject inputs: subject.0.url,
// subject.3.platform, subject.1.name.
var subjectField = regexp.MustCompile(`^subject\.([0-9]{1,2})\.(url|platform|name)$`)

// readReportForm reads the form's fields from v (files aside).
func readReportForm(v url.Values) reportForm {
	f := reportForm{
		RequestID:   strings.TrimSpace(v.Get("clientRequestId")),
		Kind:        v.Get("kind"),
		Unit:        strings.TrimSpace(v.Get("unit")),
		Title:       v.Get("title"),
		Description: v.Get("description"),
	}
	rows := map[int]*subjectRow{}
	last := -1
	for k, vals := range v {
		m := subjectField.FindStringSubmatch(k)
		if m == nil || len(vals) == 0 {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if i >= incident.MaxSubjects {
			continue
		}
		row := rows[i]
		if row == nil {
			row = &subjectRow{}
			rows[i] = row
		}
		switch m[2] {
		case "url":
			row.URL = strings.TrimSpace(vals[0])
		case "platform":
			row.Platform = vals[0]
		case "name":
			row.Name = strings.TrimSpace(vals[0])
		}
		last = max(last, i)
	}
	f.Subjects = make([]subjectRow, max(last+1, minSubjectRows))
	for i, row := range rows {
		f.Subjects[i] = *row
	}
	return f
}

// filled returns the indexes of the rows with a URL, in order.
func (f reportForm) filled() []int {
	var out []int
	for i, s := range f.Subjects {
		if s.URL != "" {
			out = append(out, i)
		}
	}
	return out
}

// validRequestID reports whether id is a request id the form gives.
func validRequestID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// formErrors are the form's messages by field: kind, unit, title,
// description, subjects, subject.N.url, subject.N.platform, subject.N.name,
// evidence; "form" is the message above the form.
type formErrors map[string]string

// check validates f with the rules of the contract (incident's limits and
// URL rule), so that every field's problem shows at once and nothing is
// sent that the API would refuse. units are the units the user may report
// in. The API checks everything again.
func (f *reportForm) check(p *Printer, units []unitOption) formErrors {
	errs := formErrors{}
	if !slices.Contains(incident.Kinds, incident.Kind(f.Kind)) {
		errs["kind"] = p.T("report.err.kind")
	}
	if !slices.ContainsFunc(units, func(u unitOption) bool { return u.ID == f.Unit }) {
		errs["unit"] = p.T("report.err.unit")
	}
	if strings.TrimSpace(f.Title) == "" || utf8.RuneCountInString(f.Title) > incident.MaxTitle {
		errs["title"] = p.T("report.err.title", incident.MaxTitle)
	}
	if utf8.RuneCountInString(f.Description) > incident.MaxDescription {
		errs["description"] = p.T("report.err.description", incident.MaxDescription)
	}
	filled := f.filled()
	if len(filled) == 0 || len(filled) > incident.MaxSubjects {
		errs["subjects"] = p.T("report.err.subjects", incident.MaxSubjects)
	}
	for _, i := range filled {
		s := &f.Subjects[i]
		key := fmt.Sprintf("subject.%d.", i)
		if _, err := incident.NormalizeURL(s.URL); err != nil || utf8.RuneCountInString(s.URL) > incident.MaxURL {
			errs[key+"url"] = p.T("report.err.url", incident.MaxURL)
		}
		if s.Platform != "" && !slices.Contains(incident.Platforms, incident.Platform(s.Platform)) {
			errs[key+"platform"] = p.T("report.err.platform")
		}
		if utf8.RuneCountInString(s.Name) > incident.MaxShortText {
			errs[key+"name"] = p.T("report.err.displayName", incident.MaxShortText)
		}
	}
	for _, s := range []string{f.Title, f.Description} {
		if !utf8.ValidString(s) {
			errs["description"] = p.T("report.err.text")
		}
	}
	return errs
}

// detectPlatform tells the platform of an absolute http(s) URL from its
// host: incident.PlatformOf, the one list of the platforms' domains.
func detectPlatform(raw string) incident.Platform { return incident.PlatformOf(raw) }

// fieldOfAPI returns the form field of a BAD_USER_INPUT's argument path
// (input.title, subjects[1].url, ...): sent[i] is the form row of the i-th
// subject sent. "" when the argument is none of the form's.
func fieldOfAPI(arg string, sent []int) string {
	arg = strings.TrimPrefix(arg, "input.")
	if m := regexp.MustCompile(`^subjects\[([0-9]+)\]\.(url|platform|displayName)$`).FindStringSubmatch(arg); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i >= len(sent) {
			return "subjects"
		}
		part := m[2]
		if part == "displayName" {
			part = "name"
		}
		return fmt.Sprintf("subject.%d.%s", sent[i], part)
	}
	switch arg {
	case "kind", "unit", "title", "description", "subjects":
		return arg
	}
	return ""
}

// apiFieldMessage says the rule of a form field the API refused, in the
// catalog's words.
func apiFieldMessage(p *Printer, field, code string) string {
	switch {
	case field == "kind":
		return p.T("report.err.kind")
	case field == "unit" && code == incident.CodeNotFound:
		return p.T("report.err.unitNotFound")
	case field == "unit":
		return p.T("report.err.unit")
	case field == "title":
		return p.T("report.err.title", incident.MaxTitle)
	case field == "description":
		return p.T("report.err.description", incident.MaxDescription)
	case field == "subjects":
		return p.T("report.err.subjects", incident.MaxSubjects)
	case strings.HasSuffix(field, ".url"):
		return p.T("report.err.url", incident.MaxURL)
	case strings.HasSuffix(field, ".platform"):
		return p.T("report.err.platform")
	case strings.HasSuffix(field, ".name"):
		return p.T("report.err.displayName", incident.MaxShortText)
	}
	return p.Code(code)
}
