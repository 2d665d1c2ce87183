package web

import (
	"context"
	"time"

	"casetrail/incident"
)

// publicCase is what the case page shows of the contacts citizens left
// with the case's public reports (issue 18): only to those the API lets
// read them (Case.publicReporters: the handlers and leaders of the case's
// units); the others see the case's badge and count alone.
type publicCase struct {
	Shown    bool
	Contacts []publicContact
	Error    string
}

// publicContact is a PublicReporter as selected.
type publicContact struct {
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	ConsentAt time.Time `json:"consentAt"`
}

// publicReportersQuery reads the contacts of a case apart from the case
// page's query, so that a refusal (FORBIDDEN to the case's other readers)
// leaves the rest of the page whole.
const publicReportersQuery = `query PublicReporters($id: ID!) { case(id: $id) { publicReporters { name phone consentAt } } }`

// casePublic reads the contacts of c as u: nil when c has no public report
// or u may not read them.
func (h *Handler) casePublic(ctx context.Context, p *Printer, u *User, c *caseData) *publicCase {
	if c.PublicReports == 0 {
		return nil
	}
	var out struct {
		Case struct {
			PublicReporters []publicContact `json:"publicReporters"`
		} `json:"case"`
	}
	switch code := h.query(ctx, u, publicReportersQuery, map[string]any{"id": c.ID}, &out); code {
	case "":
		return &publicCase{Shown: true, Contacts: out.Case.PublicReporters}
	case incident.CodeForbidden:
		return nil
	default:
		return &publicCase{Shown: true, Error: p.T("case.publicError", p.Code(code))}
	}
}
