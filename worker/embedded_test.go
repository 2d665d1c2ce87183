package worker

import (
	"bufio"
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"

	"casetrail/workflows"
)

const embTaskQueue = "embedded-test"

// embSleep is the timer of the durability tests: long enough to stop the
// server (about 1.5 s) well before it is due.
const embSleep = 5 * time.Second

func embSleepWorkflow(ctx workflow.Context, d time.Duration) (string, error) {
	if err := workflow.Sleep(ctx, d); err != nil {
		return "", err
	}
	return "woke", nil
}

func embEchoWorkflow(_ workflow.Context, s string) (string, error) { return "echo " + s, nil }

func embUpsertWorkflow(ctx workflow.Context, status string) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		workflows.SearchCaseStatus.ValueSet(status),
		workflows.SearchCaseUnit.ValueSet("lai-chau/tan-uyen"))
}

var embQuiet = sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))

func embStart(t testing.TB, opts EmbeddedOptions) *Embedded {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := StartEmbedded(ctx, opts)
	if err != nil {
		t.Fatalf("StartEmbedded: %v", err)
	}
	t.Cleanup(func() { _ = e.Stop() })
	return e
}

// embConnect dials e and runs a worker for the test workflows; the returned
// func stops both (also run at cleanup).
func embConnect(t testing.TB, e *Embedded) (client.Client, func()) {
	t.Helper()
	return embConnectTo(t, e.HostPort(), e.Namespace(), e.TLSConfig())
}

func embConnectTo(t testing.TB, hostPort, namespace string, tlsConf *tls.Config) (client.Client, func()) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: embQuiet,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsConf}})
	if err != nil {
		t.Fatalf("dial %s: %v", hostPort, err)
	}
	w := sdkworker.New(c, embTaskQueue, sdkworker.Options{})
	w.RegisterWorkflow(embSleepWorkflow)
	w.RegisterWorkflow(embEchoWorkflow)
	w.RegisterWorkflow(embUpsertWorkflow)
	if err := w.Start(); err != nil {
		c.Close()
		t.Fatalf("start worker: %v", err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { w.Stop(); c.Close() }) }
	t.Cleanup(stop)
	return c, stop
}

func embCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestEmbeddedInMemoryRunsWorkflow(t *testing.T) {
	e := embStart(t, EmbeddedOptions{})
	if e.Namespace() != "default" {
		t.Errorf("Namespace() = %q, want default", e.Namespace())
	}
	if !strings.HasPrefix(e.HostPort(), "127.0.0.1:") {
		t.Errorf("HostPort() = %q, want 127.0.0.1:port", e.HostPort())
	}
	c, _ := embConnect(t, e)
	ctx := embCtx(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: embTaskQueue}, embEchoWorkflow, "xin chào")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	if got != "echo xin chào" {
		t.Errorf("result = %q", got)
	}

	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	if err != nil {
		t.Fatalf("describe namespace: %v", err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != DefaultRetention {
		t.Errorf("retention = %v, want %v", got, DefaultRetention)
	}
}

func TestEmbeddedOptionsNamespaceAndPort(t *testing.T) {
	port, err := freePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	e := embStart(t, EmbeddedOptions{Namespace: "casetrail-test", FrontendPort: port, Retention: 72 * time.Hour})
	if want := fmt.Sprintf("127.0.0.1:%d", port); e.HostPort() != want {
		t.Errorf("HostPort() = %q, want %q", e.HostPort(), want)
	}
	if e.Namespace() != "casetrail-test" {
		t.Errorf("Namespace() = %q", e.Namespace())
	}
	c, _ := embConnect(t, e)
	ctx := embCtx(t, 30*time.Second)
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "casetrail-test"})
	if err != nil {
		t.Fatalf("describe namespace: %v", err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 72*time.Hour {
		t.Errorf("retention = %v, want 72h", got)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: embTaskQueue}, embEchoWorkflow, "ns")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
}

