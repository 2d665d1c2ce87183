package graphiql

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// Every third-party file embedded is the one VERSIONS names, byte for byte;
// every other embedded file is ours (casetrail-*).
func TestAssetsArePinned(t *testing.T) {
	f, err := os.Open("VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pinned := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 5 {
			t.Fatalf("VERSIONS: want package, version, file, asset, sha256: %q", line)
		}
		name, want := fields[3], fields[4]
		b, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			t.Errorf("%s@%s %s: not embedded: %v", fields[0], fields[1], name, err)
			continue
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s@%s %s: SHA-256 %s, VERSIONS pins %s", fields[0], fields[1], name, got, want)
		}
		pinned[name] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		if !pinned[name] && !strings.HasPrefix(name, "casetrail-") {
			t.Errorf("%s is embedded but not pinned in VERSIONS", name)
		}
	}
	if len(pinned) != 4 {
		t.Errorf("VERSIONS pins %d files, want react, react-dom and graphiql's js and css", len(pinned))
	}
}

// Assets serves each file only at its versioned URL, with its content type
// and a long cache lifetime.
func TestAssetsServedAtVersionedURLs(t *testing.T) {
	h := Assets()
	for _, name := range Names() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, URL(name), nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: %d", URL(name), rec.Code)
			continue
		}
		if got, want := rec.Header().Get("Content-Type"), contentType(name); got != want || want == "application/octet-stream" {
			t.Errorf("%s: Content-Type %q, want %q", name, got, want)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", name, cc)
		}
		if rec.Body.Len() != len(assets[name].body) {
			t.Errorf("%s: %d bytes, want %d", name, rec.Body.Len(), len(assets[name].body))
		}
	}
	for _, p := range []string{AssetPrefix + "graphiql.min.js", AssetPrefix + "0000000000000000/graphiql.min.js", AssetPrefix + assets["graphiql.min.js"].version + "/nope.js"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, rec.Code)
		}
	}
}

// The bootstrap keeps the token for the tab only: it never writes or reads
// localStorage (it only removes what an earlier page left there).
func TestBootstrapKeepsTokenOutOfLocalStorage(t *testing.T) {
	js := string(assets["casetrail-graphiql.js"].body)
	for _, bad := range []string{"localStorage.setItem", "localStorage.getItem", "http://", "https://"} {
		if strings.Contains(js, bad) {
			t.Errorf("casetrail-graphiql.js contains %q", bad)
		}
	}
	if !strings.Contains(js, "sessionStorage") {
		t.Error("casetrail-graphiql.js does not keep the token in sessionStorage")
	}
}

// Each page has its own nonce, in its CSP and on the bootstrap script, and
// the CSP admits no inline script or style attribute.
func TestPageNonce(t *testing.T) {
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	ServePage(a, httptest.NewRequest(http.MethodGet, "/graphql", nil))
	ServePage(b, httptest.NewRequest(http.MethodGet, "/graphql", nil))
	if a.Header().Get("Content-Security-Policy") == b.Header().Get("Content-Security-Policy") {
		t.Error("two pages share a CSP nonce")
	}
	csp := a.Header().Get("Content-Security-Policy")
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code", csp)
	}
	nonce := strings.TrimSuffix(strings.SplitN(strings.SplitN(csp, "'nonce-", 2)[1], "'", 2)[0], "'")
	if !strings.Contains(a.Body.String(), `data-style-nonce="`+nonce+`"`) {
		t.Errorf("page does not carry its CSP's nonce %q:\n%s", nonce, a.Body.String())
	}
}
