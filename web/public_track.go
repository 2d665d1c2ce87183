package web

import (
	"net/http"
	"strings"

	"casetrail/incident"
)

// trackPage is Tra cứu phản ánh: the code asked and what the public may
// know of its report: the status in words and the day it last changed.
type trackPage struct {
	Code   string
	Asked  bool
	Status string // incident.PublicStatuses, "" when none
	// Changed is the date (dd/mm/yyyy) the case last changed; "" when
	// unknown.
	Changed string
	Error   string
}

// StatusClass is the CSS class of the status.
func (d *trackPage) StatusClass() string { return "public-" + strings.ToLower(d.Status) }

// trackShow is Tra cứu phản ánh (GET /public/track?code=…).
func (h *Handler) trackShow(w http.ResponseWriter, r *http.Request) {
	p := NewPrinter(requestLang(r))
	d := &trackPage{Code: strings.TrimSpace(r.URL.Query().Get("code"))}
	status := http.StatusOK
	if d.Code != "" {
		d.Asked = true
		st, changed, err := h.o.Public.Track(r.Context(), d.Code)
		switch code := incident.ErrorCode(err); {
		case err == nil:
			d.Status = st
			if !changed.IsZero() {
				d.Changed = changed.In(zone).Format("02/01/2006")
			}
		case code == incident.CodeNotFound:
			status, d.Error = http.StatusNotFound, p.T("public.track.notFound")
		default:
			h.log.Error("public track", "err", err)
			status, d.Error = http.StatusInternalServerError, p.T("error.internal")
		}
	}
	h.render(w, r, status, "public_track", &page{P: p, Title: p.T("public.track.title"), Nav: "track", Data: d})
}
