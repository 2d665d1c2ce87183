package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
)

// noEngine answers every command with an error: the fuzz target exercises the
// HTTP and GraphQL handling on a real read model, not the workflows.
type noEngine struct{}

func (noEngine) Report(context.Context, string, string, string, incident.Report) (incident.Case, error) {
	return incident.Case{}, incident.Errorf(incident.CodeInternal, "no workflow engine in this test")
}

func (noEngine) Execute(context.Context, string, string, string, *int64, incident.Command) (incident.Case, error) {
	return incident.Case{}, incident.Errorf(incident.CodeInternal, "no workflow engine in this test")
}

// Backend is a read side that the requests of the tests using it never
// reach (they resolve nothing that reads or writes): schema.Reads with no
// implementation behind it.
type Backend struct{ schema.Reads }

// readSide are the concerns of schema.Deps on the real read model, wired as
// cmd/casetrail wires them.
func readSide(store *eventstore.Store, registry *readmodel.Registry, projector *readmodel.Projector) schema.Deps {
	reader := readmodel.NewReader(store.Pool())
	return schema.Deps{Cases: reader, Streams: reader, Registry: registry, Progress: projector, Blobs: store, Registrar: registry}
}

// newFuzzServer is the API over a fresh database: real store, read model,
// registry and Casbin, with handler1 a HANDLER of lai-chau/tan-uyen.
func newFuzzServer(t testing.TB) (http.Handler, string) {
	ctx := context.Background()
	store, registry, authz := newTestReadSide(t)
	if err := authz.Grant(ctx, Grant{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"}); err != nil {
		t.Fatal(err)
	}
	deps := readSide(store, registry, readmodel.NewProjector(store))
	deps.Auth, deps.Commands = authz, noEngine{}
	s, err := schema.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	auth := NewAuthenticator(bytes.Repeat([]byte("k"), MinSecretBytes))
	token, err := auth.Mint("handler1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(ServerOptions{Schema: s, Auth: auth, Timeout: 5 * time.Second, RatePerSecond: 1e9, Burst: 1 << 30}), token
}

// FuzzServer posts arbitrary bodies to /graphql with a valid token: the
// server never panics or hangs, and always answers with a known status and a
// JSON body carrying data or errors.
func FuzzServer(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ me { subject roles { role unit { id } } } }"}`,
		`{"query":"{ cases(filter:{text:\"gia mao\", status:[REPORTED]}, first: 5){ totalCount edges { cursor node { id number } } } }"}`,
		`{"query":"query($id: ID!){ case(id:$id){ id history { type } } }","variables":{"id":"x"}}`,
		`{"query":"{ stats(unit:\"lai-chau/tan-uyen\"){ total byStatus { status count } } }"}`,
		`{"query":"mutation { triageCase(id:\"x\", severity: HIGH, assignee:\"a\"){ id } }"}`,
		`{"query":"fragment A on Query { ...B } fragment B on Query { ...A } { ...A }"}`,
		`{"query":"{ units { id parent { id parent { id } } } }","variables":null,"operationName":null}`,
		`{"query":"{ caseAsOf(id:\"x\", at:\"not a time\"){ id } }"}`,
		`{"query": 1}`,
		`[{"query":"{ me { subject } }"}]`,
		`{"query":"{ me { subject } }"`,
		``,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte("query={me{subject}}"), "application/x-www-form-urlencoded")
	h, token := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { defer close(done); h.ServeHTTP(rec, req) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("no answer within 20 s to %q", body)
		}
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusMethodNotAllowed,
			http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusServiceUnavailable:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.String())
		}
		var out struct {
			Data   json.RawMessage   `json:"data"`
			Errors []json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("body is not JSON (%v) for %q: %s", err, body, rec.Body.String())
		}
		if len(out.Data) == 0 && len(out.Errors) == 0 {
			t.Fatalf("neither data nor errors for %q: %s", body, rec.Body.String())
		}
		if rec.Code != http.StatusOK && len(out.Errors) == 0 {
			t.Fatalf("status %d without errors for %q", rec.Code, body)
		}
	})
}

// newTestReadSide is a fresh database with the event store, the read model,
// the registry of testUnits and an authorizer over them.
func newTestReadSide(t testing.TB) (*eventstore.Store, *readmodel.Registry, *Authorizer) {
	t.Helper()
	ctx := context.Background()
	store, err := eventstore.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	pool := store.Pool()
	if err := readmodel.EnsureSchema(ctx, pool); err != nil {
		t.Fatal(err)
	}
	registry := readmodel.NewRegistry(pool)
	for _, u := range testUnits {
		if err := registry.UpsertUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	return store, registry, newTestAuthorizer(t, pool)
}
