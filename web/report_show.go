package web

import (
	"net/http"
	"strconv"

	"casetrail/incident"
)

// unitsQuery asks for the registry's units, to offer the units of the
// user's grants and their sub-units.
const unitsQuery = `query Units { units { id name parent { id } } }`

// reportData is the report page's own data.
type reportData struct {
	Form   reportForm
	Errors formErrors
	// Rows are the form's URL rows with their messages (set by render).
	Rows      []subjectView
	Kinds     []option
	Platforms []option
	Units     []unitOption
	// Error is the message above the form.
	Error string
	// NoUnits: the user may report in no unit.
	NoUnits bool
	// Limits shown in the hints and set on the inputs.
	MaxTitle, MaxDescription, MaxURL, MaxName, MaxFiles, MaxFileMiB, MaxSubjects int
}

// reportShow is "Phản ánh mới": the empty form, with a fresh request id.
func (h *Handler) reportShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "report", "report.title")
	f := newReportForm()
	units, code := h.reportUnits(r, u, pg.Viewer)
	d := h.reportData(pg.P, f, units)
	if code != "" {
		d.Error = pg.P.T("report.failed", pg.P.Code(code))
	}
	if len(d.Units) == 1 {
		d.Form.Unit = d.Units[0].ID
	}
	h.renderReport(w, r, pg, d, http.StatusOK)
}

// reportUnits returns the units user may report in: the units of the
// viewer's REPORTER, HANDLER and LEADER grants and their sub-units, by the
// registry the API gives; or the code of the API's error.
func (h *Handler) reportUnits(r *http.Request, u *User, v *viewer) ([]unitOption, string) {
	var out struct {
		Units []unitRow `json:"units"`
	}
	if code := h.query(r.Context(), u, unitsQuery, nil, &out); code != "" {
		return nil, code
	}
	return unitsUnder(out.Units, grantUnits(v, reportRoles...)), ""
}

// subjectView is a URL row of the form as the page shows it: its index,
// its number (from 1) and its fields' messages.
type subjectView struct {
	subjectRow
	I, N                         int
	ErrURL, ErrPlatform, ErrName string
	// Detected is the platform detection gives the row's URL, in words,
	// while the row leaves it to detection ("" otherwise).
	Detected string
}

// renderReport shows the report page of d with status.
func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, pg *page, d reportData, status int) {
	d.Rows = make([]subjectView, len(d.Form.Subjects))
	for i, s := range d.Form.Subjects {
		key := "subject." + strconv.Itoa(i) + "."
		d.Rows[i] = subjectView{subjectRow: s, I: i, N: i + 1,
			ErrURL: d.Errors[key+"url"], ErrPlatform: d.Errors[key+"platform"], ErrName: d.Errors[key+"name"]}
		if p := detectPlatform(s.URL); s.Platform == "" && s.URL != "" && p != incident.Other {
			d.Rows[i].Detected = pg.P.T("report.detected", pg.P.Word("platform", p))
		}
	}
	pg.Data = d
	h.render(w, r, status, "report", pg)
}

// reportData returns the page data of form f offered in units.
func (h *Handler) reportData(p *Printer, f reportForm, units []unitOption) reportData {
	if len(f.Subjects) == 0 {
		f.Subjects = make([]subjectRow, minSubjectRows)
	}
	return reportData{
		Form: f, Errors: formErrors{}, Units: units, NoUnits: len(units) == 0,
		Kinds:     options(p, "kind", incident.Kinds),
		Platforms: options(p, "platform", incident.Platforms),
		MaxTitle:  incident.MaxTitle, MaxDescription: incident.MaxDescription, MaxURL: incident.MaxURL,
		MaxName: incident.MaxShortText, MaxFiles: maxEvidenceFiles, MaxFileMiB: incident.MaxEvidence >> 20,
		MaxSubjects: incident.MaxSubjects,
	}
}
