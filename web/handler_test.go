package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	goodPassword = "mat-khau-cua-hung-2026"
	msgFailed    = "Tên đăng nhập hoặc mật khẩu không đúng."
)

// Every page of the interface answers with the strict CSP and the other
// security headers, and is never cached.
func TestSecurityHeaders(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	anon := d.client()
	c.login("handler1", goodPassword)
	for name, r := range map[string]response{
		"login":     anon.get("/login"),
		"not found": anon.get("/nope"),
		"home":      c.get("/"),
		"password":  c.get("/password"),
		"refused":   anon.post("/login", url.Values{"username": {"x"}, "password": {"y"}}, "Sec-Fetch-Site", "cross-site"),
	} {
		h := r.Header
		if got := h.Get("Content-Security-Policy"); got != PageCSP {
			t.Errorf("%s: CSP %q", name, got)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "same-origin" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", name, h)
		}
		if h.Get("Cache-Control") != "no-store" || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("%s: Cache-Control %q, Content-Type %q", name, h.Get("Cache-Control"), h.Get("Content-Type"))
		}
		if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
			t.Errorf("%s: inline script or style in the page", name)
		}
	}
	if PageCSP != "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'" {
		t.Errorf("PageCSP changed: %q", PageCSP)
	}
}

// A good login opens a session under a new token and shows the home page,
// whose data comes from the executor as the user; a wrong password and an
// unknown user get the same answer.
func TestLogin(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()

	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/login?m=required")
	wantBody(t, c.get("/login?m=required"), http.StatusOK, "Vui lòng đăng nhập để tiếp tục.", `<label for="username">Tên đăng nhập</label>`,
		`<label for="password">Mật khẩu</label>`)

	wrong := c.login("handler1", "not-the-password")
	unknown := c.login("nobody1", "not-the-password")
	wantBody(t, wrong, http.StatusOK, msgFailed)
	if unknown.StatusCode != wrong.StatusCode || strings.ReplaceAll(unknown.body, "nobody1", "handler1") != wrong.body {
		t.Errorf("unknown user and wrong password answered differently:\n%d %s\n---\n%d %s", unknown.StatusCode, unknown.body, wrong.StatusCode, wrong.body)
	}
	if c.sessionCookie() != "" {
		t.Errorf("a failed login set a session cookie")
	}
	wantBody(t, c.post("/login", url.Values{"username": {"handler1"}}), http.StatusBadRequest, "Nhập tên đăng nhập và mật khẩu.")

	r := c.login(" Handler1 ", goodPassword) // trimmed and lower-cased, as typed on a phone
	wantRedirect(t, r, http.StatusSeeOther, "/")
	var set *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == "casetrail_session" {
			set = ck
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Secure || set.Path != "/" || set.MaxAge != 0 {
		t.Fatalf("session cookie %+v", set)
	}
	first := c.sessionCookie()
	home := c.get("/")
	wantBody(t, home, http.StatusOK, "Xin chào, Nguyễn Văn Hùng", "Cán bộ xử lý — Tân Uyên", "<code>handler1</code>",
		`action="/logout"`, "Việc cần làm", "Phản ánh mới")
	if got := d.api.asked(); len(got) == 0 || got[len(got)-1] != "handler1" {
		t.Errorf("the executor was asked as %v, want handler1", got)
	}

	// Logging in again (here as the same user) renews the token: the old
	// one opens nothing.
	wantRedirect(t, c.login("handler1", goodPassword), http.StatusSeeOther, "/")
	if second := c.sessionCookie(); second == first || second == "" {
		t.Errorf("the session token was not renewed at login")
	}
	stale := d.client()
	u, _ := url.Parse(d.srv.URL)
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "casetrail_session", Value: first}})
	wantRedirect(t, stale.get("/"), http.StatusSeeOther, "/login?m=required")

	// A logged-in user asking for the login page goes home; a page asked
	// for before login is where the login leads.
	wantRedirect(t, c.get("/login"), http.StatusSeeOther, "/")
	other := d.client()
	wantRedirect(t, other.get("/worklist"), http.StatusSeeOther, "/login?m=required&next=%2Fworklist")
	wantBody(t, other.get("/login?m=required&next=%2Fworklist"), http.StatusOK, `name="next" value="/worklist"`)
	wantRedirect(t, other.post("/login", url.Values{"username": {"handler1"}, "password": {goodPassword}, "next": {"/worklist"}}),
		http.StatusSeeOther, "/worklist")
	wantRedirect(t, d.client().post("/login", url.Values{"username": {"handler1"}, "password": {goodPassword}, "next": {"//evil.example/x"}}),
		http.StatusSeeOther, "/")
}