// embAwaitTimer waits until the workflow's timer is started, so a stop after
// it is a stop mid-sleep.
func embAwaitTimer(t *testing.T, c client.Client, id, runID string) {
	t.Helper()
	ctx := embCtx(t, 30*time.Second)
	for {
		iter := c.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for iter.HasNext() {
			ev, err := iter.Next()
			if err != nil {
				t.Fatalf("history: %v", err)
			}
			if ev.GetEventType() == enums.EVENT_TYPE_TIMER_STARTED {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timer of %s never started", id)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// embFinishAfterRestart runs a worker on the restarted server and expects the
// workflow to complete, its timer having fired after the old server was gone.
func embFinishAfterRestart(t *testing.T, e *Embedded, id, runID string, stopped time.Time) {
	t.Helper()
	c, _ := embConnect(t, e)
	ctx := embCtx(t, 60*time.Second)
	var result string
	if err := c.GetWorkflow(ctx, id, runID).Get(ctx, &result); err != nil {
		t.Fatalf("workflow after restart: %v", err)
	}
	if result != "woke" {
		t.Errorf("result = %q, want woke", result)
	}
	iter := c.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	fired := false
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("history: %v", err)
		}
		if ev.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED {
			fired = true
			if ev.GetEventTime().AsTime().Before(stopped) {
				t.Errorf("timer fired at %v, before the server was stopped at %v: the test did not stop mid-sleep", ev.GetEventTime().AsTime(), stopped)
			}
		}
	}
	if !fired {
		t.Error("no TimerFired event in the history")
	}
}

func TestEmbeddedFileSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := embStart(t, EmbeddedOptions{DataDir: dir})
	c, stopWorker := embConnect(t, e)
	ctx := embCtx(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case-restart", TaskQueue: embTaskQueue}, embSleepWorkflow, embSleep)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	embAwaitTimer(t, c, run.GetID(), run.GetRunID())

	// A second server on the same data dir is refused while the first runs.
	if e2, err := StartEmbedded(ctx, EmbeddedOptions{DataDir: dir}); err == nil {
		_ = e2.Stop()
		t.Fatal("second server on the same data dir started")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("second server error = %v, want data dir in use", err)
	}

	stopWorker()
	if err := e.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	stopped := time.Now()
	if fi, err := os.Stat(filepath.Join(dir, EmbeddedStoreFile)); err != nil || fi.Size() == 0 {
		t.Fatalf("store file: %v", err)
	}
	db, err := sql.Open(sqliteDriverName, "file:"+filepath.Join(dir, EmbeddedStoreFile)+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	var journal string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&journal); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if journal != "wal" {
		t.Errorf("store journal mode = %q, want wal", journal)
	}

	e = embStart(t, EmbeddedOptions{DataDir: dir})
	embFinishAfterRestart(t, e, run.GetID(), run.GetRunID(), stopped)
}

// TestEmbeddedHelperProcess is the server process that
// TestEmbeddedFileSurvivesKill kills; it does nothing in a normal run.
func TestEmbeddedHelperProcess(t *testing.T) {
	dir := os.Getenv("CASETRAIL_EMBEDDED_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process for TestEmbeddedFileSurvivesKill")
	}
	e, err := StartEmbedded(context.Background(), EmbeddedOptions{DataDir: dir})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("HOSTPORT", e.HostPort())
	// Serve until killed; should the test die first, its end of stdin closes.
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(1)
}

func TestEmbeddedFileSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmbeddedHelperProcess$")
	cmd.Env = append(os.Environ(), "CASETRAIL_EMBEDDED_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdin.Close() }()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "HOSTPORT ") || strings.HasPrefix(sc.Text(), "ERROR ") {
				lines <- sc.Text()
			}
		}
		close(lines)
	}()
	var hostPort string
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, "HOSTPORT ") {
			t.Fatalf("helper process: %q", line)
		}
		hostPort = strings.TrimPrefix(line, "HOSTPORT ")
	case <-time.After(time.Minute):
		t.Fatal("helper process did not start a server")
	}

	creds, err := LoadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	tlsConf, err := creds.TLSConfig("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, stopWorker := embConnectTo(t, hostPort, "default", tlsConf)
	ctx := embCtx(t, 30*time.Second)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "case-kill", TaskQueue: embTaskQueue}, embSleepWorkflow, embSleep)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	embAwaitTimer(t, c, run.GetID(), run.GetRunID())
	stopWorker()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true
	stopped := time.Now()

	e := embStart(t, EmbeddedOptions{DataDir: dir})
	embFinishAfterRestart(t, e, run.GetID(), run.GetRunID(), stopped)
}

