package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed templates
var templateFS embed.FS

// page is what every template gets: the printer (.P), the frame's data
// and the page's own (.Data).
type page struct {
	P     *Printer
	Title string
	// User is the logged-in user (nil on public pages); Viewer their
	// roles, as the API answers `me` for them.
	User   *User
	Viewer *viewer
	// Nav names the active item of the navigation.
	Nav   string
	Flash string
	// Notes are the messages with arguments to show once (report_flash.go).
	Notes []flashLine
	// Path is the current page, where the language switch returns.
	Path string
	// Inbox: the header shows Thông báo with Unread, the user's unread
	// notifications (notify_*.go; counted up to maxUnread).
	Inbox  bool
	Unread int
	Data   any
}

// funcs are the template functions besides the printer's methods.
var funcs = template.FuncMap{
	"asset": assetURL,
}

// parsePages parses each page of templates/pages with the layout and the
// partials (templates/partials: blocks several pages show, such as a case).
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/pages/"), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// render writes the page name with status: the layout around the page's
// "content", never cached (pages show one user's data).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := h.pages[name]
	if !ok {
		panic("web: no page " + name)
	}
	if p.P == nil {
		p.P = NewPrinter(requestLang(r))
	}
	if p.Path == "" {
		p.Path = r.URL.RequestURI()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("<!doctype html><title>500</title><p>" + template.HTMLEscapeString(p.P.T("error.internal")) + "</p>")
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError answers with the error page: status and the catalog key of
// the message. It needs no session.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, key string) {
	p := NewPrinter(requestLang(r))
	title := "error.title"
	if status == http.StatusNotFound {
		title = "error.notFound.title"
	}
	h.render(w, r, status, "error", &page{P: p, Title: p.T(title), Data: p.T(key), Path: "/"})
}

// fail logs err and answers with the generic error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("page failed", "path", r.URL.Path, "err", err)
	h.renderError(w, r, http.StatusInternalServerError, "error.internal")
}

// notFound answers every path the interface does not have.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, http.StatusNotFound, "error.notFound.body")
}
