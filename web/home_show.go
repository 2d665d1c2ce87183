package web

import (
	"net/http"
	"time"
)

// homeData is the home page's own data.
type homeData struct {
	AuthAt, Ends time.Time
	Idle         time.Duration
}

// homeShow is the start page: who the user is and their roles, as the API
// answers `me` for them.
func (h *Handler) homeShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "home", "home.title")
	pg.Data = homeData{
		AuthAt: time.Unix(0, h.sessions.GetInt64(r.Context(), keyAuthAt)),
		Ends:   h.sessions.Deadline(r.Context()),
		Idle:   h.o.IdleTimeout,
	}
	h.render(w, r, http.StatusOK, "home", pg)
}
