package main

// `casetrail bench --scale-out` (issue 19): worker and api processes of
// this binary against one Temporal server on PostgreSQL — one of each,
// then two of each — with the intake load spread over the APIs.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"casetrail/incident"
	"casetrail/worker"
	"casetrail/workflows"
)

// scaleOutSeed is the seed of the scale-out's processes: the bench's unit
// and its reporters.
func scaleOutSeed() string {
	s := `units:
  - {id: lai-chau, name: "Tỉnh Lai Châu", symbol: "UBND"}
  - {id: lai-chau/tan-uyen, name: "Tân Uyên", parent: lai-chau, symbol: "UBND-VHTT"}
  - {id: lai-chau/tan-uyen/xa-phuc-khoa, name: "UBND xã Phúc Khoa", parent: lai-chau/tan-uyen, symbol: "UBND"}
grants:
`
	for c := range benchIntakeClients {
		s += fmt.Sprintf("  - {subject: scale-reporter-%02d, role: REPORTER, unit: %s}\n", c, benchReportUnit)
	}
	return s
}

// scaleProc is one worker or api process of the scale-out.
type scaleProc struct {
	role, addr string
	cmd        *exec.Cmd
	done       chan struct{}
}

// scaleOut runs the scale-out check and prints its figures.
func scaleOut(ctx context.Context, cfg Config, o benchOptions, out io.Writer, logger *slog.Logger) error {
	quiet := slog.New(benchQuietHandler{logger.Handler()})
	chunk := 10 * time.Second
	if o.quick {
		chunk = 3 * time.Second
	}
	name := benchDatabaseName()
	dbURL, err := benchDatabaseURL(cfg.DatabaseURL, name)
	if err != nil {
		return err
	}
	tdb, err := benchTemporalDatabaseURL(cfg.DatabaseURL, name)
	if err != nil {
		return err
	}
	vis, err := worker.VisibilityDatabaseURL(tdb)
	if err != nil {
		return err
	}
	defer func() {
		for _, u := range []string{dbURL, tdb, vis} {
			if err := dropBenchDatabase(context.WithoutCancel(ctx), u); err != nil {
				logger.Warn("bench: drop database", "url", u, "err", err)
			}
		}
	}()
	dir, err := os.MkdirTemp("", "casetrail-scale-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)

	// The database first (the processes would create it concurrently).
	if err := ensureBenchDatabase(ctx, dbURL); err != nil {
		return err
	}
	began := time.Now()
	emb, err := worker.StartEmbedded(ctx, worker.EmbeddedOptions{
		DataDir: filepath.Join(dir, "temporal"), DatabaseURL: tdb, Namespace: cfg.TemporalNamespace,
		SearchAttributes: worker.CaseSearchAttributes, Logger: quiet,
	})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer func() { _ = emb.Stop() }()
	fmt.Fprintf(out, "scale-out: Temporal on PostgreSQL at %s started in %s; %s%s\n", emb.HostPort(),
		time.Since(began).Round(time.Millisecond), cfg.TemporalNamespace, benchLoadAverage())

	seed := filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(scaleOutSeed()), 0o600); err != nil {
		return err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	tlsDir := filepath.Join(dir, "temporal", worker.EmbeddedTLSDir)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	env := []string{
		"DATABASE_URL=" + dbURL,
		"TEMPORAL_ADDRESS=" + emb.HostPort(),
		"TEMPORAL_NAMESPACE=" + cfg.TemporalNamespace,
		"TEMPORAL_TLS_CERT=" + filepath.Join(tlsDir, "client.pem"),
		"TEMPORAL_TLS_KEY=" + filepath.Join(tlsDir, "client-key.pem"),
		"TEMPORAL_TLS_CA=" + filepath.Join(tlsDir, "ca.pem"),
		"TEMPORAL_TLS_SERVER_NAME=" + emb.ServerName(),
		"CASETRAIL_PAYLOAD_KEY_FILE=" + filepath.Join(dir, "payload.key"),
		"CASETRAIL_JWT_SECRET=" + hex.EncodeToString(secret),
		"CASETRAIL_SEED=" + seed,
		"CASETRAIL_UI_LISTEN=off",
		"CASETRAIL_CHECKPOINT_INTERVAL=off",
	}
	var procs []*scaleProc
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	startProc := func(role string) (*scaleProc, error) {
		p := &scaleProc{role: role, addr: freeLoopback(), done: make(chan struct{})}
		p.cmd = exec.Command(self, role)
		p.cmd.Env = append(benchBaseEnv(), env...)
		p.cmd.Env = append(p.cmd.Env, "CASETRAIL_LISTEN="+p.addr,
			fmt.Sprintf("CASETRAIL_DATA_DIR=%s", filepath.Join(dir, fmt.Sprintf("%s-%d", role, len(procs)))))
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-%d.log", role, len(procs))))
		if err != nil {
			return nil, err
		}
		p.cmd.Stdout, p.cmd.Stderr = logf, logf
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := p.cmd.Start(); err != nil {
			logf.Close()
			return nil, err
		}
		go func() { _ = p.cmd.Wait(); logf.Close(); close(p.done) }()
		procs = append(procs, p)
		if err := p.awaitReady(2 * time.Minute); err != nil {
			b, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("bench: scale-out: %s: %w\n%s", role, err, scaleTail(string(b), 20))
		}
		return p, nil
	}

	auth, err := authenticator(Config{JWTSecret: hex.EncodeToString(secret), TokenMaxTTL: "1h"})
	if err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * benchIntakeClients}, Timeout: time.Minute}
	tokens := make([]string, benchIntakeClients)
	for c := range tokens {
		if tokens[c], err = auth.Mint(fmt.Sprintf("scale-reporter-%02d", c), time.Hour); err != nil {
			return err
		}
	}
	var seq atomic.Int64
	runID := name[len(name)-8:]
	report := func(apis []*scaleProc) func(ctx context.Context, c int) error {
		return func(ctx context.Context, c int) error {
			n := seq.Add(1)
			input := map[string]any{
				"clientRequestId": fmt.Sprintf("scale-%s-%d", runID, n), "kind": "IMPERSONATION", "unit": benchReportUnit,
				"title": fmt.Sprintf("Trang giả mạo UBND xã Phúc Khoa (%d)", n), "description": "Phản ánh của phép đo mở rộng.",
				"subjects": []map[string]any{{"platform": "FACEBOOK", "url": fmt.Sprintf("https://www.facebook.com/scale.%s.%d", runID, n)}},
			}
			return scaleReport(ctx, hc, apis[c%len(apis)].addr, tokens[c], input)
		}
	}

	if _, err := startProc("worker"); err != nil {
		return err
	}
	a1, err := startProc("api")
	if err != nil {
		return err
	}
	tc, err := client.DialContext(ctx, client.Options{HostPort: emb.HostPort(), Namespace: cfg.TemporalNamespace,
		Logger:            sdklog.NewStructuredLogger(quiet),
		ConnectionOptions: client.ConnectionOptions{TLS: emb.TLSConfig()}})
	if err != nil {
		return err
	}
	defer tc.Close()
	measure := func(label string, apis []*scaleProc) (benchLoadResult, error) {
		if _, err := benchLoad(ctx, benchIntakeClients, 0, report(apis)); err != nil { // warm up
			return benchLoadResult{}, fmt.Errorf("bench: scale-out %s warm-up: %w", label, err)
		}
		res, err := benchLoad(ctx, benchIntakeClients, chunk, report(apis))
		if err != nil {
			return res, fmt.Errorf("bench: scale-out %s: %w", label, err)
		}
		fmt.Fprintf(out, "scale-out %s: %d reports in %s: %.1f/s, p50 %.1f ms, p95 %.1f ms%s\n", label, len(res.latencies),
			res.elapsed.Round(time.Millisecond), res.rate(), benchMS(benchQuantile(res.latencies, 0.5)),
			benchMS(benchQuantile(res.latencies, 0.95)), benchLoadAverage())
		return res, nil
	}
	one, err := measure("1 worker + 1 api", []*scaleProc{a1})
	if err != nil {
		return err
	}
	if _, err := startProc("worker"); err != nil {
		return err
	}
	a2, err := startProc("api")
	if err != nil {
		return err
	}
	pollers, err := scalePollers(ctx, tc, 2)
	if err != nil {
		return err
	}
	two, err := measure("2 workers + 2 apis", []*scaleProc{a1, a2})
	if err != nil {
		return err
	}

	// Every answered report is one case, stored once.
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var reported, streams int
	if err := conn.QueryRow(ctx, `SELECT count(*), count(DISTINCT stream) FROM events WHERE type = $1`, incident.TypeCaseReported).Scan(&reported, &streams); err != nil {
		return err
	}
	answered := int(seq.Load())
	fmt.Fprintf(out, "scale-out: %d reports answered, %d CaseReported events in %d cases; pollers on %s: %d\n",
		answered, reported, streams, workflows.TaskQueue, pollers)
	fmt.Fprintf(out, "scale_out_ratio=%.2f one=%.1f/s two=%.1f/s p50_one_ms=%.1f p50_two_ms=%.1f pollers=%d reports=%d stored=%d%s\n",
		two.rate()/one.rate(), one.rate(), two.rate(), benchMS(benchQuantile(one.latencies, 0.5)), benchMS(benchQuantile(two.latencies, 0.5)),
		pollers, answered, reported, benchLoadAverage())
	if reported != answered || streams != answered {
		return fmt.Errorf("bench: scale-out: %d reports answered, %d stored in %d cases; want each once", answered, reported, streams)
	}
	if pollers < 2 {
		return fmt.Errorf("bench: scale-out: %d worker processes poll %s, want 2", pollers, workflows.TaskQueue)
	}
	return nil
}

