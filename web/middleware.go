package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
)

// PageCSP is the Content-Security-Policy of the interface: everything from
// this server only, no inline script or style, no framing, forms posted
// only here.
const PageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// securityHeaders sets the interface's headers on every answer (replacing
// the API's, which suit JSON).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", PageCSP)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// guard gives each request at most the configured time and turns a panic
// into the error page.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), h.o.Timeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.log.Error("panic serving a page", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				h.renderError(w, r, http.StatusInternalServerError, "error.internal")
			}
		}()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// crossOriginDenied answers a form sent from another site.
func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.log.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	h.renderError(w, r, http.StatusForbidden, "error.crossOrigin")
}

// errSessionEnded: the session's user was disabled, removed or changed
// password since the session began.
var errSessionEnded = errors.New("session ended")

// sessionUser returns the logged-in user of r's session, nil when there is
// none. It reads the user's row on every request (one primary-key lookup),
// so a disabled user, or a session opened with a password since changed,
// ends here: the session is destroyed and errSessionEnded returned.
func (h *Handler) sessionUser(r *http.Request) (*User, error) {
	ctx := r.Context()
	name := h.sessions.GetString(ctx, keyUser)
	if name == "" {
		return nil, nil
	}
	u, err := h.users.Get(ctx, name)
	switch {
	case errors.Is(err, ErrNoUser):
	case err != nil:
		return nil, err
	case !u.Disabled && credential(u.PasswordHash) == h.sessions.GetString(ctx, keyCred):
		return u, nil
	}
	if err := h.sessions.Destroy(ctx); err != nil {
		return nil, err
	}
	h.log.Info("session ended", "user", name)
	return nil, errSessionEnded
}

// authed lets through requests of a logged-in user; the others go to the
// login page (which brings a GET back here after login). A user who must
// change the password is sent to that page first.
func (h *Handler) authed(next func(http.ResponseWriter, *http.Request, *User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.sessionUser(r)
		if err != nil && !errors.Is(err, errSessionEnded) {
			h.fail(w, r, err)
			return
		}
		if u == nil {
			q := url.Values{"m": {"required"}}
			if errors.Is(err, errSessionEnded) {
				q.Set("m", "ended")
			}
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				q.Set("next", r.URL.RequestURI())
			}
			http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
			return
		}
		if u.MustChangePassword && r.URL.Path != "/password" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		next(w, r, u)
	})
}

// localPath returns p when it is a path of this site ("/..."), else "/":
// redirects after login and the language switch never leave the site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n\\") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return p
}

// clientAddr is the address the request came from (the TCP peer; a proxy
// in front makes every client the proxy's address, which the address
// throttle's higher limit allows for).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// parseForm reads a form body of at most limit bytes.
func parseForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return r.ParseForm()
}
