// Package graphiql is the in-browser GraphQL IDE that development serves at
// GET /graphql: a page and its assets, all embedded in the binary (it works
// on an office network without Internet access), the third-party ones
// pinned by SHA-256 in VERSIONS.
//
// The page loads nothing from another origin and runs no inline script, so
// it is served under a strict Content-Security-Policy (PageCSP).
package graphiql

import (
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

// AssetPrefix is the path under which Assets serves the files.
const AssetPrefix = "/graphiql/assets/"

//go:embed assets
var assetFS embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	// version is the start of the SHA-256 of body: it is part of the
	// file's URL, so a changed file gets a new URL and every URL can be
	// cached for good.
	version string
}

// assets are the embedded files by name.
var assets = func() map[string]asset {
	m := map[string]asset{}
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		m[e.Name()] = asset{body: b, contentType: contentType(e.Name()), version: hex.EncodeToString(sum[:8])}
	}
	return m
}()

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	return "application/octet-stream"
}

// URL returns the path the page uses for the embedded file name.
func URL(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("graphiql: no asset " + name)
	}
	return AssetPrefix + a.version + "/" + name
}

// Names returns the names of the embedded files, sorted.
func Names() []string {
	names := make([]string, 0, len(assets))
	for n := range assets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Assets serves the embedded files at AssetPrefix + version + "/" + name
// (as URL gives them) with their content type and a year-long, immutable
// cache lifetime. Any other path under AssetPrefix is 404.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		version, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, AssetPrefix), "/")
		a, found := assets[name]
		if !ok || !found || version != a.version {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(a.body)
	})
}

// PageCSP is the Content-Security-Policy of the page rendered with nonce:
// scripts and style sheets only from this server, the GraphQL endpoint the
// only place it connects to, and no inline script. Inline styles are
// refused too; only a <style> element carrying the nonce (GraphiQL's
// dialogs add one) is admitted.
func PageCSP(nonce string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + nonce + "'; " +
		"connect-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}

// NewNonce returns a fresh random CSP nonce.
func NewNonce() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("graphiql: random nonce: %v", err)) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var page = template.Must(template.New("graphiql").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CaseTrail GraphiQL</title>
<link rel="stylesheet" href="{{.CSS}}">
<link rel="stylesheet" href="{{.OwnCSS}}">
</head>
<body><div id="graphiql"></div>
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}<script src="{{.Bootstrap}}" data-style-nonce="{{.Nonce}}"></script>
</body></html>
`))

// Page returns the GraphiQL page for a response whose CSP is
// PageCSP(nonce). It refers only to paths of this server.
func Page(nonce string) []byte {
	var b strings.Builder
	err := page.Execute(&b, map[string]any{
		"CSS":       URL("graphiql.min.css"),
		"OwnCSS":    URL("casetrail-graphiql.css"),
		"Scripts":   []string{URL("react.production.min.js"), URL("react-dom.production.min.js"), URL("graphiql.min.js")},
		"Bootstrap": URL("casetrail-graphiql.js"),
		"Nonce":     nonce,
	})
	if err != nil {
		panic(err) // the template and its data are static
	}
	return []byte(b.String())
}

// ServePage writes the page with a fresh nonce and its CSP.
func ServePage(w http.ResponseWriter, _ *http.Request) {
	nonce := NewNonce()
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", PageCSP(nonce))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(Page(nonce))
}
