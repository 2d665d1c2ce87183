package web

import "net/http"

// logout ends the session (its row is deleted, its cookie cleared).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.Destroy(r.Context()); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login?m=out", http.StatusSeeOther)
}
