package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"casetrail/api"
)

// getPage GETs url with accept and returns the response with its body read.
func getPage(t *testing.T, url, accept string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// Development (the default) says at start, in one WARN line, each thing it
// leaves open; its GraphiQL page and every file the page loads come from the
// server itself, under a CSP.
func TestDevelopmentSaysWhatItLeavesOpen(t *testing.T) {
	ui := freeAddr(t)
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_UI_LISTEN=" + ui}})
	lines := s.logLines("DEVELOPMENT MODE")
	if len(lines) != 1 {
		t.Fatalf("%d development warnings, want 1:\n%s", len(lines), s.logTail(40))
	}
	var entry struct {
		Level string   `json:"level"`
		Open  []string `json:"open"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("warning is not a JSON log line: %v\n%s", err, lines[0])
	}
	if entry.Level != "WARN" {
		t.Errorf("level %q, want WARN", entry.Level)
	}
	all := strings.Join(entry.Open, "\n")
	for what, want := range map[string]string{
		"GraphiQL":                "GraphiQL is served at http://" + s.addr + "/graphql",
		"introspection":           "introspection is on",
		"unmasked suggestions":    "suggest field names",
		"generated JWT secret":    "secret generated in " + s.dataDir,
		"metrics beside the API":  "/metrics is served beside the API on " + s.addr,
		"Temporal Web UI":         "Temporal Web UI is served on http://" + ui,
		"role from the superuser": "login role casetrail_server was created with the superuser",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the warning does not say %s (%q):\n%s", what, want, all)
		}
	}

	resp, page := getPage(t, s.url("/graphql"), "text/html")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "GraphiQL") || !strings.HasPrefix(csp, "default-src 'none'; script-src 'self';") {
		t.Fatalf("GraphiQL page: %s, CSP %q\n%.300s", resp.Status, csp, page)
	}
	if regexp.MustCompile(`https?://`).MatchString(page) {
		t.Errorf("the page names another origin:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/graphiql/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 6 {
		t.Errorf("the page loads %d files from /graphiql/assets/, want 6 (react, react-dom, graphiql js+css, ours js+css):\n%s", len(refs), page)
	}
	for _, m := range refs {
		resp, body := getPage(t, s.url(m[1]), "")
		ct := resp.Header.Get("Content-Type")
		if resp.StatusCode != http.StatusOK || !(strings.HasPrefix(ct, "text/javascript") || strings.HasPrefix(ct, "text/css")) || len(body) == 0 {
			t.Errorf("GET %s: %s %q, %d bytes", m[1], resp.Status, ct, len(body))
		}
		if strings.HasSuffix(m[1], "/casetrail-graphiql.js") && regexp.MustCompile(`https?://`).MatchString(body) {
			t.Errorf("the bootstrap script names another origin")
		}
	}
	resp, _ = getPage(t, s.url("/healthz"), "")
	if got := resp.Header.Get("Content-Security-Policy"); got != api.APICSP {
		t.Errorf("/healthz CSP %q, want %q", got, api.APICSP)
	}
}

// Production says nothing of development and closes what it lists: no
// GraphiQL, no /metrics beside the API, no Temporal Web UI unless asked for.
func TestProductionLeavesNothingOpen(t *testing.T) {
	metricsAddr := freeAddr(t)
	s := newProductionServer(t, metricsAddr, "CASETRAIL_UI_LISTEN=") // unset: production's default
	s.start()
	if lines := s.logLines("DEVELOPMENT MODE"); len(lines) != 0 {
		t.Errorf("production logs the development warning:\n%s", strings.Join(lines, "\n"))
	}
	if lines := s.logLines("temporal web ui"); len(lines) != 0 {
		t.Errorf("production serves the Temporal Web UI without being asked:\n%s", strings.Join(lines, "\n"))
	}
	resp, page := getPage(t, s.url("/graphql"), "text/html")
	if strings.Contains(page, "GraphiQL") {
		t.Errorf("production serves the GraphiQL page")
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != api.APICSP {
		t.Errorf("production /graphql CSP %q, want %q", got, api.APICSP)
	}
	if resp, _ := getPage(t, s.url("/metrics"), ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("production /metrics beside the API: %s", resp.Status)
	}
	resp, _ = getPage(t, "http://"+metricsAddr+"/metrics", "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") != api.APICSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("metrics address: %s, CSP %q", resp.Status, resp.Header.Get("Content-Security-Policy"))
	}
}
