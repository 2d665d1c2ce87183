package web

import "net/http"

// The leaders' pages (issue 15): Chờ duyệt (lead_approvals.go), Tổng quan
// (lead_overview.go, lead_chart.go) and Theo dõi (lead_watch.go). Like
// every page they read through the API as the user; the roles below only
// choose which links to offer and which pages to open. A page's data is
// still what the API lets the user read.

// leaderRoles hold the pages of leaders; overviewRoles also the overview.
var (
	leaderRoles   = []string{"LEADER"}
	overviewRoles = []string{"LEADER", "AUDITOR"}
)

// CanLead reports whether the navigation offers Chờ duyệt and Theo dõi:
// the user holds LEADER on some unit (known: not when the roles could not
// be loaded).
func (v *viewer) CanLead() bool {
	return v != nil && v.Code == "" && len(grantUnits(v, leaderRoles...)) > 0
}

// CanOverview reports whether the navigation offers Tổng quan: the user
// holds LEADER or AUDITOR on some unit.
func (v *viewer) CanOverview() bool {
	return v != nil && v.Code == "" && len(grantUnits(v, overviewRoles...)) > 0
}

// refuseRole answers a leaders' page opened by a user without its roles:
// 403 with the page's words (key).
func (h *Handler) refuseRole(w http.ResponseWriter, r *http.Request, pg *page, key string) {
	pg.Data = pg.P.T(key)
	h.render(w, r, http.StatusForbidden, "error", pg)
}
