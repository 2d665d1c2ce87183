package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/schema"
)

// storeEngine runs commands without Temporal, the way the workflow does:
// fold the stream, decide, append with the expected version, project.
type storeEngine struct {
	store     *eventstore.Store
	reader    *readmodel.Reader
	projector *readmodel.Projector
	numbers   int
}

func (e *storeEngine) run(ctx context.Context, caseID, actor string, cmd incident.Command) (incident.Case, error) {
	c, err := e.reader.CaseAsOf(ctx, caseID, nil, nil)
	if incident.ErrorCode(err) == incident.CodeNotFound {
		c, err = &incident.Case{}, nil
	}
	if err != nil {
		return incident.Case{}, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	pays, err := incident.Decide(*c, cmd, now, incident.DefaultPolicy())
	if err != nil {
		return incident.Case{}, err
	}
	var evs []eventstore.EventData
	for _, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			return incident.Case{}, err
		}
		evs = append(evs, eventstore.EventData{Type: p.EventType(), Data: data, OccurredAt: now, Metadata: eventstore.Metadata{Actor: actor}})
	}
	if _, err := e.store.Append(ctx, incident.StreamOf(caseID), c.Version, evs...); err != nil {
		return incident.Case{}, err
	}
	if _, err := e.projector.CatchUp(ctx); err != nil {
		return incident.Case{}, err
	}
	after, err := e.reader.CaseAsOf(ctx, caseID, nil, nil)
	if err != nil {
		return incident.Case{}, err
	}
	return *after, nil
}

func (e *storeEngine) Report(ctx context.Context, caseID, actor, _ string, r incident.Report) (incident.Case, error) {
	e.numbers++
	r.CaseID, r.Number = caseID, fmt.Sprintf("VV-2026-%06d", e.numbers)
	return e.run(ctx, caseID, actor, r)
}

func (e *storeEngine) Execute(ctx context.Context, caseID, actor, _ string, _ *int64, cmd incident.Command) (incident.Case, error) {
	return e.run(ctx, caseID, actor, cmd)
}

