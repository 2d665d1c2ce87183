package web

import "net/http"

// passwordData is the change-password form's own data.
type passwordData struct {
	MustChange bool
	MinLength  int
	// Errors are texts by field: current, new, confirm.
	Errors map[string]string
}

// passwordShow shows the change-password form (the only page a user who
// must change the password can reach).
func (h *Handler) passwordShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "password", "password.title")
	pg.Data = passwordData{MustChange: u.MustChangePassword, MinLength: MinPasswordLength}
	h.render(w, r, http.StatusOK, "password", pg)
}
