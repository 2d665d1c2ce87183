package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"casetrail/incident"
)

// accountCheckPage is Kiểm tra trang chính thức: the form, and the answer about
// the link asked.
type accountCheckPage struct {
	URL string
	// Asked: a link was sent; Answer is its answer, or Error says why
	// there is none.
	Asked  bool
	Answer incident.PublicCheck
	Error  string
	// ReportLink opens the report form with the link filled in.
	ReportLink string
}

// checkShow is Kiểm tra trang chính thức (GET /check?url=…): paste a link,
// read in words whether it is an official account (and whose), a page
// found impersonating by a settled case (with its number), or unknown.
func (h *Handler) checkShow(w http.ResponseWriter, r *http.Request) {
	p := NewPrinter(requestLang(r))
	d := &accountCheckPage{URL: strings.TrimSpace(r.URL.Query().Get("url"))}
	status := http.StatusOK
	if d.URL != "" {
		d.Asked = true
		ans, err := h.o.Public.Check(r.Context(), d.URL)
		switch code := incident.ErrorCode(err); {
		case err == nil:
			d.Answer = ans
			if ans.Result == incident.AccountUnknown {
				d.ReportLink = "/public/report?" + url.Values{"url": {d.URL}}.Encode()
			}
		case code == incident.CodeBadUserInput:
			status, d.Error = http.StatusBadRequest, p.T("public.err.url", incident.MaxURL)
		default:
			h.log.Error("public check", "err", err)
			status, d.Error = http.StatusInternalServerError, p.T("error.internal")
		}
	}
	h.render(w, r, status, "public_check", &page{P: p, Title: p.T("public.check.title"), Nav: "check", Data: d})
}

// checkJSON is the account check for programs (GET /public/check?url=…):
// exactly the whitelisted fields of incident.PublicCheck, never cached;
// 400 {"error":"BAD_USER_INPUT","message":…} for what is not a link.
// Anyone may ask, from any site: it says only what is public.
func (h *Handler) checkJSON(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	p := NewPrinter(requestLang(r))
	ans, err := h.o.Public.Check(r.Context(), r.URL.Query().Get("url"))
	var de *incident.Error
	switch {
	case err == nil:
		writePublicJSON(w, http.StatusOK, ans)
	case errors.As(err, &de) && de.Code == incident.CodeBadUserInput:
		writePublicJSON(w, http.StatusBadRequest, map[string]string{"error": de.Code, "message": p.T("public.err.url", incident.MaxURL)})
	default:
		h.log.Error("public check", "err", err)
		writePublicJSON(w, http.StatusInternalServerError, map[string]string{"error": incident.CodeInternal, "message": p.T("error.internal")})
	}
}

// writePublicJSON writes v as the JSON answer, never to be cached.
func writePublicJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"INTERNAL"}`)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
