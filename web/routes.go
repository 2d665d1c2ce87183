package web

import "net/http"

// routes lists every route of the interface.
//
// Outermost first: security headers on every answer, a per-request time
// limit and panic recovery, cross-origin protection for every form (a
// non-GET request that a browser says comes from another site is refused
// with 403), then the assets and the language switch, which need no
// session, and the pages, which load and save one.
func (h *Handler) routes() http.Handler {
	pages := http.NewServeMux()
	pages.HandleFunc("GET /login", h.loginShow)
	pages.HandleFunc("POST /login", h.loginCheck)
	pages.HandleFunc("POST /logout", h.logout)
	pages.Handle("GET /password", h.authed(h.passwordShow))
	pages.Handle("POST /password", h.authed(h.passwordSave))
	pages.Handle("GET /{$}", h.authed(h.homeShow))
	// Filled by the next pages of issue 14.
	pages.Handle("GET /worklist", h.authed(h.placeholder("worklist", "nav.worklist")))
	pages.Handle("GET /report", h.authed(h.placeholder("report", "nav.report")))
	pages.HandleFunc("/", h.notFound)

	root := http.NewServeMux()
	root.HandleFunc("GET "+StaticPrefix, serveAsset)
	root.HandleFunc("POST /lang", h.langSave)
	root.Handle("/", h.sessions.LoadAndSave(pages))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	return securityHeaders(h.guard(cop.Handler(root)))
}
