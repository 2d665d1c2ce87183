package web

import "net/http"

// routes lists every route of the interface.
//
// Outermost first: security headers on every answer, a per-request time
// limit and panic recovery, cross-origin protection for every form (a
// non-GET request that a browser says comes from another site is refused
// with 403), then the assets, the language switch and the public pages,
// which need no session, and the pages, which load and save one.
func (h *Handler) routes() http.Handler {
	pages := http.NewServeMux()
	pages.HandleFunc("GET /login", h.loginShow)
	pages.HandleFunc("POST /login", h.loginCheck)
	pages.HandleFunc("POST /logout", h.logout)
	pages.Handle("GET /password", h.authed(h.passwordShow))
	pages.Handle("POST /password", h.authed(h.passwordSave))
	pages.Handle("POST /password/email", h.authed(h.emailSave))
	pages.Handle("GET /{$}", h.authed(h.homeShow))
	// Thông báo: the user's own notifications (notify_*.go).
	pages.Handle("GET /notifications", h.authed(h.notificationsShow))
	pages.Handle("GET /notifications/{id}/open", h.authed(h.notificationOpen))
	pages.Handle("POST /notifications/{id}/open", h.authed(h.notificationOpen))
	pages.Handle("POST /notifications/read", h.authed(h.notificationsRead))
	// Việc cần làm and Phản ánh mới (worklist_*.go, report_*.go).
	pages.Handle("GET /worklist", h.authed(h.worklistShow))
	pages.Handle("GET /report", h.authed(h.reportShow))
	pages.Handle("POST /report", h.authed(h.reportSave))
	// Vụ việc, its actions, its evidence and Kiểm tra (case_*.go,
	// evidence_download.go, audit_show.go).
	pages.Handle("GET /cases/{id}", h.authed(h.caseShow))
	pages.Handle("POST /cases/{id}/{action}", h.authed(h.caseAction))
	pages.Handle("GET /cases/{id}/evidence/{sha256}", h.authed(h.evidenceDownload))
	// Its escalation letter, final or draft, and its takedown letters'
	// drafts (letter_download.go); its case file (casefile_download.go).
	pages.Handle("GET /cases/{id}/letters/{file}", h.authed(h.letterDownload))
	pages.Handle("GET /cases/{id}/file.zip", h.authed(h.caseFileDownload))
	pages.Handle("GET /cases/{id}/audit", h.authed(h.auditShow))
	// Chờ duyệt, Tổng quan and Theo dõi, the leaders' pages (lead_*.go).
	pages.Handle("GET /approvals", h.authed(h.approvalsShow))
	pages.Handle("GET /overview", h.authed(h.overviewShow))
	pages.Handle("GET /watch", h.authed(h.watchShow))
	// Báo cáo định kỳ and its files (periodic_*.go).
	pages.Handle("GET /reports", h.authed(h.periodicShow))
	pages.Handle("GET /reports/{file}", h.authed(h.periodicDownload))
	// Quản trị: units, users and grants, official accounts, the admin log
	// (admin_*.go). Unit ids hold slashes: they go as query or form
	// values, never as path segments.
	pages.Handle("GET /admin/units", h.authed(h.unitsShow))
	pages.Handle("POST /admin/units", h.authed(h.unitCreate))
	pages.Handle("GET /admin/units/edit", h.authed(h.unitShow))
	pages.Handle("POST /admin/units/edit", h.authed(h.unitUpdate))
	pages.Handle("POST /admin/units/close", h.authed(h.unitClose))
	pages.Handle("POST /admin/units/routes", h.authed(h.unitRoutes))
	pages.Handle("GET /admin/users", h.authed(h.usersShow))
	pages.Handle("POST /admin/users", h.authed(h.userCreate))
	pages.Handle("GET /admin/users/edit", h.authed(h.userShow))
	pages.Handle("POST /admin/users/{action}", h.authed(h.userAction))
	pages.Handle("GET /admin/accounts", h.authed(h.accountsShow))
	pages.Handle("POST /admin/accounts", h.authed(h.accountAdd))
	pages.Handle("GET /admin/accounts/edit", h.authed(h.accountShow))
	pages.Handle("POST /admin/accounts/{action}", h.authed(h.accountAction))
	pages.Handle("GET /admin/history", h.authed(h.historyShow))
	pages.HandleFunc("/", h.notFound)

	root := http.NewServeMux()
	root.HandleFunc("GET "+StaticPrefix, serveAsset)
	root.HandleFunc("POST /lang", h.langSave)
	// The public's two doors (public_*.go): no login, no session, a
	// token bucket per client address.
	root.Handle("GET /check", h.publicLimited(h.checkShow))
	root.Handle("GET /public/check", h.publicLimited(h.checkJSON))
	root.Handle("GET /public/report", h.publicLimited(h.publicReportShow))
	root.Handle("POST /public/report", h.publicLimited(h.publicReportSave))
	root.Handle("GET /public/track", h.publicLimited(h.trackShow))
	root.Handle("/", h.sessions.LoadAndSave(pages))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	return securityHeaders(h.guard(cop.Handler(root)))
}