// newEvidenceServer is the API over a fresh database with commands run by
// storeEngine: handler1 is a HANDLER of lai-chau/tan-uyen, reporter1 a
// REPORTER of its commune.
func newEvidenceServer(t *testing.T, quota int64) (http.Handler, *storeEngine, *Authenticator) {
	t.Helper()
	ctx := context.Background()
	store, registry, authz := newTestReadSide(t)
	for _, g := range []Grant{
		{Subject: "handler1", Role: RoleHandler, Unit: "lai-chau/tan-uyen"},
		{Subject: "reporter1", Role: RoleReporter, Unit: "lai-chau/tan-uyen/xa-phuc-khoa"},
	} {
		if err := authz.Grant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	projector := readmodel.NewProjector(store)
	engine := &storeEngine{store: store, reader: readmodel.NewReader(store.Pool()), projector: projector}
	deps := readSide(store, registry, projector)
	deps.Auth, deps.Commands, deps.EvidenceQuota = authz, engine, quota
	s, err := schema.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	auth := NewAuthenticator(bytes.Repeat([]byte("k"), MinSecretBytes))
	return NewServer(ServerOptions{Schema: s, Auth: auth, Timeout: 10 * time.Second}), engine, auth
}

func gqlAs(t *testing.T, h http.Handler, auth *Authenticator, sub, query string, vars map[string]any) response {
	t.Helper()
	tok, err := auth.Mint(sub, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := response{status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("status %d: %.200s", rec.Code, rec.Body.String())
	}
	return out
}

func blobCount(t *testing.T, store *eventstore.Store) int {
	t.Helper()
	var n int
	if err := store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM blobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func reportCase(t *testing.T, engine *storeEngine, url string) string {
	t.Helper()
	id := uuid.NewString()
	_, err := engine.Report(context.Background(), id, "reporter1", "", incident.Report{
		ClientRequestID: id, Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã", Description: "",
		Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: url}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

const addEvidenceMutation = `mutation($id: ID!, $c: String!) { addEvidence(id: $id, input: {description: "ảnh chụp", mediaType: "image/png", contentBase64: $c}) { id version evidence { sizeBytes } } }`

// TestRefusedEvidenceStoresNothing: addEvidence on a REJECTED case is
// refused (INVALID_TRANSITION) and leaves the blob table as it was; on an
// open case it stores the blob (issue 12, finding 5).
func TestRefusedEvidenceStoresNothing(t *testing.T) {
	h, engine, auth := newEvidenceServer(t, 0)
	ctx := context.Background()
	rejected := reportCase(t, engine, "https://facebook.com/fake-1")
	if _, err := engine.Execute(ctx, rejected, "handler1", "", nil, incident.Reject{Reason: "không phải sự cố"}); err != nil {
		t.Fatal(err)
	}
	content := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), 1<<20))
	for _, sub := range []string{"handler1", "reporter1"} {
		r := gqlAs(t, h, auth, sub, addEvidenceMutation, map[string]any{"id": rejected, "c": content})
		if r.code() != incident.CodeInvalidTransition {
			t.Errorf("%s: addEvidence on a REJECTED case: %+v", sub, r.Errors)
		}
	}
	// Unknown case and a case the caller may not act on: nothing stored either.
	r := gqlAs(t, h, auth, "handler1", addEvidenceMutation, map[string]any{"id": uuid.NewString(), "c": content})
	if r.code() != incident.CodeForbidden {
		t.Errorf("unknown case: %+v", r.Errors)
	}
	if n := blobCount(t, engine.store); n != 0 {
		t.Fatalf("refused addEvidence stored %d blobs", n)
	}
	open := reportCase(t, engine, "https://facebook.com/fake-2")
	r = gqlAs(t, h, auth, "handler1", addEvidenceMutation, map[string]any{"id": open, "c": content})
	if r.code() != "" {
		t.Fatalf("addEvidence on an open case: %+v", r.Errors)
	}
	if n := blobCount(t, engine.store); n != 1 {
		t.Fatalf("accepted addEvidence stored %d blobs, want 1", n)
	}
}

// TestEvidenceQuota: each subject may add at most the quota's bytes of
// evidence over all time; beyond it addEvidence is refused with a clear
// BAD_USER_INPUT and stores nothing, while other subjects keep theirs.
func TestEvidenceQuota(t *testing.T) {
	h, engine, auth := newEvidenceServer(t, 2500)
	id := reportCase(t, engine, "https://facebook.com/fake-3")
	piece := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 1000)) }
	for i, b := range []byte("ab") {
		if r := gqlAs(t, h, auth, "handler1", addEvidenceMutation, map[string]any{"id": id, "c": piece(b)}); r.code() != "" {
			t.Fatalf("evidence %d within the quota: %+v", i+1, r.Errors)
		}
	}
	r := gqlAs(t, h, auth, "handler1", addEvidenceMutation, map[string]any{"id": id, "c": piece('c')})
	if r.code() != incident.CodeBadUserInput || r.Errors[0].Extensions["field"] != "input.contentBase64" ||
		!strings.Contains(r.Errors[0].Message, "evidence storage quota exceeded") {
		t.Fatalf("over the quota: %+v", r.Errors)
	}
	if n := blobCount(t, engine.store); n != 2 {
		t.Errorf("%d blobs stored, want 2", n)
	}
	// The same content again still counts: the quota charges what each
	// subject adds, not what is new to the store.
	if r := gqlAs(t, h, auth, "handler1", addEvidenceMutation, map[string]any{"id": id, "c": piece('a')}); r.code() != incident.CodeBadUserInput {
		t.Errorf("repeated content over the quota: %+v", r.Errors)
	}
	if r := gqlAs(t, h, auth, "reporter1", addEvidenceMutation, map[string]any{"id": id, "c": piece('c')}); r.code() != "" {
		t.Errorf("another subject's evidence: %+v", r.Errors)
	}
}
