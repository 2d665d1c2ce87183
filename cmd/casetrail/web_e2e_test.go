package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"
)

// serve with the demo seed, in development: each demo user's one-time
// password is logged once, at the first start; the interface at "/" logs
// handler1 in (on the server's least-privileged database role) and shows
// the grants the API gives it; /graphql is where it was; `casetrail user
// disable` ends the open session at its next request.
func TestServeWebInterface(t *testing.T) {
	s := newServer(t, serverOptions{})
	passwords := map[string]string{}
	for _, l := range s.logLines("one-time password") {
		var e struct{ Username, Password string }
		if err := json.Unmarshal([]byte(l), &e); err == nil && e.Password != "" {
			passwords[e.Username] = e.Password
		}
	}
	for _, u := range []string{"reporter1", "handler1", "leader1", "auditor1", "admin1"} {
		if passwords[u] == "" {
			t.Fatalf("no one-time password logged for %s:\n%s", u, s.logTail(40))
		}
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, s.url(path), strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	if resp, _ := do(http.MethodGet, "/", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?m=required" {
		t.Fatalf("GET / anonymous: %s %q", resp.Status, resp.Header.Get("Location"))
	}
	resp, page := do(http.MethodGet, "/login", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Đăng nhập") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "form-action 'self'") {
		t.Fatalf("GET /login: %s %v\n%.300s", resp.Status, resp.Header, page)
	}
	resp, _ = do(http.MethodPost, "/login", url.Values{"username": {"handler1"}, "password": {passwords["handler1"]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %s %q\n%s", resp.Status, resp.Header.Get("Location"), s.logTail(20))
	}
	resp, page = do(http.MethodGet, "/", nil)
	for _, want := range []string{"Xin chào, Nguyễn Văn Hùng", "Cán bộ xử lý — Tân Uyên"} {
		if !strings.Contains(page, want) {
			t.Errorf("home (%s) lacks %q:\n%.2000s", resp.Status, want, page)
		}
	}

	// The API keeps its routes and answers as before.
	var me struct {
		Me struct{ Subject string } `json:"me"`
	}
	s.must(t, "handler1", `{ me { subject } }`, nil, &me)
	if me.Me.Subject != "handler1" {
		t.Errorf("/graphql me: %+v", me)
	}
	if resp, _ := do(http.MethodGet, "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %s", resp.Status)
	}

	if out, err := s.run("user", "disable", "handler1"); err != nil {
		t.Fatalf("casetrail user disable: %v\n%s", err, out)
	}
	if resp, _ := do(http.MethodGet, "/", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?m=ended" {
		t.Errorf("after disable: %s %q", resp.Status, resp.Header.Get("Location"))
	}

	// A restart creates nobody again and prints no password again.
	if err := s.stop(15 * time.Second); err != nil {
		t.Fatal(err)
	}
	s.start()
	if n := len(s.logLines("one-time password")); n != len(passwords) {
		t.Errorf("%d one-time passwords logged after a restart, want the %d of the first start", n, len(passwords))
	}
}
