package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A worker process has no graph: /graphql is absent, health and metrics are served.
func TestServerWithoutSchemaServesOnlyHealth(t *testing.T) {
	h := NewServer(ServerOptions{})
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/graphql": 404} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"query":"{ me { subject } }"}`))
		if path != "/graphql" {
			req = httptest.NewRequest(http.MethodGet, path, nil)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", path, rec.Code, want)
		}
	}
}
