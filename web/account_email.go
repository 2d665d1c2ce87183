package web

import (
	"net/http"

	"casetrail/incident"
)

// A user's own e-mail address (where notifications go), on the account
// page beside the password form: POST /password/email sends it through
// setUserEmail on the user themself (no reason asked); an empty address
// removes it. Administrators set others' on the user's admin page
// (admin_user_email.go).

// emailSave sets or removes the user's own address and goes back to the
// account page with a flash; a bad address or a refusal shows the page
// again with the address as typed and the reason under the field.
func (h *Handler) emailSave(w http.ResponseWriter, r *http.Request, u *User) {
	if err := parseForm(w, r, 16<<10); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	typed := r.PostForm.Get("email")
	pg := h.frame(r, u, "password", "account.title")
	d := newPasswordData(u)
	d.EmailValue = typed
	answer := func(status int, key string, args ...any) {
		d.EmailError = pg.P.T(key, args...)
		pg.Data = d
		h.render(w, r, status, "password", pg)
	}
	email, err := incident.CleanEmail(typed)
	switch {
	case err != nil:
		answer(http.StatusBadRequest, "admin.err.email", pg.P.T("admin.user.email"))
		return
	case email == "" && u.Email == "":
		answer(http.StatusBadRequest, "account.email.sameNone")
		return
	case email == u.Email:
		answer(http.StatusBadRequest, "account.email.same")
		return
	}
	vars := map[string]any{"username": u.Username, "email": email}
	if ae := h.run(r.Context(), u, setUserEmailMutation, vars, nil); ae != nil {
		if ae.Code == incident.CodeBadUserInput {
			answer(http.StatusBadRequest, "admin.err.email", pg.P.T("admin.user.email"))
		} else {
			answer(reportStatus(ae.Code), "account.email.refused", pg.P.Code(ae.Code))
		}
		return
	}
	flash := "account.email.saved"
	if email == "" {
		flash = "account.email.removed"
	}
	h.log.Info("own e-mail address changed", "username", u.Username, "removed", email == "")
	h.sessions.Put(r.Context(), keyFlash, flash)
	http.Redirect(w, r, "/password#email", http.StatusSeeOther)
}
