package web

import (
	"net/http"
	"strings"
	"time"

	"casetrail/incident"
)

// caseView is what the case partials (templates/partials/case.html) show of
// one state of a case: the case page shows the case as it is, the audit
// page the case as of a version or an instant.
type caseView struct {
	P     *Printer
	C     *caseData
	Names map[string]string
	// Now is the instant time left is counted from: now, or the instant
	// a past state was taken at.
	Now       time.Time
	Deadlines []deadlineRow
	// Similarity is the analysis's similarity in percent (-1 when none).
	Similarity int
	// Past marks a state replayed from the history (no links to act).
	Past bool
}

// casePage is the case page's own data.
type casePage struct {
	caseView
	HistoryOK bool
	Timeline  []timelineEntry
	Comments  []timelineEntry
	Forms     []*actionForm
	// Alert is a message about the last action (a conflict, a refusal);
	// Conflict marks the stale-page one.
	Alert    string
	Conflict bool
	// Public holds the contacts of the case's public reports, for those
	// who may read them (case_public.go).
	Public *publicCase
}

// Class is a CSS class for a value of the contract: prefix-value, lower
// case (status-analysis, severity-high, esc-pending_approval).
func (v caseView) Class(prefix, value string) string {
	return prefix + "-" + strings.ToLower(value)
}

// EscalationReason says why the case's escalation was asked for.
func (v caseView) EscalationReason() string {
	if v.C.Escalation == nil {
		return ""
	}
	return reasonText(v.P, v.C.Escalation.RequestedBy, v.C.Escalation.Reason)
}

// View is the page's state of the case, for the partials.
func (d *casePage) View() caseView { return d.caseView }

// newCaseView prepares c for the partials.
func (h *Handler) newCaseView(r *http.Request, p *Printer, c *caseData, now time.Time) caseView {
	v := caseView{P: p, C: c, Now: now, Similarity: -1, Names: h.caseNames(r.Context(), people(c))}
	v.Deadlines = deadlineRows(p, c, now, deadlineStarts(c.History))
	if c.Analysis != nil && c.Analysis.Similarity != nil {
		v.Similarity = int(*c.Analysis.Similarity*100 + 0.5)
	}
	return v
}

// caseShow is the case page, Vụ việc: the case as its user may read it,
// its timeline when the user may read the history, and a form for each
// command the API says the user may send now.
func (h *Handler) caseShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg, code := h.casePage(r, u)
	if pg == nil {
		h.caseRefused(w, r, u, code)
		return
	}
	h.render(w, r, http.StatusOK, "case", pg)
}

// casePage loads the case of r's path as u and builds its page; nil and
// the code that refused it (or "" for no such case) when it cannot.
func (h *Handler) casePage(r *http.Request, u *User) (*page, string) {
	c, historyOK, code := h.loadCase(r.Context(), u, r.PathValue("id"))
	if code != "" || c == nil {
		return nil, code
	}
	pg := h.frame(r, u, "case", "case.numberLabel")
	p := pg.P
	pg.Title = p.T("case.title", c.Number)
	d := &casePage{caseView: h.newCaseView(r, p, c, time.Now()), HistoryOK: historyOK}
	if historyOK {
		d.Timeline = timeline(p, c.History, d.Names, caseUnits(c))
		for _, e := range d.Timeline {
			if e.Comment {
				d.Comments = append(d.Comments, e)
			}
		}
	}
	d.Forms = buildForms(p, c, u)
	d.Public = h.casePublic(r.Context(), p, u, c)
	pg.Data = d
	return pg, ""
}

// caseUnits names the units c knows: its own and its escalation's target.
func caseUnits(c *caseData) map[string]string {
	units := map[string]string{c.Unit.ID: c.Unit.Name}
	if c.Escalation != nil {
		units[c.Escalation.To.ID] = c.Escalation.To.Name
		for _, r := range c.Escalation.Recipients {
			units[r.Unit.ID] = r.Unit.Name
		}
	}
	return units
}

// caseRefused answers for a case the user may not read (403, the refusal
// page), that does not exist (404), or that could not be read (the
// contract code's words).
func (h *Handler) caseRefused(w http.ResponseWriter, r *http.Request, u *User, code string) {
	h.caseRefusedSaying(w, r, u, code, "case.refused.body")
}

// caseRefusedSaying is caseRefused saying forbidden (a catalog key) for a
// FORBIDDEN.
func (h *Handler) caseRefusedSaying(w http.ResponseWriter, r *http.Request, u *User, code, forbidden string) {
	status, title, body := http.StatusInternalServerError, "error.title", ""
	switch code {
	case incident.CodeForbidden:
		status, title, body = http.StatusForbidden, "case.refused.title", forbidden
	case "", incident.CodeNotFound, incident.CodeBadUserInput:
		status, title, body = http.StatusNotFound, "error.notFound.title", "case.notFound"
	case codeRateLimited:
		status = http.StatusTooManyRequests
	}
	pg := h.frame(r, u, "case", title)
	if body != "" {
		pg.Data = pg.P.T(body)
	} else {
		pg.Data = pg.P.Code(code)
	}
	h.render(w, r, status, "error", pg)
}

// codeRateLimited is the contract's code for a subject over its budget
// (the HTTP layer's, api.CodeRateLimited).
const codeRateLimited = "RATE_LIMITED"