// embAwaitVisible polls a visibility query until it lists id.
func embAwaitVisible(t *testing.T, c client.Client, query, id string) {
	t.Helper()
	ctx := embCtx(t, 20*time.Second)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("ListWorkflow(%s): %v", query, err)
		}
		for _, ex := range resp.GetExecutions() {
			if ex.GetExecution().GetWorkflowId() == id {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never listed by %s", id, query)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func embCustomAttributes(t *testing.T, c client.Client, ns string) map[string]enums.IndexedValueType {
	t.Helper()
	resp, err := c.OperatorService().ListSearchAttributes(embCtx(t, 10*time.Second),
		&operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	return resp.GetCustomAttributes()
}

func TestEmbeddedSearchAttributes(t *testing.T) {
	e := embStart(t, EmbeddedOptions{SearchAttributes: CaseSearchAttributes})
	c, _ := embConnect(t, e)
	got := embCustomAttributes(t, c, e.Namespace())
	for name, typ := range CaseSearchAttributes {
		if got[name] != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got[name], typ)
		}
	}

	ctx := embCtx(t, 30*time.Second)
	for id, status := range map[string]string{"case-reported": "REPORTED", "case-triaged": "TRIAGED"} {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: embTaskQueue}, embUpsertWorkflow, status)
		if err != nil {
			t.Fatalf("start workflow: %v", err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatalf("workflow result: %v", err)
		}
	}
	embAwaitVisible(t, c, `CaseStatus = "REPORTED"`, "case-reported")
	embAwaitVisible(t, c, `CaseStatus = "TRIAGED" AND CaseUnit = "lai-chau/tan-uyen"`, "case-triaged")
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: `CaseStatus = "REPORTED"`})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.GetExecutions()); n != 1 {
		t.Errorf(`CaseStatus = "REPORTED" lists %d workflows, want 1`, n)
	}
}

// TestEmbeddedRestartAddsSearchAttributes covers an existing store: new
// attributes go through the operator service, a new retention is applied, and
// both are usable as soon as StartEmbedded returns.
func TestEmbeddedRestartAddsSearchAttributes(t *testing.T) {
	dir := t.TempDir()
	e := embStart(t, EmbeddedOptions{DataDir: dir, SearchAttributes: map[string]enums.IndexedValueType{
		workflows.SearchCaseStatus.GetName(): enums.INDEXED_VALUE_TYPE_KEYWORD,
	}})
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}

	e = embStart(t, EmbeddedOptions{DataDir: dir, Retention: 45 * 24 * time.Hour, SearchAttributes: CaseSearchAttributes})
	c, _ := embConnect(t, e)
	got := embCustomAttributes(t, c, e.Namespace())
	for name, typ := range CaseSearchAttributes {
		if got[name] != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got[name], typ)
		}
	}
	ctx := embCtx(t, 30*time.Second)
	// No polling: readiness includes the new attributes.
	if _, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: `CaseAssignee = "handler1"`}); err != nil {
		t.Errorf("query on an attribute added at restart: %v", err)
	}
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: e.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != 45*24*time.Hour {
		t.Errorf("retention = %v, want 45 days", got)
	}

	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	_, err = StartEmbedded(ctx, EmbeddedOptions{DataDir: dir, SearchAttributes: map[string]enums.IndexedValueType{
		workflows.SearchCaseStatus.GetName(): enums.INDEXED_VALUE_TYPE_TEXT,
	}})
	if err == nil || !strings.Contains(err.Error(), "registered as") {
		t.Errorf("start with a retyped attribute: err = %v, want a type conflict", err)
	}
}

