package web

import (
	"bytes"
	"mime"
	"net/http"
	"strings"
	"time"

	"casetrail/incident"
)

// periodicFileQuery reads the report a file is made of, as the user: the
// one check of a report download (the API's, as for the page).
const periodicFileQuery = `query PeriodicReportFile($unit: ID!, $period: String!) {
  periodicReport(unit: $unit, period: $period) { ` + periodicFields + ` }
}`

// reportMedia are the media types of the report's files, by extension.
var reportMedia = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
	"docx": mediaDOCX,
	"pdf":  mediaPDF,
}

// periodicDownload serves the periodic report as a file, GET
// /reports/file.{xlsx,csv,docx,pdf}?unit=…&period=… (the links
// periodicReport gives): the API, asked as the user, gives the report —
// refusing whoever is not LEADER or AUDITOR of the unit — and
// Options.ReportFile makes the file of exactly that answer. The answer is
// an attachment named after the unit and period, never sniffed nor run.
func (h *Handler) periodicDownload(w http.ResponseWriter, r *http.Request, u *User) {
	ext, ok := strings.CutPrefix(r.PathValue("file"), "file.")
	media := reportMedia[ext]
	if !ok || media == "" {
		h.notFound(w, r)
		return
	}
	q := r.URL.Query()
	var out struct {
		Report *periodicAnswer `json:"periodicReport"`
	}
	if ae := h.run(r.Context(), u, periodicFileQuery, map[string]any{"unit": q.Get("unit"), "period": q.Get("period")}, &out); ae != nil {
		switch ae.Code {
		case incident.CodeForbidden:
			h.renderError(w, r, http.StatusForbidden, "reports.forbidden")
		case incident.CodeNotFound:
			h.renderError(w, r, http.StatusNotFound, "reports.notFound")
		case incident.CodeBadUserInput:
			h.renderError(w, r, http.StatusBadRequest, "reports.badPeriodFile")
		default:
			h.renderError(w, r, http.StatusInternalServerError, "error.internal")
		}
		return
	}
	if out.Report == nil {
		h.notFound(w, r)
		return
	}
	if h.o.ReportFile == nil {
		h.renderError(w, r, http.StatusNotFound, "reports.fileMissing")
		return
	}
	rep := out.Report.PeriodicReport
	content, err := h.o.ReportFile(r.Context(), ext, rep)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := reportFileName(rep, ext)
	hd := w.Header()
	hd.Set("Content-Type", media)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	h.log.Info("report download", "user", u.Username, "unit", rep.Unit.ID, "period", rep.Period.String(), "format", ext)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

// reportFileName is "bao-cao-lai-chau-tan-uyen-2026-03.xlsx": the unit's
// id in lower-case letters, digits and hyphens, and the period.
func reportFileName(rep incident.PeriodicReport, ext string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(rep.Unit.ID) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	unit := strings.TrimSuffix(b.String(), "-")
	if unit == "" {
		unit = "don-vi"
	}
	return "bao-cao-" + unit + "-" + strings.ToLower(rep.Period.String()) + "." + ext
}
