package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/schema"
)

// grantsOnly is an Authorizer that knows only the grants of one subject.
type grantsOnly map[string][]schema.RoleGrant

func (g grantsOnly) Allowed(sub, action, unit string) (bool, error) { return false, nil }
func (g grantsOnly) VisibleUnits(sub, action string) []string       { return nil }
func (g grantsOnly) RoleGrants(sub string) []schema.RoleGrant       { return g[sub] }

func newExecutorForTest(t *testing.T, o ServerOptions) *Executor {
	t.Helper()
	s, err := schema.New(schema.Deps{
		Auth:     grantsOnly{"handler1": {{Role: RoleHandler, Unit: "lai-chau/tan-uyen"}}},
		Commands: noEngine{}, Reads: &Backend{},
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Schema = s
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewExecutor(o)
}

// The executor answers as the subject it is given, through the schema's
// own resolvers, and refuses what /graphql refuses with the same codes.
func TestExecutorRunsAsSubject(t *testing.T) {
	e := newExecutorForTest(t, ServerOptions{})
	ctx := context.Background()

	res := e.Execute(ctx, "handler1", `query Me { me { subject roles { role } } }`, nil)
	if len(res.Errors) > 0 {
		t.Fatalf("me: %v", res.Errors)
	}
	me := res.Data.(map[string]any)["me"].(map[string]any)
	if me["subject"] != "handler1" {
		t.Errorf("me.subject = %v, want handler1", me["subject"])
	}
	if roles := me["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["role"] != RoleHandler {
		t.Errorf("me.roles = %v", roles)
	}

	cases := []struct {
		name, subject, query, code string
	}{
		{"no subject", "", `{ me { subject } }`, incident.CodeUnauthenticated},
		{"syntax", "handler1", `{ me { `, incident.CodeBadUserInput},
		{"two operations", "handler1", `query A { me { subject } } query B { me { subject } }`, incident.CodeBadUserInput},
		{"too deep", "handler1", `{ me { roles { unit { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } } } } } } } } } } }`, CodeQueryTooComplex},
	}
	for _, c := range cases {
		res := e.Execute(ctx, c.subject, c.query, nil)
		if len(res.Errors) == 0 {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if got, _ := res.Errors[0].Extensions["code"].(string); got != c.code {
			t.Errorf("%s: code %q (%s), want %q", c.name, got, res.Errors[0].Message, c.code)
		}
	}
}

// Given to NewServer, the executor serves /graphql too: one request budget
// per subject, whichever door the requests come through.
func TestExecutorSharesBudgetsWithHTTP(t *testing.T) {
	o := ServerOptions{RatePerSecond: 0.001, Burst: 2, Timeout: 5 * time.Second,
		Auth: NewAuthenticator(bytes.Repeat([]byte("k"), MinSecretBytes))}
	e := newExecutorForTest(t, o)
	o.Schema, o.Executor = e.h.opts.Schema, e
	o.UI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ui") })
	srv := NewServer(o)
	token, err := o.Auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if res := e.Execute(context.Background(), "handler1", `{ me { subject } }`, nil); len(res.Errors) > 0 {
			t.Fatalf("in-process request %d: %v", i+1, res.Errors)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ me { subject } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("/graphql after the in-process burst: %d %s, want 429", rec.Code, rec.Body)
	}

	// The UI serves what the API does not route; the API's routes stay.
	for path, want := range map[string]string{"/": "ui", "/login": "ui", "/healthz": `"ok"`} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %q, want %q", path, rec.Body, want)
		}
	}
}
