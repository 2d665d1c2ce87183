//go:build linux

package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"casetrail/eventstore/pgtest"
	"casetrail/worker"
	"casetrail/workflows"
)

// newTemporalDatabase names a PostgreSQL database for an embedded Temporal
// server that does not exist yet (serve creates it and its visibility
// database); both are dropped at cleanup, after the server has stopped.
func newTemporalDatabase(t *testing.T) string {
	t.Helper()
	dbURL, drop, err := pgtest.Create("ct_temporal")
	if err != nil {
		t.Fatal(err)
	}
	drop() // the unique name is what is wanted
	vis, err := worker.VisibilityDatabaseURL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, u := range []string{dbURL, vis} {
			if err := dropBenchDatabase(context.Background(), u); err != nil {
				t.Errorf("drop %s: %v", u, err)
			}
		}
	})
	return dbURL
}

// temporalSchemaVersion is what Temporal's schema tool recorded in dbURL.
func temporalSchemaVersion(t *testing.T, dbURL string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, `SELECT curr_version FROM schema_version`).Scan(&v); err != nil {
		t.Fatalf("schema_version: %v", err)
	}
	return v
}

// temporalClient dials the embedded frontend of s (the address its log
// gave at its last start) with the client certificate in its data dir.
func (s *server) temporalClient(t *testing.T) client.Client {
	t.Helper()
	lines := s.logLines("embedded temporal server started")
	if len(lines) == 0 {
		t.Fatal("serve logged no embedded temporal server")
	}
	var rec struct{ Address, Namespace, Store string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Store != "postgres" {
		t.Fatalf("embedded temporal store %q, want postgres", rec.Store)
	}
	creds, err := worker.LoadCredentials(filepath.Join(s.dataDir, "temporal"))
	if err != nil {
		t.Fatal(err)
	}
	tlsConf, err := creds.TLSConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: rec.Address, Namespace: rec.Namespace,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestServeTemporalOnPostgres (issue 19): serve with its embedded Temporal
// server on PostgreSQL (CASETRAIL_TEMPORAL_DATABASE_URL, a fresh database).
// A case misses its takedown deadline, the system asks for an escalation,
// the leader approves it; the case's workflow is found by its search
// attributes; serve is killed while the escalation's response deadline
// runs and restarted, and that deadline fires once, after the restart.
func TestServeTemporalOnPostgres(t *testing.T) {
	tdb := newTemporalDatabase(t)
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_TEMPORAL_DATABASE_URL=" + tdb}, Policy: `
triage: 1h
analysis: 1h
takedownResponse: 5s
escalationApproval: 1h
escalationResponse: 40s
resolution: 2h
reminders: []
autoEscalateOnTakedownMiss: true
`})
	if _, err := os.Stat(filepath.Join(s.dataDir, "temporal", worker.EmbeddedStoreFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a SQLite store in the data dir (%v); the store is PostgreSQL", err)
	}
	vis, _ := worker.VisibilityDatabaseURL(tdb)
	if v := temporalSchemaVersion(t, tdb); v != worker.PostgresSchemaVersion {
		t.Errorf("temporal schema %s, want %s", v, worker.PostgresSchemaVersion)
	}
	if v := temporalSchemaVersion(t, vis); v != worker.PostgresVisibilitySchemaVersion {
		t.Errorf("visibility schema %s, want %s", v, worker.PostgresVisibilitySchemaVersion)
	}

	const page = "https://www.facebook.com/tintuc.tanuyen.pg"
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "e2e-temporal-postgres", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo Cổng thông tin huyện", Description: "Đăng tin sai về bồi thường đất.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: page}},
	})
	id := c.ID
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": id}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	s.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `recordAnalysis(id: $id, input: {findings: "Trang mạo danh", verdict: FALSE})`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `requestTakedown(id: $id, input: $in)`, `($id: ID!, $in: TakedownInput!)`, vars(
		"in", map[string]any{"platform": "FACEBOOK", "targetUrl": page, "reason": "Mạo danh cơ quan nhà nước"}))

	// The platform does not answer within 5 s: missed, escalation asked.
	var events []eventView
	eventually(t, time.Minute, "DeadlineMissed(TAKEDOWN_RESPONSE) and the escalation request", func() error {
		events = s.history(t, "handler1", id)
		if findEvents(events, "EscalationRequested", "") == nil {
			return errMissing
		}
		return nil
	})
	if m, x := findEvents(events, "DeadlineMissed", "TAKEDOWN_RESPONSE"), findEvents(events, "EscalationRequested", ""); len(m) != 1 || len(x) != 1 ||
		m[0].Actor != "system" || x[0].Actor != "system" {
		t.Fatalf("events %v; want one miss and one escalation request, by system", eventTypes(events))
	}
	var cur caseView
	eventually(t, 30*time.Second, "the read model shows the escalation", func() error {
		if cur = s.readCase(t, "leader1", id); cur.Status != "ESCALATED" || cur.Escalation == nil {
			return errMissing
		}
		return nil
	})

	// Temporal's visibility on PostgreSQL answers on the case's search
	// attributes.
	tc := s.temporalClient(t)
	eventually(t, 30*time.Second, "the case's workflow listed by CaseStatus", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: `CaseStatus = "ESCALATED" AND CaseUnit = "lai-chau/tan-uyen/xa-phuc-khoa" AND CaseSeverity = "HIGH"`})
		if err != nil {
			return err
		}
		for _, ex := range resp.GetExecutions() {
			if ex.GetExecution().GetWorkflowId() == workflows.WorkflowID(id) {
				return nil
			}
		}
		return errMissing
	})

	s.mutate(t, "leader1", `approveEscalation(id: $id, note: "Đồng ý", expectedVersion: $v)`, `($id: ID!, $v: Int)`, vars("v", cur.Version))
	eventually(t, 30*time.Second, "escalation SENT", func() error {
		if cur = s.readCase(t, "handler1", id); cur.Escalation == nil || cur.Escalation.Status != "SENT" {
			return errMissing
		}
		return nil
	})
	due := cur.deadline("ESCALATION_RESPONSE")
	if due == nil || due.State != "PENDING" {
		t.Fatalf("ESCALATION_RESPONSE deadline %+v; want PENDING", due)
	}

	s.kill()
	var exit *exec.ExitError
	if !errors.As(s.wait, &exit) {
		t.Fatalf("serve after SIGKILL: %v", s.wait)
	}
	killedAt := time.Now()
	if !parseTime(t, due.DueAt).After(killedAt) {
		t.Fatalf("the ESCALATION_RESPONSE deadline (%s) was due before serve was killed: the machine is too slow for this test's 40 s", due.DueAt)
	}
	restart := s.start()
	t.Logf("restarted after SIGKILL in %s (Temporal on PostgreSQL); the deadline is due %s after the restart was ready",
		restart.Round(time.Millisecond), parseTime(t, due.DueAt).Sub(killedAt.Add(restart)).Round(time.Millisecond))

	eventually(t, 90*time.Second, "DeadlineMissed(ESCALATION_RESPONSE) after the restart", func() error {
		events = s.history(t, "auditor1", id)
		if findEvents(events, "DeadlineMissed", "ESCALATION_RESPONSE") == nil {
			return errMissing
		}
		return nil
	})
	missed := findEvents(events, "DeadlineMissed", "ESCALATION_RESPONSE")
	if len(missed) != 1 || missed[0].Actor != "system" || parseTime(t, missed[0].OccurredAt).Before(killedAt) {
		t.Errorf("DeadlineMissed(ESCALATION_RESPONSE) %+v; want one, by system, recorded after the kill at %s", missed, killedAt.Format(time.RFC3339Nano))
	}
	checkChain(t, events)
	if n := len(findEvents(events, "DeadlineMissed", "TAKEDOWN_RESPONSE")); n != 1 {
		t.Errorf("%d TAKEDOWN_RESPONSE misses after the restart; want still one", n)
	}
	// The restarted server uses the same store: the case takes commands.
	if c := s.mutate(t, "handler1", `recordEscalationResponse(id: $id, response: "Sở đã tiếp nhận", resolved: false)`, `($id: ID!)`, vars()); c.Escalation == nil || c.Escalation.Status != "ACKNOWLEDGED" {
		t.Errorf("recordEscalationResponse after the restart: %+v", c.Escalation)
	}
	if lines := s.logLines(`"store":"postgres"`); len(lines) != 2 {
		t.Errorf("%d starts on the PostgreSQL store logged; want 2:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}
