package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// loginCheck logs a user in. Unknown users and wrong passwords get the
// same answer after the same work (one password hash check); failures are
// counted per username and per client address, and a locked key is
// refused (429) before any password is checked. The session gets a new
// token at login.
func (h *Handler) loginCheck(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := NewPrinter(requestLang(r))
	if err := parseForm(w, r, 16<<10); err != nil {
		h.renderError(w, r, http.StatusBadRequest, "error.badForm")
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
	password := r.PostForm.Get("password")
	d := loginData{Username: username, Next: localPath(r.PostForm.Get("next"))}
	answer := func(status int, key string, args ...any) {
		d.Error = p.T(key, args...)
		h.render(w, r, status, "login", &page{P: p, Title: p.T("login.title"), Data: d})
	}
	if username == "" || password == "" {
		answer(http.StatusBadRequest, "login.missing")
		return
	}
	if len(username) > 256 {
		username = username[:256] // no valid name is this long; bounds the throttle's keys
	}
	addr := clientAddr(r)
	wait, err := h.throttle.Locked(ctx, username, addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second)+1))
		answer(http.StatusTooManyRequests, "login.throttled", p.Duration(wait))
		return
	}
	u, err := h.users.Get(ctx, username)
	if err != nil && !errors.Is(err, ErrNoUser) {
		h.fail(w, r, err)
		return
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	if !verifyPassword(password, hash) {
		wait, err := h.throttle.Fail(ctx, username, addr)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.log.Info("login failed", "username", username, "addr", addr, "locked_for", wait.String())
		answer(http.StatusOK, "login.failed")
		return
	}
	if u.Disabled {
		h.log.Info("login refused: user disabled", "username", username, "addr", addr)
		answer(http.StatusForbidden, "login.disabled")
		return
	}
	if err := h.throttle.Succeed(ctx, username); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.startSession(r, u); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.Info("login", "username", username, "addr", addr)
	next := d.Next
	if u.MustChangePassword {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// startSession binds r's session, emptied and under a new token, to u as
// it is now.
func (h *Handler) startSession(r *http.Request, u *User) error {
	ctx := r.Context()
	if err := h.sessions.Clear(ctx); err != nil {
		return err
	}
	if err := h.sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.sessions.Put(ctx, keyUser, u.Username)
	h.sessions.Put(ctx, keyCred, credential(u.PasswordHash))
	h.sessions.Put(ctx, keyAuthAt, time.Now().UnixNano())
	return nil
}
