package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"casetrail/incident"
)

// reportMutation files the report (the intake: a new case, the case an
// earlier sending of the same form went to, or an open case of the same
// subject it is merged into).
const reportMutation = `mutation Report($input: ReportIncidentInput!) {
  reportIncident(input: $input) { merged case { id number } }
}`

// evidenceMutation adds one evidence file to the case.
const evidenceMutation = `mutation AddEvidence($id: ID!, $input: EvidenceInput!) {
  addEvidence(id: $id, input: $input) { id evidence { sha256 } }
}`

// maxReportBody bounds a report form's body: the files and the fields.
const maxReportBody = maxEvidenceFiles*(incident.MaxEvidence+64<<10) + 1<<20

// reportMemory is how much of a form's files is kept in memory while it is
// read; the rest waits in temporary files.
const reportMemory = 8 << 20

// evidenceFile is one evidence file of the form, checked; its content is
// read when it is added (one file in memory at a time).
type evidenceFile struct {
	Name string
	fh   *multipart.FileHeader
}

// reportSave files the report of the form, then adds each evidence file to
// the case it went to, and sends the user to that case with the number
// (and the case it joined, when merged) and each file's SHA-256. The
// report carries the form's request id and each file an idempotency key
// derived from it, so a form sent twice (a double click, a resend after a
// lost answer) opens one case and adds each file once. A problem with the
// input shows the form again as the user filled it, each message next to
// its field.
func (h *Handler) reportSave(w http.ResponseWriter, r *http.Request, u *User) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxReportBody)
	err := r.ParseMultipartForm(reportMemory)
	if r.MultipartForm != nil {
		defer func() { _ = r.MultipartForm.RemoveAll() }()
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge) || (err != nil && strings.Contains(err.Error(), "request body too large")):
		p := NewPrinter(requestLang(r))
		h.render(w, r, http.StatusRequestEntityTooLarge, "error", &page{P: p, Title: p.T("error.title"),
			Data: p.T("report.err.tooLarge", maxReportBody>>20), Path: "/report"})
		return
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	pg := h.frame(r, u, "report", "report.title")
	p := pg.P
	f := readReportForm(r.PostForm)
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["evidence"] {
			if fh.Filename != "" || fh.Size > 0 {
				files = append(files, fh)
			}
		}
	}
	f.HadFiles = len(files) > 0
	units, code := h.reportUnits(r, u, pg.Viewer)
	d := h.reportData(p, f, units)
	show := func(status int) { h.renderReport(w, r, pg, d, status) }
	if code != "" {
		d.Error = p.T("report.failed", p.Code(code))
		show(http.StatusOK)
		return
	}
	if !validRequestID(f.RequestID) {
		// Not a form this page gave: a new one, as filled.
		d.Form.RequestID = newReportForm().RequestID
		d.Error = p.T("error.badForm")
		show(http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("op") == "more" {
		// "Thêm đường dẫn": the same form with one more URL row.
		if len(d.Form.Subjects) < incident.MaxSubjects {
			d.Form.Subjects = append(d.Form.Subjects, subjectRow{})
		}
		show(http.StatusOK)
		return
	}

	d.Errors = d.Form.check(p, units)
	evidence, fileErr := checkEvidence(p, files)
	if fileErr != "" {
		d.Errors["evidence"] = fileErr
	}
	if len(d.Errors) > 0 {
		d.Error = p.T("report.formError")
		show(http.StatusBadRequest)
		return
	}

	var subjects []any
	var sent []int // the form row of each subject sent
	for _, i := range d.Form.filled() {
		s := d.Form.Subjects[i]
		if s.Platform == "" {
			s.Platform = string(detectPlatform(s.URL))
		}
		subj := map[string]any{"platform": s.Platform, "url": s.URL}
		if s.Name != "" {
			subj["displayName"] = s.Name
		}
		subjects = append(subjects, subj)
		sent = append(sent, i)
	}
	input := map[string]any{
		"clientRequestId": d.Form.RequestID, "kind": d.Form.Kind, "unit": d.Form.Unit,
		"title": d.Form.Title, "description": d.Form.Description, "subjects": subjects,
	}
	var rep struct {
		ReportIncident struct {
			Merged bool `json:"merged"`
			Case   struct {
				ID     string `json:"id"`
				Number string `json:"number"`
			} `json:"case"`
		} `json:"reportIncident"`
	}
	if ae := h.run(ctx, u, reportMutation, map[string]any{"input": input}, &rep); ae != nil {
		h.log.Info("report refused", "user", u.Username, "code", ae.Code, "field", ae.Field, "message", ae.Message)
		field := fieldOfAPI(ae.Field, sent)
		if ae.Code == incident.CodeForbidden {
			field = "unit" // the one reason a report is refused to a user with a role
		}
		switch {
		case field == "unit" && ae.Code == incident.CodeForbidden:
			d.Errors["unit"] = p.T("report.err.unitForbidden")
		case field != "" && (ae.Code == incident.CodeBadUserInput || ae.Code == incident.CodeNotFound):
			d.Errors[field] = apiFieldMessage(p, field, ae.Code)
		}
		if len(d.Errors) > 0 {
			d.Error = p.T("report.formError")
		} else {
			d.Error = p.T("report.failed", p.Code(ae.Code))
		}
		show(reportStatus(ae.Code))
		return
	}
	c := rep.ReportIncident.Case
	if rep.ReportIncident.Merged {
		h.addNotes(ctx, note{Key: "flash.merged", Args: []string{c.Number}})
	} else {
		h.addNotes(ctx, note{Key: "flash.reported", Args: []string{c.Number}})
	}
	for i, ev := range evidence {
		h.addNotes(ctx, h.addEvidenceFile(r, u, p, c.ID, d.Form.RequestID, i, ev))
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(c.ID), http.StatusSeeOther)
}

// addEvidenceFile adds the form's i-th file to case id, under an
// idempotency key of the form's request id and i, and returns the note
// that says how it went.
func (h *Handler) addEvidenceFile(r *http.Request, u *User, p *Printer, id, requestID string, i int, ev evidenceFile) note {
	content, err := readFile(ev.fh)
	if err != nil || len(content) == 0 || len(content) > incident.MaxEvidence {
		h.log.Warn("report: evidence unreadable", "user", u.Username, "file", ev.Name, "bytes", len(content), "err", err)
		return note{Key: "flash.evidenceFailed", Args: []string{ev.Name, p.T("error.badForm")}, Bad: true}
	}
	sum := sha256.Sum256(content)
	hexSum := hex.EncodeToString(sum[:])
	ctx := h.withIdempotencyKey(r.Context(), fmt.Sprintf("report/%s/evidence/%d", requestID, i))
	vars := map[string]any{"id": id, "input": map[string]any{
		"description": ev.Name, "mediaType": evidenceType(ev.fh, ev.Name, content),
		"contentBase64": base64.StdEncoding.EncodeToString(content),
	}}
	var out struct {
		AddEvidence struct {
			Evidence []struct {
				SHA256 string `json:"sha256"`
			} `json:"evidence"`
		} `json:"addEvidence"`
	}
	if ae := h.run(ctx, u, evidenceMutation, vars, &out); ae != nil {
		h.log.Warn("report: evidence refused", "user", u.Username, "case", id, "file", ev.Name, "code", ae.Code, "message", ae.Message)
		if ae.Code == incident.CodeForbidden {
			return note{Key: "flash.evidenceForbidden", Args: []string{ev.Name}, Bad: true}
		}
		return note{Key: "flash.evidenceFailed", Args: []string{ev.Name, p.Code(ae.Code)}, Bad: true}
	}
	for _, e := range out.AddEvidence.Evidence {
		if e.SHA256 == hexSum {
			return note{Key: "flash.evidence", Args: []string{ev.Name, p.FileSize(int64(len(content))), hexSum}}
		}
	}
	h.log.Error("report: the case lacks the evidence just added", "case", id, "sha256", hexSum)
	return note{Key: "flash.evidenceFailed", Args: []string{ev.Name, p.Code(incident.CodeInternal)}, Bad: true}
}

// checkEvidence checks the form's files before anything is sent: at most
// maxEvidenceFiles, each 1 byte to incident.MaxEvidence (the sizes the
// multipart reader counted). It returns the message of the first problem
// ("" when none).
func checkEvidence(p *Printer, files []*multipart.FileHeader) ([]evidenceFile, string) {
	if len(files) > maxEvidenceFiles {
		return nil, p.T("report.err.evidenceCount", maxEvidenceFiles)
	}
	out := make([]evidenceFile, 0, len(files))
	for i, fh := range files {
		name := evidenceName(fh.Filename, i)
		switch {
		case fh.Size > incident.MaxEvidence:
			return nil, p.T("report.err.evidenceSize", name, incident.MaxEvidence>>20)
		case fh.Size <= 0:
			return nil, p.T("report.err.evidenceEmpty", name)
		}
		out = append(out, evidenceFile{Name: name, fh: fh})
	}
	return out, ""
}

// readFile reads a file of the form, at most one byte beyond
// incident.MaxEvidence.
func readFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, incident.MaxEvidence+1))
}

