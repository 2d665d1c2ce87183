package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"casetrail/incident"
)

// verifyQuery recomputes the case's hash chain.
const verifyQuery = `query CaseVerify($id: ID!) { verifyCase(id: $id) { ok eventsChecked firstBadVersion headHash } }`

// asOfQuery replays the case up to a version or an instant.
const asOfQuery = `query CaseAsOf($id: ID!, $version: Int, $at: DateTime) { caseAsOf(id: $id, version: $version, at: $at) { ...CaseFields } }` + caseFields

// integrityData is an IntegrityReport.
type integrityData struct {
	OK              bool   `json:"ok"`
	EventsChecked   int    `json:"eventsChecked"`
	FirstBadVersion int64  `json:"firstBadVersion"`
	HeadHash        string `json:"headHash"`
}

// auditPage is the audit page's own data.
type auditPage struct {
	P      *Printer
	C      *caseData
	Events []timelineEntry
	// Verify is the result of verifyCase when asked (?verify=1).
	Verify *integrityData
	// AsOf is the case as of the version or instant asked (?version=,
	// ?at=), AsOfTitle says which; AsOfNone that the case did not exist
	// then; AsOfError that the request could not be read.
	AsOf      *caseView
	AsOfTitle string
	AsOfNone  bool
	AsOfError string
	// Version and At are the as-of form's values.
	Version, At string
	// Alert is a refusal of verifyCase or caseAsOf (a contract code's words).
	Alert string
}

// asOfLayouts are the ways an instant may be asked for, in Vietnam time:
// as the interface writes dates (HH:mm dd/mm/yyyy, or a day; dd/mm/yyyy HH:mm too), or as an
// <input type="datetime-local"> sends it.
var asOfLayouts = []string{"15:04 02/01/2006", "15:04 2/1/2006", "02/01/2006 15:04", "2/1/2006 15:04", "02/01/2006", "2/1/2006", "2006-01-02T15:04"}

// parseAsOf reads an instant asked for; a day alone means its end.
func parseAsOf(s string) (time.Time, bool) {
	for _, l := range asOfLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			if !strings.Contains(l, "15") {
				t = t.Add(24*time.Hour - time.Minute)
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// auditShow is the auditor's page, Kiểm tra: the full history with each
// event's hash and previous hash, the integrity check of the chain
// (?verify=1) and the case as of a version (?version=3) or an instant in
// Vietnam time (?at=02/12/2026 09:25), shown with the case page's
// partials. Only who may read the history (the API says) sees it.
func (h *Handler) auditShow(w http.ResponseWriter, r *http.Request, u *User) {
	ctx := r.Context()
	id := r.PathValue("id")
	c, historyOK, code := h.loadCase(ctx, u, id)
	switch {
	case code != "" || c == nil:
		h.caseRefused(w, r, u, code)
		return
	case !historyOK:
		h.caseRefusedSaying(w, r, u, incident.CodeForbidden, "case.refused.history")
		return
	}
	pg := h.frame(r, u, "case", "audit.verify")
	p := pg.P
	pg.Title = p.T("audit.title", c.Number)
	names := h.caseNames(ctx, people(c))
	d := &auditPage{P: p, C: c, Events: timeline(p, c.History, names, caseUnits(c))}
	q := r.URL.Query()

	if q.Get("verify") != "" {
		var out struct {
			Verify *integrityData `json:"verifyCase"`
		}
		if errs := h.exec(ctx, u, verifyQuery, map[string]any{"id": id}, &out); len(errs) > 0 {
			d.Alert = p.Code(errs[0].Code)
		} else {
			d.Verify = out.Verify
		}
	}

	d.Version, d.At = strings.TrimSpace(q.Get("version")), strings.TrimSpace(q.Get("at"))
	if d.Version != "" || d.At != "" {
		vars := map[string]any{"id": id}
		ok := true
		if d.Version != "" {
			v, err := strconv.Atoi(d.Version)
			ok = err == nil && v >= 1
			vars["version"] = v
			d.AsOfTitle = p.T("audit.asOfTitleVersion", v)
		}
		if d.At != "" {
			at, parsed := parseAsOf(d.At)
			ok = ok && parsed
			// The whole minute asked for: every event up to its last second.
			vars["at"] = at.Add(time.Minute - time.Nanosecond).Format(time.RFC3339Nano)
			if d.Version == "" {
				d.AsOfTitle = p.T("audit.asOfTitleAt", p.Time(at))
			}
		}
		var out struct {
			Case *caseData `json:"caseAsOf"`
		}
		switch {
		case !ok:
			d.AsOfError = p.T("audit.asOfBad")
		default:
			if errs := h.exec(ctx, u, asOfQuery, vars, &out); len(errs) > 0 {
				d.Alert = p.Code(errs[0].Code)
			} else if out.Case == nil {
				d.AsOfNone = true
			} else {
				v := h.newCaseView(r, p, out.Case, out.Case.UpdatedAt)
				v.Past = true
				d.AsOf = &v
			}
		}
	}
	pg.Data = d
	h.render(w, r, http.StatusOK, "audit", pg)
}