// After five wrong passwords the next attempt is refused for a while, even
// with the right password, with the same answer for an unknown user.
func TestLoginThrottle(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	for i := range 5 {
		wantBody(t, c.login("handler1", "sai-mat-khau"), http.StatusOK, msgFailed)
		_ = i
	}
	r := c.login("handler1", goodPassword)
	wantBody(t, r, http.StatusTooManyRequests, "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 1 phút.")
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q", ra)
	}
	if c.sessionCookie() != "" {
		t.Errorf("a throttled login opened a session")
	}
	for range 5 {
		c.login("nobody1", "sai-mat-khau")
	}
	wantBody(t, c.login("nobody1", "sai-mat-khau"), http.StatusTooManyRequests, "Đăng nhập sai quá nhiều lần.")
	// Another user from the same address is not locked (the address limit
	// is higher).
	d.addUser("leader1", "Trần Thị Lan", goodPassword, false)
	wantRedirect(t, d.client().login("leader1", goodPassword), http.StatusSeeOther, "/")
}

// A form posted from another site is refused with 403 before anything runs.
func TestCrossOriginRefused(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	form := url.Values{"username": {"handler1"}, "password": {goodPassword}}
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Sec-Fetch-Site", "", "Origin", "http://evil.example"},
	} {
		r := c.post("/login", form, hdr...)
		wantBody(t, r, http.StatusForbidden, "Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang khác.")
		if c.sessionCookie() != "" {
			t.Fatalf("%v: a cross-origin login opened a session", hdr)
		}
	}
	wantRedirect(t, c.login("handler1", goodPassword), http.StatusSeeOther, "/")
	for _, path := range []string{"/logout", "/password", "/lang"} {
		wantBody(t, c.post(path, url.Values{"lang": {"en"}}, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
	}
	wantBody(t, c.get("/"), http.StatusOK, "Xin chào") // still logged in, still Vietnamese
}

// Logout ends the session: the cookie is cleared and the old token opens
// nothing.
func TestLogout(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	c.login("handler1", goodPassword)
	token := c.sessionCookie()
	wantRedirect(t, c.post("/logout", nil), http.StatusSeeOther, "/login?m=out")
	if c.sessionCookie() != "" {
		t.Errorf("the session cookie survived logout")
	}
	wantBody(t, c.get("/login?m=out"), http.StatusOK, "Bạn đã đăng xuất.")
	replay := d.client()
	u, _ := url.Parse(d.srv.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "casetrail_session", Value: token}})
	wantRedirect(t, replay.get("/"), http.StatusSeeOther, "/login?m=required")
	var n int
	if err := d.h.o.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions left after logout: %d (%v)", n, err)
	}
}

// A disabled user's open session ends at its next request and the user
// cannot log in again; a password reset ends the sessions opened before.
func TestSessionEndsForDisabledUser(t *testing.T) {
	ctx := context.Background()
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	c.login("handler1", goodPassword)
	wantBody(t, c.get("/"), http.StatusOK, "Xin chào")
	if err := d.h.Users().SetDisabled(ctx, "handler1", true); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/login?m=ended")
	wantBody(t, c.get("/login?m=ended"), http.StatusOK, "Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.")
	wantBody(t, c.login("handler1", goodPassword), http.StatusForbidden, "Tài khoản này đã bị khóa.")
	if c.sessionCookie() != "" {
		t.Errorf("a disabled user got a session")
	}
	// A disabled user with a wrong password hears what everyone hears.
	wantBody(t, c.login("handler1", "sai-mat-khau"), http.StatusOK, msgFailed)

	if err := d.h.Users().SetDisabled(ctx, "handler1", false); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.login("handler1", goodPassword), http.StatusSeeOther, "/")
	hash, _ := HashPassword("mat-khau-moi-do-quan-tri-dat")
	if err := d.h.Users().SetPassword(ctx, "handler1", hash, true); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/login?m=ended")
}

