package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/api"
	"casetrail/eventstore/pgtest"
)

// graphqlSeries returns the casetrail_graphql_* sample lines of a /metrics
// exposition.
func graphqlSeries(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "casetrail_graphql_") {
			lines = append(lines, sc.Text())
		}
	}
	return lines
}

// TestMetricsOperationNames (issue 12, finding 6): client-chosen operation
// names add no series; the schema's field names and anonymous operations
// keep their labels. In development /metrics stays beside the API.
func TestMetricsOperationNames(t *testing.T) {
	s := newServer(t, serverOptions{})
	auth := "Bearer " + s.token(t, "handler1")
	ask := func(query string) {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"query": query})
		if r := s.post(t, body, "Authorization", auth); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("%s: HTTP %d %s", query, r.Status, r.Body)
		}
	}
	random := func() string {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		return "Op" + hex.EncodeToString(b)
	}
	ask("query " + random() + " { me { subject } }")
	ask("query units { units { id } }")
	ask("{ me { subject } }")
	before := graphqlSeries(t, s.url("/metrics"))
	var names []string
	for range 50 {
		n := random()
		names = append(names, n)
		ask("query " + n + " { me { subject } }")
	}
	after := graphqlSeries(t, s.url("/metrics"))
	if len(after) != len(before) {
		t.Errorf("50 random operation names: %d series lines, before %d", len(after), len(before))
	}
	text := strings.Join(after, "\n")
	for _, n := range names {
		if strings.Contains(text, n) {
			t.Fatalf("operation name %s is a label:\n%s", n, text)
		}
	}
	for _, want := range []string{`operation="other"`, `operation="units"`, `operation="query"`} {
		if !strings.Contains(text, want) {
			t.Errorf("no series with %s:\n%s", want, text)
		}
	}
}

// TestMetricsProduction (issue 12, finding 6): in production /metrics is
// not on the API address but on CASETRAIL_METRICS_LISTEN.
func TestMetricsProduction(t *testing.T) {
	metricsAddr := freeAddr(t)
	// Production refuses a superuser DATABASE_URL: the server runs as a
	// login role of its own, migrations as the owner.
	s := newProductionServer(t, metricsAddr)
	s.start()
	r := s.gql(t, "handler1", "{ me { subject } }", nil)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("query: HTTP %d %s", r.Status, r.Body)
	}
	resp, err := http.Get(s.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || strings.Contains(string(b), "casetrail_") {
		t.Errorf("GET /metrics on the API address: %s %.200s; want 404", resp.Status, b)
	}
	series := graphqlSeries(t, "http://"+metricsAddr+"/metrics")
	if !strings.Contains(strings.Join(series, "\n"), `casetrail_graphql_requests_total{code="OK",operation="query"} 1`) {
		t.Errorf("the metrics address does not count the query:\n%s", strings.Join(series, "\n"))
	}
	if lines := s.logLines(`"metrics":"` + metricsAddr + `"`); len(lines) == 0 {
		t.Errorf("start log does not say where metrics are served:\n%s", s.logTail(20))
	}
}

// productionDatabase returns a fresh database's URL for a login role that
// is neither superuser nor owner (a member of casetrail_app), and its
// owner's URL. The role is dropped at cleanup.
func productionDatabase(t *testing.T) (appURL, ownerURL string) {
	t.Helper()
	ownerURL = pgtest.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "ct_test_" + hex.EncodeToString(b)
	_, err = conn.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'casetrail_app') THEN
			BEGIN CREATE ROLE casetrail_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
		END IF; END $$`)
	if err == nil {
		_, err = conn.Exec(ctx, "CREATE ROLE "+name+" LOGIN PASSWORD 'test' IN ROLE casetrail_app")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // after the process (registered later) has stopped
		c, err := pgx.Connect(context.Background(), ownerURL)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP OWNED BY "+name)
		_, _ = c.Exec(context.Background(), "DROP ROLE "+name)
	})
	u, err := url.Parse(ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(name, "test")
	return u.String(), ownerURL
}

// TestHTTPServerTimeouts (issue 12, finding 12): every server the binary
// runs bounds reading, writing and idling, and the write timeout outlasts a
// request's own time limit (so the API's timeout answer can be written).
func TestHTTPServerTimeouts(t *testing.T) {
	srv := newHTTPServer(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": srv.ReadHeaderTimeout, "ReadTimeout": srv.ReadTimeout,
		"WriteTimeout": srv.WriteTimeout, "IdleTimeout": srv.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s not set", name)
		}
	}
	if srv.WriteTimeout <= api.DefaultTimeout || srv.ReadTimeout < srv.ReadHeaderTimeout {
		t.Errorf("write timeout %v must exceed the request timeout %v; read %v, header %v",
			srv.WriteTimeout, api.DefaultTimeout, srv.ReadTimeout, srv.ReadHeaderTimeout)
	}
}

// newProductionServer returns serve (not started) in production: its own
// login role, the owner for migrations, a random JWT secret and /metrics on
// metricsAddr; extra is added to its environment.
func newProductionServer(t *testing.T, metricsAddr string, extra ...string) *server {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	appURL, ownerURL := productionDatabase(t)
	return newProcess(t, "serve", appURL, append([]string{
		"CASETRAIL_ENV=production",
		"CASETRAIL_MIGRATE_DATABASE_URL=" + ownerURL,
		"CASETRAIL_JWT_SECRET=" + hex.EncodeToString(key),
		"CASETRAIL_METRICS_LISTEN=" + metricsAddr,
	}, extra...))
}
