package worker

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"casetrail/eventstore/pgtest"
)

// embPostgresURL is a Temporal database for the test that does not exist
// yet (StartEmbedded creates it and its visibility database); both are
// dropped at cleanup.
func embPostgresURL(t *testing.T) string {
	t.Helper()
	base, drop, err := pgtest.Create("ct_temporal")
	if err != nil {
		t.Fatal(err)
	}
	drop() // only the unique name is wanted: the server creates the database
	vis, err := VisibilityDatabaseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, u := range []string{base, vis} {
			dropDatabase(t, u)
		}
	})
	return base
}

func dropDatabase(t *testing.T, dbURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Error(err)
		return
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Error(err)
		return
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("drop %s: %v", name, err)
	}
}

// schemaVersion reads the version Temporal's schema tool recorded.
func schemaVersion(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := embCtx(t, 10*time.Second)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	var v string
	if err := conn.QueryRow(ctx, `SELECT curr_version FROM schema_version`).Scan(&v); err != nil {
		t.Fatalf("schema_version of %s: %v", dbURL, err)
	}
	return v
}

// TestEmbeddedPostgres: the embedded server on PostgreSQL creates its two
// databases with Temporal's schema at the pinned versions, registers the
// namespace and the case search attributes (queries on them work), keeps a
// timer across a restart, and refuses a second server on the same database.
func TestEmbeddedPostgres(t *testing.T) {
	dbURL := embPostgresURL(t)
	dir := t.TempDir()
	opts := EmbeddedOptions{DataDir: dir, DatabaseURL: dbURL, Namespace: "casetrail", SearchAttributes: CaseSearchAttributes}
	e := embStart(t, opts)
	if e.Store() != "postgres" {
		t.Errorf("Store() = %q, want postgres", e.Store())
	}
	vis, _ := VisibilityDatabaseURL(dbURL)
	if got := schemaVersion(t, dbURL); got != PostgresSchemaVersion {
		t.Errorf("store schema %s, want %s", got, PostgresSchemaVersion)
	}
	if got := schemaVersion(t, vis); got != PostgresVisibilitySchemaVersion {
		t.Errorf("visibility schema %s, want %s", got, PostgresVisibilitySchemaVersion)
	}

	c, stopWorker := embConnect(t, e)
	got := embCustomAttributes(t, c, e.Namespace())
	for name, typ := range CaseSearchAttributes {
		if got[name] != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got[name], typ)
		}
	}
	ctx := embCtx(t, time.Minute)
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: e.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != DefaultRetention {
		t.Errorf("retention = %v, want %v", got, DefaultRetention)
	}
	up, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case-pg-triaged", TaskQueue: embTaskQueue}, embUpsertWorkflow, "TRIAGED")
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	embAwaitVisible(t, c, `CaseStatus = "TRIAGED" AND CaseUnit = "lai-chau/tan-uyen"`, "case-pg-triaged")

	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case-pg-restart", TaskQueue: embTaskQueue}, embSleepWorkflow, embSleep)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	embAwaitTimer(t, c, run.GetID(), run.GetRunID())

	// The advisory lock: one embedded server per database, even from
	// another data directory.
	if e2, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: t.TempDir(), DatabaseURL: dbURL, Namespace: "casetrail"}); err == nil {
		_ = e2.Stop()
		t.Fatal("second server on the same database started")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("second server error = %v, want database in use", err)
	}

	stopWorker()
	if err := e.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped := time.Now()
	e = embStart(t, opts)
	embFinishAfterRestart(t, e, run.GetID(), run.GetRunID(), stopped)
	c2, _ := embConnect(t, e)
	embAwaitVisible(t, c2, `CaseStatus = "TRIAGED"`, "case-pg-triaged")
}

// TestEmbeddedPostgresRefuses: bad URLs, a database whose schema is newer
// than this build's.
func TestEmbeddedPostgresRefuses(t *testing.T) {
	for _, tt := range []struct{ url, want string }{
		{"mysql://x@127.0.0.1/temporal", "want postgres://"},
		{"postgres://postgres@127.0.0.1:5432/", "no database name"},
		{"postgres:///temporal?host=/run/postgresql", "no host"},
	} {
		if e, err := StartEmbedded(embCtx(t, 10*time.Second), EmbeddedOptions{DatabaseURL: tt.url}); err == nil {
			_ = e.Stop()
			t.Errorf("%s: started", tt.url)
		} else if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.url, err, tt.want)
		}
	}

	dbURL := embPostgresURL(t)
	if err := ensurePostgresDatabase(embCtx(t, 10*time.Second), dbURL); err != nil {
		t.Fatal(err)
	}
	ctx := embCtx(t, 10*time.Second)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	// What Temporal's schema tool records, at a version from the future.
	_, err = conn.Exec(ctx, `CREATE TABLE schema_version(version_partition INT NOT NULL, db_name VARCHAR(255) NOT NULL,
creation_time TIMESTAMP, curr_version VARCHAR(64), min_compatible_version VARCHAR(64), PRIMARY KEY (version_partition, db_name));
INSERT INTO schema_version VALUES (0, '`+strings.TrimPrefix(mustURL(t, dbURL).Path, "/")+`', now(), '9.0', '9.0')`)
	_ = conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, err := StartEmbedded(embCtx(t, 30*time.Second), EmbeddedOptions{DatabaseURL: dbURL})
	if err == nil {
		_ = e.Stop()
		t.Fatal("started on a store with a newer schema")
	}
	if !strings.Contains(err.Error(), "newer than this build's") {
		t.Errorf("err = %v, want a newer schema refused", err)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