// A user who must change the password reaches only the change page until
// it is done; the form names each field's problem in Vietnamese.
func TestMustChangePassword(t *testing.T) {
	ctx := context.Background()
	d := newDesk(t, nil)
	d.addUser("reporter1", "Lò Thị Mai", "mat-khau-mot-lan", true)
	c := d.client()
	wantRedirect(t, c.login("reporter1", "mat-khau-mot-lan"), http.StatusSeeOther, "/password")
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/password")
	wantRedirect(t, c.get("/worklist"), http.StatusSeeOther, "/password")
	wantBody(t, c.get("/password"), http.StatusOK, "Bạn cần đổi mật khẩu trước khi tiếp tục.",
		`<label for="current">Mật khẩu hiện tại</label>`, `<label for="new">Mật khẩu mới</label>`, `<label for="confirm">Nhập lại mật khẩu mới</label>`)

	r := c.post("/password", url.Values{"current": {"sai"}, "new": {"ngan"}, "confirm": {"khac"}})
	wantBody(t, r, http.StatusBadRequest, "Mật khẩu hiện tại không đúng.", "Mật khẩu mới: ít nhất 10 ký tự.", "Mật khẩu mới nhập lại không khớp.")
	wantBody(t, c.post("/password", url.Values{"current": {"mat-khau-mot-lan"}, "new": {"mat-khau-mot-lan"}, "confirm": {"mat-khau-mot-lan"}}),
		http.StatusBadRequest, "Mật khẩu mới phải khác mật khẩu hiện tại.")
	wantBody(t, c.post("/password", url.Values{"current": {"mat-khau-mot-lan"}, "new": {"reporter1"}, "confirm": {"reporter1"}}),
		http.StatusBadRequest, "Mật khẩu mới: ít nhất 10 ký tự.")

	other := d.client() // a second session, opened with the old password
	wantRedirect(t, other.login("reporter1", "mat-khau-mot-lan"), http.StatusSeeOther, "/password")
	before := c.sessionCookie()
	const fresh = "Lai Chau 2026 mat khau moi"
	wantRedirect(t, c.post("/password", url.Values{"current": {"mat-khau-mot-lan"}, "new": {fresh}, "confirm": {fresh}}), http.StatusSeeOther, "/")
	if c.sessionCookie() == before {
		t.Errorf("the session token was not renewed at the password change")
	}
	wantBody(t, c.get("/"), http.StatusOK, "Đã đổi mật khẩu.", "Xin chào, Lò Thị Mai")
	if strings.Contains(c.get("/").body, "Đã đổi mật khẩu.") {
		t.Errorf("the flash message showed twice")
	}
	u, err := d.h.Users().Get(ctx, "reporter1")
	if err != nil || u.MustChangePassword || !verifyPassword(fresh, u.PasswordHash) {
		t.Errorf("after the change: %+v %v", u, err)
	}
	wantRedirect(t, other.get("/"), http.StatusSeeOther, "/login?m=ended")
	wantBody(t, d.client().login("reporter1", "mat-khau-mot-lan"), http.StatusOK, msgFailed)
	wantRedirect(t, d.client().login("reporter1", fresh), http.StatusSeeOther, "/")
}

// Vietnamese by default; English by Accept-Language or by the switch,
// which returns to the page it was used on and never leaves the site.
func TestLanguage(t *testing.T) {
	d := newDesk(t, nil)
	c := d.client()
	wantBody(t, c.get("/login"), http.StatusOK, `<html lang="vi">`, "<h1 id=\"login-title\">Đăng nhập</h1>")
	wantBody(t, c.get("/login", "Accept-Language", "en-US,en;q=0.9,vi;q=0.5"), http.StatusOK, `<html lang="en">`, "Log in")
	wantBody(t, c.get("/login", "Accept-Language", "vi-VN,vi;q=0.9,en;q=0.5"), http.StatusOK, `<html lang="vi">`)
	wantBody(t, c.get("/login", "Accept-Language", "fr-FR"), http.StatusOK, `<html lang="vi">`)

	r := c.post("/lang", url.Values{"lang": {"en"}, "next": {"/login?m=out"}})
	wantRedirect(t, r, http.StatusSeeOther, "/login?m=out")
	wantBody(t, c.get("/login?m=out", "Accept-Language", "vi"), http.StatusOK, `<html lang="en">`, "You have logged out.")
	wantRedirect(t, c.post("/lang", url.Values{"lang": {"vi"}, "next": {"https://evil.example/"}}), http.StatusSeeOther, "/")
	wantBody(t, c.get("/login"), http.StatusOK, `<html lang="vi">`)
	wantRedirect(t, c.post("/lang", url.Values{"lang": {"fr"}, "next": {"/\\evil.example"}}), http.StatusSeeOther, "/")
}

