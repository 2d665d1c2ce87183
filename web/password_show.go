package web

import "net/http"

// passwordData is the account page's own data: the change-password form
// and, unless the password must change first, the user's own e-mail
// address and its form (account_email.go).
type passwordData struct {
	MustChange bool
	MinLength  int
	// Errors are texts by field: current, new, confirm.
	Errors map[string]string
	// Email is the user's address ("" when none); EmailValue is what the
	// form shows (the address as typed after a refusal), EmailError why
	// it was refused.
	Email, EmailValue, EmailError string
}

// newPasswordData is the account page of u with nothing sent yet.
func newPasswordData(u *User) passwordData {
	return passwordData{MustChange: u.MustChangePassword, MinLength: MinPasswordLength, Email: u.Email, EmailValue: u.Email}
}

// passwordShow shows the account page: the change-password form (the only
// page a user who must change the password can reach) and the e-mail form.
func (h *Handler) passwordShow(w http.ResponseWriter, r *http.Request, u *User) {
	pg := h.frame(r, u, "password", "account.title")
	pg.Data = newPasswordData(u)
	h.render(w, r, http.StatusOK, "password", pg)
}
