package api

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"casetrail/api/graphiql"
	"casetrail/schema"
)

// newHeaderTestServer is the API with a schema whose backends are never
// reached: the requests below ask only for __typename.
func newHeaderTestServer(t *testing.T, production bool) (http.Handler, string) {
	t.Helper()
	s, err := schema.New(schema.Deps{Auth: (*Authorizer)(nil), Commands: noEngine{}, Reads: &Backend{}})
	if err != nil {
		t.Fatal(err)
	}
	auth := NewAuthenticator(bytes.Repeat([]byte("k"), MinSecretBytes))
	token, err := auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewServer(ServerOptions{Schema: s, Auth: auth, Production: production, Timeout: 5 * time.Second, Logger: quiet}), token
}

// Every route of the API server, in both modes, answers with a CSP, nosniff
// and no-referrer; only the GraphiQL page (development) has a CSP other
// than APICSP, and it allows no inline script and no other origin.
func TestEveryRouteHasCSP(t *testing.T) {
	for _, production := range []bool{false, true} {
		h, token := newHeaderTestServer(t, production)
		type route struct {
			method, path, accept, body string
			auth                       bool
		}
		routes := []route{
			{method: "GET", path: "/healthz"},
			{method: "GET", path: "/readyz"},
			{method: "GET", path: "/metrics"},
			{method: "GET", path: "/nope"},
			{method: "POST", path: "/graphql", body: `{"query":"{ __typename }"}`, auth: true},
			{method: "POST", path: "/graphql", body: `{"query":"{ __typename }"}`},
			{method: "GET", path: "/graphql?query=%7B__typename%7D", auth: true},
			{method: "GET", path: "/graphql", accept: "text/html"},
			{method: "GET", path: graphiql.URL("graphiql.min.js")},
		}
		for _, rt := range routes {
			req := httptest.NewRequest(rt.method, rt.path, strings.NewReader(rt.body))
			if rt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if rt.accept != "" {
				req.Header.Set("Accept", rt.accept)
			}
			if rt.auth {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			hd := rec.Header()
			name := rt.method + " " + rt.path
			if production {
				name = "production: " + name
			}
			page := !production && rt.accept == "text/html"
			csp := hd.Get("Content-Security-Policy")
			switch {
			case page:
				if !strings.HasPrefix(csp, "default-src 'none'; script-src 'self'; ") || !strings.Contains(csp, "frame-ancestors 'none'") ||
					strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
					t.Errorf("%s: page CSP %q", name, csp)
				}
			case csp != APICSP:
				t.Errorf("%s (HTTP %d): CSP %q, want %q", name, rec.Code, csp, APICSP)
			}
			if !production && strings.HasPrefix(rt.path, graphiql.AssetPrefix) && rec.Code != http.StatusOK {
				t.Errorf("%s: HTTP %d", name, rec.Code)
			}
			if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", name, got)
			}
			if got := hd.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("%s: Referrer-Policy %q", name, got)
			}
		}
	}
}

var assetRef = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// The GraphiQL page and everything it refers to come from this server:
// each reference answers 200 with its content type, and neither the page
// nor our bootstrap script names another origin. Production serves
// neither.
func TestGraphiQLIsSelfContained(t *testing.T) {
	get := func(h http.Handler, path, accept string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	h, _ := newHeaderTestServer(t, false)
	rec := get(h, "/graphql", "text/html,application/xhtml+xml")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /graphql (html): %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	if m := regexp.MustCompile(`https?://`).FindString(page); m != "" || strings.Contains(page, "//unpkg") {
		t.Errorf("the page names another origin:\n%s", page)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
		t.Errorf("the page has inline script or style, which its CSP refuses:\n%s", page)
	}
	refs := assetRef.FindAllStringSubmatch(page, -1)
	want := map[string]string{".js": "text/javascript", ".css": "text/css"}
	seen := map[string]bool{}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, graphiql.AssetPrefix) {
			t.Errorf("the page refers to %q, outside %s", ref, graphiql.AssetPrefix)
			continue
		}
		a := get(h, ref, "")
		ext := ref[strings.LastIndex(ref, "."):]
		if a.Code != http.StatusOK || !strings.HasPrefix(a.Header().Get("Content-Type"), want[ext]) || want[ext] == "" {
			t.Errorf("GET %s: %d %q", ref, a.Code, a.Header().Get("Content-Type"))
		}
		body, _ := io.ReadAll(a.Body)
		if strings.HasSuffix(ref, "/casetrail-graphiql.js") && regexp.MustCompile(`https?://`).Match(body) {
			t.Errorf("the bootstrap script names another origin")
		}
		seen[ref[strings.LastIndex(ref, "/")+1:]] = true
	}
	for _, name := range []string{"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css", "casetrail-graphiql.js"} {
		if !seen[name] {
			t.Errorf("the page does not load %s (refs %v)", name, refs)
		}
	}

	prod, _ := newHeaderTestServer(t, true)
	if rec := get(prod, "/graphql", "text/html"); strings.Contains(rec.Body.String(), "GraphiQL") {
		t.Errorf("production serves the GraphiQL page")
	}
	if rec := get(prod, graphiql.URL("graphiql.min.js"), ""); rec.Code != http.StatusNotFound {
		t.Errorf("production serves GraphiQL's assets: %d", rec.Code)
	}
}
