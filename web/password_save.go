package web

import (
	"net/http"
	"strconv"
	"time"
)

// passwordSave changes the user's password: the current one is checked
// (failures count against the username like failed logins), the new one
// must follow the rules and be typed twice. The session then gets a new
// token and the new credential, so other sessions of the user end.
func (h *Handler) passwordSave(w http.ResponseWriter, r *http.Request, u *User) {
	ctx := r.Context()
	if err := parseForm(w, r, 16<<10); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	current, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	pg := h.frame(r, u, "password", "account.title")
	d := newPasswordData(u)
	d.Errors = map[string]string{}
	pg.Data = d
	answer := func(status int) { h.render(w, r, status, "password", pg) }

	addr := clientAddr(r)
	wait, err := h.throttle.Locked(ctx, u.Username, addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
		d.Errors["current"] = pg.P.T("login.throttled", pg.P.Duration(wait))
		answer(http.StatusTooManyRequests)
		return
	}
	if !verifyPassword(current, u.PasswordHash) {
		if _, err := h.throttle.Fail(ctx, u.Username, addr); err != nil {
			h.fail(w, r, err)
			return
		}
		d.Errors["current"] = pg.P.T("password.wrongCurrent")
	}
	if k, args := passwordProblem(u.Username, next); k != "" {
		d.Errors["new"] = pg.P.T(k, args...)
	} else if next == current {
		d.Errors["new"] = pg.P.T("password.same")
	}
	if confirm != next {
		d.Errors["confirm"] = pg.P.T("password.mismatch")
	}
	if len(d.Errors) > 0 {
		answer(http.StatusBadRequest)
		return
	}
	hash, err := HashPassword(next)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.users.SetPassword(ctx, u.Username, hash, false); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.throttle.Succeed(ctx, u.Username); err != nil {
		h.fail(w, r, err)
		return
	}
	deadline := h.sessions.Deadline(ctx) // the lifetime still counts from the login
	if err := h.sessions.RenewToken(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	h.sessions.SetDeadline(ctx, deadline)
	h.sessions.Put(ctx, keyCred, credential(hash))
	h.sessions.Put(ctx, keyFlash, "password.changed")
	h.log.Info("password changed", "username", u.Username, "addr", addr)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