// scalePollers waits until want distinct workers poll the case task queue
// for workflow tasks (the SDK's DescribeTaskQueue) and returns how many do.
func scalePollers(ctx context.Context, c client.Client, want int) (int, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := c.DescribeTaskQueue(ctx, workflows.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		if err != nil {
			return 0, fmt.Errorf("bench: describe task queue: %w", err)
		}
		ids := map[string]bool{}
		for _, p := range resp.GetPollers() {
			ids[p.GetIdentity()] = true
		}
		if len(ids) >= want || time.Now().After(deadline) {
			return len(ids), nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// scaleReport posts reportIncident to the api at addr.
func scaleReport(ctx context.Context, hc *http.Client, addr, token string, input map[string]any) error {
	body, _ := json.Marshal(map[string]any{"query": benchReportMutation, "variables": map[string]any{"input": input}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct {
		Data struct {
			ReportIncident struct {
				Merged bool
				Case   struct{ ID, Status string }
			}
		}
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("HTTP %s: %w", resp.Status, err)
	}
	if len(res.Errors) > 0 {
		return fmt.Errorf("reportIncident: %s", res.Errors[0].Message)
	}
	if r := res.Data.ReportIncident; r.Merged || r.Case.ID == "" || r.Case.Status != "REPORTED" {
		return fmt.Errorf("reportIncident opened no new case: %+v", r)
	}
	return nil
}

// awaitReady polls the process's /readyz.
func (p *scaleProc) awaitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	hc := &http.Client{Timeout: 5 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("exited")
		default:
		}
		if resp, err := hc.Get("http://" + p.addr + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}

// stop ends the process (SIGTERM, then SIGKILL after 20 s).
func (p *scaleProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// freeLoopback is a loopback address whose port was free a moment ago.
func freeLoopback() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer l.Close()
	return l.Addr().String()
}

// benchBaseEnv is this process's environment without CaseTrail, database
// or Temporal settings.
func benchBaseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "DATABASE_URL" || strings.HasPrefix(k, "TEMPORAL_") || strings.HasPrefix(k, "CASETRAIL_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// ensureBenchDatabase creates the database of dbURL.
func ensureBenchDatabase(ctx context.Context, dbURL string) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("bench: create database %s: %w", name, err)
	}
	return nil
}

// scaleTail returns the last n lines of s.
func scaleTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