// evidenceName is the file's base name as the evidence's description (the
// name it is downloaded under), at most 200 characters of valid UTF-8;
// "tệp-N" when the browser gave none.
func evidenceName(name string, i int) string {
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, `\`, "/")))
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" || name == "." || name == "/" {
		name = fmt.Sprintf("tep-%d", i+1)
	}
	return name
}

// evidenceType is the file's media type: the one the browser sent, else
// the one of its extension, else sniffed from its content.
func evidenceType(fh *multipart.FileHeader, name string, content []byte) string {
	if mt, params, err := mime.ParseMediaType(fh.Header.Get("Content-Type")); err == nil && mt != "application/octet-stream" {
		if cs := params["charset"]; cs != "" && strings.HasPrefix(mt, "text/") {
			return mime.FormatMediaType(mt, map[string]string{"charset": cs})
		}
		return mt
	}
	if mt := mime.TypeByExtension(strings.ToLower(path.Ext(name))); mt != "" {
		return mt
	}
	return http.DetectContentType(content)
}

// reportStatus is the HTTP status of a form the API refused with code.
func reportStatus(code string) int {
	switch code {
	case incident.CodeBadUserInput, incident.CodeNotFound:
		return http.StatusBadRequest
	case incident.CodeForbidden:
		return http.StatusForbidden
	case "RATE_LIMITED":
		return http.StatusTooManyRequests
	case incident.CodeConflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}
