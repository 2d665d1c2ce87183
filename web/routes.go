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
	// Việc cần làm and Phản ánh mới (worklist_*.go, report_*.go).
	pages.Handle("GET /worklist", h.authed(h.worklistShow))
	pages.Handle("GET /report", h.authed(h.reportShow))
	pages.Handle("POST /report", h.authed(h.reportSave))
	// Vụ việc, its actions, its evidence and Kiểm tra (case_*.go,
	// evidence_download.go, audit_show.go).
	pages.Handle("GET /cases/{id}", h.authed(h.caseShow))
	pages.Handle("POST /cases/{id}/{action}", h.authed(h.caseAction))
	pages.Handle("GET /cases/{id}/evidence/{sha256}", h.authed(h.evidenceDownload))
	// Its escalation letter, final or draft (letter_download.go).
	pages.Handle("GET /cases/{id}/letters/{file}", h.authed(h.letterDownload))
	pages.Handle("GET /cases/{id}/audit", h.authed(h.auditShow))
	// Chờ duyệt, Tổng quan and Theo dõi, the leaders' pages (lead_*.go).
	pages.Handle("GET /approvals", h.authed(h.approvalsShow))
	pages.Handle("GET /overview", h.authed(h.overviewShow))
	pages.Handle("GET /watch", h.authed(h.watchShow))
	pages.HandleFunc("/", h.notFound)

	root := http.NewServeMux()
	root.HandleFunc("GET "+StaticPrefix, serveAsset)
	root.HandleFunc("POST /lang", h.langSave)
	root.Handle("/", h.sessions.LoadAndSave(pages))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	return securityHeaders(h.guard(cop.Handler(root)))
}
