package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/eventstore/pgtest"
)

// testPool is a fresh database with the web schema, for t.
func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	// Twice: the migrations are idempotent.
	if err := EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

// fakeAPI stands for the in-process executor: it answers the viewer query
// with one grant per subject and records who asked.
type fakeAPI struct {
	mu       sync.Mutex
	subjects []string
	fail     string // an error code to answer with, when set
}

func (f *fakeAPI) exec(_ context.Context, subject, query string, _ map[string]any) *graphql.Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subjects = append(f.subjects, subject)
	if f.fail != "" {
		return &graphql.Result{Errors: []gqlerrors.FormattedError{{Message: "no", Extensions: map[string]any{"code": f.fail}}}}
	}
	if !strings.Contains(query, "me {") {
		return &graphql.Result{Errors: []gqlerrors.FormattedError{{Message: "unexpected", Extensions: map[string]any{"code": "BAD_USER_INPUT"}}}}
	}
	return &graphql.Result{Data: map[string]any{"me": map[string]any{
		"subject": subject,
		"roles":   []any{map[string]any{"role": "HANDLER", "unit": map[string]any{"id": "lai-chau/tan-uyen", "name": "Tân Uyên"}}},
	}}}
}

func (f *fakeAPI) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.subjects...)
}

// desk is the interface on a test server with its database.
type desk struct {
	t   *testing.T
	h   *Handler
	srv *httptest.Server
	api *fakeAPI
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newDesk serves the interface over a fresh database; edit adjusts the
// options.
func newDesk(t *testing.T, edit func(*Options)) *desk {
	t.Helper()
	pool := testPool(t)
	f := &fakeAPI{}
	o := Options{Pool: pool, Exec: f.exec, Logger: quietLogger()}
	if edit != nil {
		edit(&o)
	}
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &desk{t: t, h: h, srv: srv, api: f}
}

// addUser creates a user with password and returns it.
func (d *desk) addUser(username, name, password string, mustChange bool) {
	d.t.Helper()
	hash, err := HashPassword(password)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.h.Users().Create(context.Background(), User{Username: username, DisplayName: name, PasswordHash: hash, MustChangePassword: mustChange}); err != nil {
		d.t.Fatal(err)
	}
}

// client is a browser-like client: it keeps cookies and does not follow
// redirects (the tests look at them).
type client struct {
	t *testing.T
	d *desk
	c *http.Client
}

func (d *desk) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: d.t, d: d, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is an answer read whole.
type response struct {
	*http.Response
	body string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{resp, string(b)}
}

func (c *client) get(path string, header ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.d.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// post sends a form as a same-origin browser would (Sec-Fetch-Site), plus
// header pairs.
func (c *client) post(path string, form url.Values, header ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.d.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.d.srv.URL)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

func (c *client) login(username, password string) response {
	c.t.Helper()
	return c.post("/login", url.Values{"username": {username}, "password": {password}})
}

// sessionCookie returns the session cookie the client holds ("" if none).
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.d.srv.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == "casetrail_session" {
			return ck.Value
		}
	}
	return ""
}

func wantRedirect(t *testing.T, r response, status int, location string) {
	t.Helper()
	if r.StatusCode != status || r.Header.Get("Location") != location {
		t.Fatalf("got %d Location %q, want %d %q\n%.400s", r.StatusCode, r.Header.Get("Location"), status, location, r.body)
	}
}

func wantBody(t *testing.T, r response, status int, texts ...string) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("status %d, want %d\n%.600s", r.StatusCode, status, r.body)
	}
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Errorf("the page lacks %q\n%.1500s", s, r.body)
		}
	}
}
