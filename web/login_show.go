package web

import "net/http"

// loginData is the login form's own data.
type loginData struct {
	Username string
	Next     string
	// Error and Notice are texts to show above the form.
	Error, Notice string
}

// loginNotices are the notices the login page shows for its m parameter.
var loginNotices = map[string]string{
	"out":      "login.loggedOut",
	"ended":    "login.sessionEnded",
	"required": "login.required",
}

// loginShow shows the login form; a logged-in user goes home.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	if h.sessions.GetString(r.Context(), keyUser) != "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := NewPrinter(requestLang(r))
	d := loginData{Next: localPath(r.URL.Query().Get("next"))}
	if k, ok := loginNotices[r.URL.Query().Get("m")]; ok {
		d.Notice = p.T(k)
	}
	h.render(w, r, http.StatusOK, "login", &page{P: p, Title: p.T("login.title"), Data: d})
}