// The executor's refusal shows as the contract code's Vietnamese message,
// never as a raw code.
func TestHomeShowsAPIErrors(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	c.login("handler1", goodPassword)
	d.api.mu.Lock()
	d.api.fail = "RATE_LIMITED"
	d.api.mu.Unlock()
	r := c.get("/")
	wantBody(t, r, http.StatusOK, "Thao tác quá nhanh. Vui lòng thử lại sau ít giây.", "Xin chào, Nguyễn Văn Hùng")
	if strings.Contains(r.body, "RATE_LIMITED") {
		t.Errorf("the raw code is shown")
	}
}

// Unknown paths get the 404 page; the worklist and the report form answer
// in the frame (the fake API refuses their queries: the pages say so).
func TestNotFoundAndPlaceholders(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	wantBody(t, c.get("/metrics"), http.StatusNotFound, "Không tìm thấy trang")
	if strings.Contains(c.get("/metrics").body, "casetrail_") {
		t.Errorf("the 404 page names a metric")
	}
	c.login("handler1", goodPassword)
	wantBody(t, c.get("/worklist"), http.StatusOK, "<h1>Việc cần làm</h1>", "Chưa tải được danh sách vụ việc", `aria-current="page">Việc cần làm`)
	wantBody(t, c.get("/report"), http.StatusOK, "<h1>Phản ánh mới</h1>")
	wantBody(t, c.post("/worklist", nil), http.StatusNotFound)
}

// Assets are served at content-addressed URLs, cached for good, with an
// ETag; another version of the URL is 404.
func TestAssets(t *testing.T) {
	d := newDesk(t, nil)
	c := d.client()
	css := assetURL("app.css")
	r := c.get(css)
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") ||
		r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || r.Header.Get("ETag") == "" {
		t.Fatalf("GET %s: %d %v", css, r.StatusCode, r.Header)
	}
	if r.Header.Get("Set-Cookie") != "" {
		t.Errorf("an asset set a cookie")
	}
	if r := c.get(css, "If-None-Match", r.Header.Get("ETag")); r.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", r.StatusCode)
	}
	for _, p := range []string{"/static/0000000000000000/app.css", "/static/app.css", strings.Replace(css, "app.css", "nope.css", 1)} {
		if r := c.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.StatusCode)
		}
	}
	login := c.get("/login").body
	if !strings.Contains(login, `href="`+css+`"`) || !strings.Contains(login, assetURL("favicon.svg")) {
		t.Errorf("the page does not link the assets by version")
	}
	total := len(login) + len(assets["app.css"].body)
	if total > 150<<10 {
		t.Errorf("login page with CSS: %d bytes, want at most 150 KB", total)
	}
}

// The session ends after the idle timeout, and production cookies are
// Secure with the __Host- prefix.
func TestSessionTimeoutsAndCookies(t *testing.T) {
	d := newDesk(t, func(o *Options) { o.IdleTimeout, o.Lifetime = time.Second, time.Hour })
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.client()
	c.login("handler1", goodPassword)
	wantBody(t, c.get("/"), http.StatusOK, "Xin chào")
	time.Sleep(1500 * time.Millisecond)
	wantRedirect(t, c.get("/"), http.StatusSeeOther, "/login?m=required")

	p := newDesk(t, func(o *Options) { o.Production = true })
	p.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	r := p.client().login("handler1", goodPassword)
	var ck *http.Cookie
	for _, x := range r.Cookies() {
		if x.Name == "__Host-casetrail_session" {
			ck = x
		}
	}
	if ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Errorf("production session cookie %+v", ck)
	}

	if _, err := New(Options{Pool: d.h.o.Pool, Exec: d.api.exec, IdleTimeout: time.Hour, Lifetime: time.Minute}); err == nil {
		t.Errorf("an idle timeout beyond the lifetime was accepted")
	}
}