func TestEmbeddedRefusesBadOptions(t *testing.T) {
	tooMany := map[string]enums.IndexedValueType{}
	for i := range 11 {
		tooMany[fmt.Sprintf("Kw%d", i)] = enums.INDEXED_VALUE_TYPE_KEYWORD
	}
	tests := []struct {
		name string
		opts EmbeddedOptions
		want string
	}{
		{"too many keywords", EmbeddedOptions{SearchAttributes: tooMany}, "cannot have more than 10"},
		{"reserved name", EmbeddedOptions{SearchAttributes: map[string]enums.IndexedValueType{"WorkflowId": enums.INDEXED_VALUE_TYPE_KEYWORD}}, "reserved"},
		{"untyped attribute", EmbeddedOptions{SearchAttributes: map[string]enums.IndexedValueType{"X": enums.INDEXED_VALUE_TYPE_UNSPECIFIED}}, "no type"},
		{"host name", EmbeddedOptions{Host: "example.org"}, "not an IP address"},
		{"negative retention", EmbeddedOptions{Retention: -time.Hour}, "negative retention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := StartEmbedded(embCtx(t, 10*time.Second), tt.opts)
			if err == nil {
				_ = e.Stop()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestEmbeddedFrontendPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	port := l.Addr().(*net.TCPAddr).Port
	e, err := StartEmbedded(embCtx(t, 30*time.Second), EmbeddedOptions{FrontendPort: port})
	if err == nil {
		_ = e.Stop()
		t.Fatal("started on a port in use")
	}
	if !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("err = %v, want address already in use", err)
	}
	// The failed start left the process able to run a server.
	embStart(t, EmbeddedOptions{})
}

func TestEmbeddedRefusesForeignStore(t *testing.T) {
	tests := []struct {
		name   string
		pragma string
		want   string
	}{
		{"not ours", "CREATE TABLE namespaces(id INTEGER)", "not a Temporal store made by this program"},
		{"other schema version", fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = 7", embeddedAppID), "cannot be upgraded in place"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, EmbeddedStoreFile)
			db, err := sql.Open(sqliteDriverName, "file:"+path+"?mode=rwc")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.pragma); err != nil {
				t.Fatal(err)
			}
			_ = db.Close()
			e, err := StartEmbedded(embCtx(t, 10*time.Second), EmbeddedOptions{DataDir: dir})
			if err == nil {
				_ = e.Stop()
				t.Fatal("started on a foreign store")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

type embRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *embRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *embRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r)
	return nil
}
func (h *embRecords) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *embRecords) WithGroup(string) slog.Handler      { return h }

func TestServerLoggerKeepsWarnAndAbove(t *testing.T) {
	h := &embRecords{}
	min := new(slog.LevelVar)
	min.Set(slog.LevelWarn)
	l := newServerLogger(slog.New(h), min)
	l.Debug("debug")
	l.Info("info")
	l = log.With(l, tag.NewStringTag("shard", "1"))
	l.Warn("warned", tag.NewStringTag("k", "v"))
	l.Error("failed", tag.NewInt("n", 3))
	if len(h.recs) != 2 {
		t.Fatalf("got %d records, want 2 (WARN, ERROR)", len(h.recs))
	}
	w := h.recs[0]
	if w.Level != slog.LevelWarn || w.Message != "warned" {
		t.Errorf("first record = %v %q", w.Level, w.Message)
	}
	attrs := map[string]string{}
	w.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
	if attrs["shard"] != "1" || attrs["k"] != "v" || attrs["component"] != "temporal" {
		t.Errorf("attrs = %v", attrs)
	}
	if h.recs[1].Level != slog.LevelError {
		t.Errorf("second record level = %v", h.recs[1].Level)
	}
	min.Set(slog.LevelError) // as during Stop
	l.Warn("shutting down")
	l.Error("still reported")
	if len(h.recs) != 3 || h.recs[2].Message != "still reported" {
		t.Errorf("after raising the threshold to ERROR: %d records", len(h.recs))
	}

	// During a real start nothing below WARN gets through.
	h2 := &embRecords{}
	embStart(t, EmbeddedOptions{Logger: slog.New(h2)})
	h2.mu.Lock()
	defer h2.mu.Unlock()
	for _, r := range h2.recs {
		if r.Level < slog.LevelWarn {
			t.Errorf("server logged %v %q", r.Level, r.Message)
		}
	}
}

// BenchmarkStartEmbedded measures start-to-ready (StartEmbedded returning);
// Stop is not timed. memory is the baseline; file-first creates the store,
// file-restart reopens one that already holds the namespace.
func BenchmarkStartEmbedded(b *testing.B) {
	bench := func(b *testing.B, opts func(i int) EmbeddedOptions) {
		for i := 0; b.Loop(); i++ {
			e, err := StartEmbedded(context.Background(), opts(i))
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := e.Stop(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
	b.Run("memory", func(b *testing.B) {
		bench(b, func(int) EmbeddedOptions { return EmbeddedOptions{SearchAttributes: CaseSearchAttributes} })
	})
	b.Run("file-first", func(b *testing.B) {
		root := b.TempDir()
		bench(b, func(i int) EmbeddedOptions {
			return EmbeddedOptions{DataDir: filepath.Join(root, fmt.Sprint(i)), SearchAttributes: CaseSearchAttributes}
		})
	})
	b.Run("file-restart", func(b *testing.B) {
		dir := b.TempDir()
		e, err := StartEmbedded(context.Background(), EmbeddedOptions{DataDir: dir, SearchAttributes: CaseSearchAttributes})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Stop(); err != nil {
			b.Fatal(err)
		}
		bench(b, func(int) EmbeddedOptions {
			return EmbeddedOptions{DataDir: dir, SearchAttributes: CaseSearchAttributes}
		})
	})
}

// BenchmarkEmbeddedWorkflow measures one start→result of a trivial workflow
// by one caller: memory is the baseline for the SQLite file. file-20-callers
// runs 20 concurrent callers; its ns/op is wall time per workflow.
func BenchmarkEmbeddedWorkflow(b *testing.B) {
	execute := func(c client.Client) error {
		ctx := context.Background()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: embTaskQueue}, embEchoWorkflow, "b")
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}
	for _, mode := range []string{"memory", "file"} {
		b.Run(mode, func(b *testing.B) {
			opts := EmbeddedOptions{}
			if mode == "file" {
				opts.DataDir = b.TempDir()
			}
			c, _ := embConnect(b, embStart(b, opts))
			for b.Loop() {
				if err := execute(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("file-20-callers", func(b *testing.B) {
		c, _ := embConnect(b, embStart(b, EmbeddedOptions{DataDir: b.TempDir()}))
		b.SetParallelism(max(1, 20/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := execute(c); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
