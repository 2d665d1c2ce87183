package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/internal/benchdata"
)

// benchOptions are the flags of `casetrail bench`.
type benchOptions struct {
	// quick is the short run of the smoke test: ~1 s per side instead of 10 s,
	// fewer samples, and 2,000 cases unless cases is set.
	quick bool
	// cases is the size of the generated data set; 0 means 100,000 (2,000
	// with quick).
	cases int
	// keep leaves the bench database in place instead of dropping it.
	keep bool
	// profileDir, when set, receives a CPU profile of this process per phase
	// (<phase>.cpu.pprof).
	profileDir string
	// phases names the parts to run (benchPhases, comma-separated; "all").
	// The data set is generated whatever is chosen (--cases sizes it).
	phases string
	// stores names the embedded Temporal stores the intake and the storm
	// run on: sqlite, postgres (comma-separated; "all").
	stores string
	// stormCases is the size of the deadline storm; 0 means 10,000 (100
	// with quick).
	stormCases int
	// scaleOut runs the scale-out check (bench_scaleout.go) instead.
	scaleOut bool
}

// Sizes of the bench. The figures and their baselines are those of issue 7.
const (
	benchAppendWriters = 8  // concurrent appenders, one stream each
	benchIntakeClients = 20 // concurrent reportIncident callers
	benchLongEvents    = 1000
	benchListPage      = 50 // the contract's default page size
	// benchBareQueue is the task queue of the intake baseline's bare workflow.
	benchBareQueue    = "casetrail-bench-bare"
	benchBareWorkflow = "CaseTrailBenchBare"
	benchNoopActivity = "CaseTrailBenchNoop"
	benchReportUnit   = "lai-chau/tan-uyen/xa-phuc-khoa"
	benchLongCaseID   = "00000000-0000-4000-8000-00000000b000"
)

// Sizes of the case phase (issue 11).
const (
	// benchCaseCommands is the size of one round: this many commands sent
	// at once to one case.
	benchCaseCommands = 50
	// benchCaseSubjects share a round's commands, 5 each: 5 reporters and 5
	// handlers of the case's unit. The per-subject rate limit (50/s, burst
	// 100) is then never what answers: even 500 commands/s stay under it.
	benchCaseSubjects = 10
	// benchCaseRoundsPerCase is how many rounds go to one case before the
	// next round reports a fresh one. 4 rounds are 200 commands, a busy
	// case's lifetime: long enough to cross the workflow's continue-as-new,
	// short enough that the case document (every comment is in it) stays
	// near what real cases hold, so the figure does not drift with the
	// phase's length.
	benchCaseRoundsPerCase = 4
)

// benchPlan is how long each measurement runs.
type benchPlan struct {
	cases        int
	appendChunks int           // alternations of baseline and casetrail
	appendChunk  time.Duration // per side and chunk
	intakeChunks int
	intakeChunk  time.Duration
	caseRounds   int           // at least this many rounds of the case phase
	casePhase    time.Duration // and more rounds until this has passed
	listRuns     int
	replayRuns   int
	profileDir   string
	keepDatabase bool
	phases       map[string]bool
	stores       map[string]bool
	storm        int // cases of the deadline storm
	// bareSpread and bareGap shape the storm's baseline (bench_storm_baseline.go):
	// the storm's own stormSpread and stormGap, shorter in the quick bench.
	bareSpread, bareGap time.Duration
}

func benchPlanFor(o benchOptions) (benchPlan, error) {
	// 10 s per side for each throughput figure, as the issue asks. Short
	// append chunks keep both sides under the same load from whatever else
	// runs on the machine; intake chunks are longer because each ends by
	// draining 20 requests in flight.
	p := benchPlan{cases: 100_000, appendChunks: 10, appendChunk: time.Second, intakeChunks: 4, intakeChunk: 2500 * time.Millisecond,
		caseRounds: 4, casePhase: 10 * time.Second,
		listRuns: 300, replayRuns: 50, profileDir: o.profileDir, keepDatabase: o.keep}
	if o.quick {
		p = benchPlan{cases: 2000, appendChunks: 2, appendChunk: 500 * time.Millisecond, intakeChunks: 2, intakeChunk: 750 * time.Millisecond,
			caseRounds: 2, listRuns: 60, replayRuns: 10, profileDir: o.profileDir, keepDatabase: o.keep}
	}
	switch {
	case o.cases < 0:
		return p, fmt.Errorf("bench: --cases must be positive, got %d", o.cases)
	case o.cases > 0:
		p.cases = o.cases
	}
	p.storm, p.bareSpread, p.bareGap = 10_000, stormSpread, stormGap
	if o.quick {
		p.storm, p.bareSpread, p.bareGap = 100, 3*time.Second, 5*time.Second
	}
	switch {
	case o.stormCases < 0:
		return p, fmt.Errorf("bench: --storm must be positive, got %d", o.stormCases)
	case o.stormCases > 0:
		p.storm = o.stormCases
	}
	var err error
	if p.phases, err = parseBenchList("phases", cmp.Or(o.phases, "all"), benchPhases); err != nil {
		return p, err
	}
	if p.stores, err = parseBenchList("stores", cmp.Or(o.stores, "all"), []string{benchStoreSQLite, benchStorePostgres}); err != nil {
		return p, err
	}
	return p, nil
}

// benchFigures are the results, printed by write as the last lines.
type benchFigures struct {
	appendCasetrail, appendBaseline float64 // appends/s, single-row INSERTs/s
	caseCommands                    float64 // acknowledged commands/s, 50 at a time on one case
	caseErrors                      int     // commands answered with an error
	caseP95                         time.Duration
	listP95                         time.Duration
	listCapped                      benchCapped // the same lists with countUpTo instead of totalCount
	cases                           int
	replay, verify                  time.Duration
	rebuildEventsPerSecond          float64
	uiWorklistP95                   time.Duration // GET /worklist, server time (bench_ui.go)
	uiCaseP95                       time.Duration // GET /cases/{id}, server time (bench_ui.go)
	uiOverviewP95                   time.Duration // GET /overview of a province, server time (bench_overview.go)

	// The Temporal side, by store of the embedded server (bench_temporal.go).
	intake map[string]intakeFigures
	storm  map[string]stormFigures
}

// write prints the figures of the phases that ran (a phase left out by
// --phases prints no line rather than zeros).
func (f benchFigures) write(w io.Writer, phases map[string]bool) {
	// Issue 19's lines come first: the figures of issues 7-16 stay the
	// last lines, in their order.
	for _, store := range []string{benchStoreSQLite, benchStorePostgres} {
		if in, ok := f.intake[store]; ok {
			fmt.Fprintf(w, "intake_%s_ratio=%.2f intake_%s_p50_ms=%.1f intake_%s_p95_ms=%.1f casetrail=%.1f/s baseline=%.1f/s%s\n",
				store, in.ratio(), store, benchMS(in.p50), store, benchMS(in.p95), in.casetrail, in.baseline, in.load)
		}
	}
	for _, store := range []string{benchStoreSQLite, benchStorePostgres} {
		if st, ok := f.storm[store]; ok {
			fmt.Fprintf(w, "deadline_storm_%s deadline_storm_n=%d lateness_p50_s=%.2f lateness_p95_s=%.2f rss_mb=%.0f reminders=%d misses=%d workflow_cache=%d sticky_cache_misses=%.0f memory_limit_mib=%d%s\n",
				store, st.n, st.latenessP50.Seconds(), st.latenessP95.Seconds(), st.rssMB, st.reminders, st.misses, st.cacheSize, st.stickyMisses, debug.SetMemoryLimit(-1)>>20, st.load)
			b := st.baseline
			fmt.Fprintf(w, "deadline_storm_%s_baseline deadline_storm_n=%d lateness_p50_s=%.2f lateness_p95_s=%.2f cpu_ms_per_firing=%.1f sticky_cache_misses=%.0f\n",
				store, b.n, b.p50.Seconds(), b.p95.Seconds(), benchMS(b.cpuPerFiring), b.stickyMisses)
		}
	}
	if phases["append"] {
		fmt.Fprintf(w, "append_ratio=%.2f casetrail=%.0f/s baseline=%.0f/s\n",
			f.appendCasetrail/f.appendBaseline, f.appendCasetrail, f.appendBaseline)
	}
	// intake_ratio is the SQLite store's, the line the README has quoted
	// since issue 7; each store's own line is above, beside its baseline.
	if in, ok := f.intake[benchStoreSQLite]; ok {
		fmt.Fprintf(w, "intake_ratio=%.2f casetrail=%.1f/s baseline=%.1f/s p50_ms=%.1f p95_ms=%.1f\n",
			in.ratio(), in.casetrail, in.baseline, benchMS(in.p50), benchMS(in.p95))
	}
	if phases["case"] {
		fmt.Fprintf(w, "case_commands_per_s=%.1f errors=%d p95_ms=%.1f\n", f.caseCommands, f.caseErrors, benchMS(f.caseP95))
	}
	if phases["list"] {
		fmt.Fprintf(w, "list_p95_ms=%.1f cases=%d\n", benchMS(f.listP95), f.cases)
		fmt.Fprintf(w, "list_capped_p95_ms=%.1f p50_ms=%.1f slowest_filter=%s\n",
			benchMS(f.listCapped.p95), benchMS(f.listCapped.p50), f.listCapped.slowest)
		fmt.Fprintf(w, "replay_1000_ms=%.1f verify_1000_ms=%.1f\n", benchMS(f.replay), benchMS(f.verify))
	}
	// The rebuild runs in every bench (it builds the read model the others read).
	fmt.Fprintf(w, "rebuild_events_per_s=%.0f\n", f.rebuildEventsPerSecond)
	if !phases["list"] {
		return
	}
	fmt.Fprintf(w, "ui_worklist_p95_ms=%.1f\n", benchMS(f.uiWorklistP95))
	fmt.Fprintf(w, "ui_case_p95_ms=%.1f\n", benchMS(f.uiCaseP95))
	fmt.Fprintf(w, "ui_overview_p95_ms=%.1f\n", benchMS(f.uiOverviewP95))
}

func benchMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// bench measures CaseTrail against its physical limits (issue 7), each
// figure beside its baseline in the same run, and prints the figures as the
// last lines of out. It works in a database of its own, created with a
// unique name on the server of cfg.DatabaseURL and dropped at the end
// (unless o.keep), and an embedded Temporal server in a temporary directory
// (TEMPORAL_ADDRESS is ignored: a cluster's own workers would take the
// bench's workflows). The seed file is not applied; the deadline policy is.
//
// Phases, in order: generate the data set (benchdata.Generate, with
// asynchronous commit: the data set is not what is measured); rebuild the
// read model (rebuild_events_per_s); cases(filter) over GraphQL (list);
// GET /worklist of the web interface as a district's handler over the same
// data (ui_worklist, bench_ui.go); CaseAsOf and Verify of a 1,000-event
// case (replay, verify); reportIncident over HTTP against a bare workflow
// (intake); rounds of 50 concurrent commands on one case over HTTP (case
// commands); then, with Temporal stopped, Store.Append against a plain
// INSERT (append). The intake and the deadline storm (issue 19,
// bench_temporal.go) run on the SQLite store, then again with the embedded
// server on PostgreSQL; --phases and --stores choose what runs, and
// --scale-out runs the scale-out check (bench_scaleout.go) instead.
func bench(ctx context.Context, cfg Config, o benchOptions, out io.Writer, logger *slog.Logger) error {
	if o.scaleOut {
		return scaleOut(ctx, cfg, o, out, logger)
	}
	plan, err := benchPlanFor(o)
	if err != nil {
		return err
	}
	quiet := slog.New(benchQuietHandler{logger.Handler()})

	name := benchDatabaseName()
	dbURL, err := benchDatabaseURL(cfg.DatabaseURL, name)
	if err != nil {
		return err
	}
	if plan.keepDatabase {
		fmt.Fprintf(out, "bench database %s (kept: --keep)\n", name)
	} else {
		defer func() {
			if err := dropBenchDatabase(context.WithoutCancel(ctx), dbURL); err != nil {
				logger.Warn("bench: drop database", "database", name, "err", err)
			}
		}()
	}
	dir, err := os.MkdirTemp("", "casetrail-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	if cfg.TemporalAddress != "" {
		fmt.Fprintln(out, "bench: TEMPORAL_ADDRESS ignored; the bench runs an embedded Temporal server")
	}
	bcfg := cfg
	bcfg.DatabaseURL = dbURL
	// The bench is the operator's tool: it generates, vacuums and rebuilds,
	// which only the owner may, so its server keeps the owner's connection
	// (the same URL for both: no login role of its own).
	bcfg.MigrateDatabaseURL = dbURL
	bcfg.DataDir = dir
	bcfg.TemporalAddress = ""
	bcfg.SeedPath = ""
	bcfg.JWTSecret = ""
	bcfg.Env = "development"

	began := time.Now()
	a, err := start(ctx, bcfg, role{api: true, worker: true}, quiet)
	if err != nil {
		return fmt.Errorf("bench: start: %w", err)
	}
	closed := false
	defer func() {
		if !closed {
			a.close()
		}
	}()
	fmt.Fprintf(out, "started (database, embedded Temporal, worker) in %s; %d CPUs%s\n",
		time.Since(began).Round(time.Millisecond), runtime.NumCPU(), benchLoadAverage())

	r := &benchRun{a: a, plan: plan, out: out, runID: name[len(name)-8:]}
	var f benchFigures
	if err := r.generate(ctx, dbURL); err != nil {
		return err
	}
	if f.rebuildEventsPerSecond, err = r.rebuild(ctx); err != nil {
		return err
	}
	stopHTTP, err := r.serveHTTP()
	if err != nil {
		return err
	}
	defer stopHTTP()
	if f.listP95, f.listCapped, f.cases, err = r.list(ctx); err != nil {
		return err
	}
	if f.uiWorklistP95, f.uiCaseP95, err = r.uiWorklist(ctx); err != nil {
		return err
	}
	if f.uiOverviewP95, err = r.uiOverview(ctx); err != nil {
		return err
	}
	if f.replay, f.verify, err = r.replayVerify(ctx); err != nil {
		return err
	}
	r.store = benchStoreSQLite
	f.intake, f.storm = map[string]intakeFigures{}, map[string]stormFigures{}
	if err := r.temporalPhases(ctx, &f, plan.stores[benchStoreSQLite]); err != nil {
		return err
	}
	if f.caseCommands, f.caseErrors, f.caseP95, err = r.caseCommands(ctx); err != nil {
		return err
	}
	stopHTTP()
	a.close()
	closed = true
	if plan.stores[benchStorePostgres] && (plan.phases["intake"] || plan.phases["storm"]) {
		// The same phases with the embedded Temporal server on PostgreSQL,
		// a database of its own on the bench database's server.
		pa, drop, err := startPostgresApp(ctx, bcfg, dir, name, quiet)
		if err != nil {
			return err
		}
		pr := &benchRun{a: pa, plan: plan, out: out, runID: r.runID + "pg", store: benchStorePostgres}
		stopPG, err := pr.serveHTTP()
		if err == nil {
			err = pr.temporalPhases(ctx, &f, true)
			stopPG()
		}
		pa.close()
		drop()
		if err != nil {
			return err
		}
	}
	if f.appendCasetrail, f.appendBaseline, err = r.appendVsInsert(ctx, dbURL); err != nil {
		return err
	}
	fmt.Fprintf(out, "bench done in %s%s\n", time.Since(began).Round(time.Second), benchLoadAverage())
	f.write(out, plan.phases)
	return nil
}

// benchRun is one run of the bench on a started app.
type benchRun struct {
	a      *app
	plan   benchPlan
	out    io.Writer
	runID  string // distinguishes this run's ids
	store  string // of the embedded Temporal server: benchStoreSQLite or benchStorePostgres
	http   *http.Client
	url    string   // of the GraphQL endpoint
	tokens sync.Map // subject -> JWT
}

// profile starts a CPU profile of phase when --profile is set and returns
// the function that stops it (once; later calls do nothing).
func (r *benchRun) profile(phase string) func() {
	if r.plan.profileDir == "" {
		return func() {}
	}
	path := filepath.Join(r.plan.profileDir, phase+".cpu.pprof")
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(r.out, "profile %s: %v\n", phase, err)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}
}

// generate writes the data set through a store of its own whose sessions
// commit asynchronously (the data set is the bench's input, not a figure).
func (r *benchRun) generate(ctx context.Context, dbURL string) error {
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	pcfg.MaxConns = 6
	pcfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("bench: connect: %w", err)
	}
	defer pool.Close()
	began := time.Now()
	if err := benchdata.Generate(ctx, eventstore.New(pool), r.plan.cases, 1); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	head, err := r.a.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(r.out, "generated %d cases (%d events) in %s\n", r.plan.cases, head, time.Since(began).Round(time.Millisecond))
	// Settle the data set before anything is timed, as a log that has been
	// in use is: vacuumed (what autovacuum does to a table that grows) and
	// checkpointed, so the rebuild does not pay for writing the generator's
	// pages out. CHECKPOINT needs a superuser or pg_checkpoint; without
	// either the bench goes on and says so.
	settled := time.Now()
	if _, err := r.a.store.Pool().Exec(ctx, `VACUUM (ANALYZE) events`); err != nil {
		return fmt.Errorf("bench: vacuum the log: %w", err)
	}
	if _, err := r.a.store.Pool().Exec(ctx, `CHECKPOINT`); err != nil {
		fmt.Fprintf(r.out, "no checkpoint before the measurements (%v): the rebuild also writes the generated pages out\n", err)
	}
	fmt.Fprintf(r.out, "settled the data set (vacuum, checkpoint) in %s\n", time.Since(settled).Round(time.Millisecond))
	// The generated units reach the authorizer, as a restart would load them.
	return r.a.loadUnits(ctx)
}

// rebuild replays the whole log into the read model and returns events/s;
// then it vacuums and analyzes, as autovacuum would on a running server.
func (r *benchRun) rebuild(ctx context.Context) (float64, error) {
	stop := r.profile("rebuild")
	began := time.Now()
	pos, err := r.a.projector.Rebuild(ctx)
	d := time.Since(began)
	stop()
	if err != nil {
		return 0, fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintf(r.out, "rebuilt the read model: %d events in %s\n", pos, d.Round(time.Millisecond))
	if _, err := r.a.store.Pool().Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return 0, fmt.Errorf("bench: vacuum: %w", err)
	}
	return float64(pos) / d.Seconds(), nil
}

// serveHTTP serves the API on a loopback port, as `serve` does.
func (r *benchRun) serveHTTP() (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: r.a.handler(role{api: true, worker: true}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	r.url = "http://" + ln.Addr().String() + "/graphql"
	r.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(2*benchIntakeClients, benchCaseCommands)}, Timeout: time.Minute}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			r.http.CloseIdleConnections()
		})
	}, nil
}

// token returns a JWT for sub, minted once per run.
func (r *benchRun) token(sub string) (string, error) {
	if t, ok := r.tokens.Load(sub); ok {
		return t.(string), nil
	}
	t, err := r.a.auth.Mint(sub, r.a.auth.MaxLifetime())
	if err != nil {
		return "", err
	}
	r.tokens.Store(sub, t)
	return t, nil
}

// gql posts a GraphQL operation as sub and decodes its data into out; any
// GraphQL error fails it.
func (r *benchRun) gql(ctx context.Context, sub, query string, vars map[string]any, out any) error {
	token, err := r.token(sub)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("HTTP %s: %w", resp.Status, err)
	}
	if len(res.Errors) > 0 {
		code, _ := res.Errors[0].Extensions["code"].(string)
		return &benchGQLError{status: resp.Status, code: code, message: res.Errors[0].Message}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return json.Unmarshal(res.Data, out)
}

// benchGQLError is a GraphQL error answered to the bench.
type benchGQLError struct {
	status, code, message string
}

func (e *benchGQLError) Error() string {
	return fmt.Sprintf("HTTP %s: %s: %s", e.status, e.code, e.message)
}

// benchListQuery is a handler's worklist: the first page with what a list
// shows of each case.
const benchListQuery = `query Worklist($filter: CaseFilter) {
  cases(filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id number title status severity reportedAt assignee unit { id name } } }
  }
}`

// benchListFilters are status + text filters, from selective to broad.
var benchListFilters = []map[string]any{
	{"status": []string{"ANALYSIS", "ACTION"}, "text": "gia mao"},
	{"status": []string{"CLOSED"}, "text": "lu quet"},
	{"status": []string{"REPORTED", "TRIAGED"}, "text": "facebook"},
	{"status": []string{"RESOLVED"}, "text": "Đoàn Kết"},
	{"status": []string{"ESCALATED"}, "text": "tân uyên"},
	{"status": []string{"CLOSED", "RESOLVED"}, "text": "chiếm quyền"},
}

// benchListViewers are the callers of the list, with their grants: the whole
// data set, one province, a district and a province.
var benchListViewers = []struct {
	sub    string
	grants []api.Grant
}{
	{"bench-auditor", []api.Grant{{Role: "AUDITOR", Unit: "lai-chau"}, {Role: "AUDITOR", Unit: "dien-bien"}}},
	{"bench-handler", []api.Grant{{Role: "HANDLER", Unit: "lai-chau"}}},
	{"bench-leader", []api.Grant{{Role: "LEADER", Unit: "lai-chau/tan-uyen"}, {Role: "LEADER", Unit: "dien-bien"}}},
}

// benchViewerClones spreads each viewer's queries over this many subjects,
// so the per-subject rate limit never answers instead of the list.
const benchViewerClones = 8

// list times cases(filter) through the API (HTTP, JWT, Casbin, GraphQL,
// read model) with the exact totalCount and, request by request in
// between, with countUpTo (what the web worklist asks), so both see the
// same load; and, for comparison, readmodel.Reader.ListCaseHeads alone with
// the same filters and visible units. It returns the API's p95 with the
// exact count, the figures with countUpTo and the number of cases in the
// read model.
func (r *benchRun) list(ctx context.Context) (time.Duration, benchCapped, int, error) {
	if !r.plan.phases["list"] {
		return 0, benchCapped{}, 0, nil
	}
	for _, v := range benchListViewers {
		for k := range benchViewerClones {
			for _, g := range v.grants {
				g.Subject = fmt.Sprintf("%s-%d", v.sub, k)
				if err := r.a.authz.Grant(ctx, g); err != nil {
					return 0, benchCapped{}, 0, fmt.Errorf("bench: %w", err)
				}
			}
		}
	}
	var page struct {
		Cases struct {
			TotalCount int `json:"totalCount"`
			CountUpTo  struct {
				Count int `json:"count"`
			} `json:"countUpTo"`
		} `json:"cases"`
	}
	query := func(doc string) func(i int) (int, error) {
		return func(i int) (int, error) {
			v := benchListViewers[i%len(benchListViewers)]
			sub := fmt.Sprintf("%s-%d", v.sub, (i/len(benchListViewers))%benchViewerClones)
			page.Cases.TotalCount, page.Cases.CountUpTo.Count = 0, 0
			err := r.gql(ctx, sub, doc, map[string]any{"filter": benchListFilters[i%len(benchListFilters)]}, &page)
			return page.Cases.TotalCount + page.Cases.CountUpTo.Count, err
		}
	}
	times, err := r.timeLists("list", query(benchListQuery), query(benchCappedListQuery))
	if err != nil {
		return 0, benchCapped{}, 0, err
	}
	exact, capped := times[0], times[1]

	// The same lists straight from the reader, heads as the API reads them
	// for this query (schema/list_heads.go): what the API adds is the rest.
	reader := readmodel.NewReader(r.a.store.Pool())
	direct := make([]time.Duration, 0, r.plan.listRuns)
	for i := range r.plan.listRuns {
		v := benchListViewers[i%len(benchListViewers)]
		visible := r.a.authz.VisibleUnits(fmt.Sprintf("%s-0", v.sub), incident.ActionReadCase)
		fm := benchListFilters[i%len(benchListFilters)]
		f := readmodel.Filter{Text: fm["text"].(string)}
		for _, s := range fm["status"].([]string) {
			f.Status = append(f.Status, incident.Status(s))
		}
		t := time.Now()
		if _, err := reader.ListCaseHeads(ctx, f, visible, benchListPage, ""); err != nil {
			return 0, benchCapped{}, 0, fmt.Errorf("bench: list: %w", err)
		}
		direct = append(direct, time.Since(t))
	}
	var cases int
	if err := r.a.store.Pool().QueryRow(ctx, `SELECT count(*) FROM cases`).Scan(&cases); err != nil {
		return 0, benchCapped{}, 0, fmt.Errorf("bench: %w", err)
	}
	for k, f := range benchListFilters {
		fmt.Fprintf(r.out, "list: filter %v (up to %d matches): p50 %.1f ms, p95 %.1f ms; with countUpTo p50 %.1f ms, p95 %.1f ms\n",
			f, exact.matchesOf[k], benchMS(benchQuantile(exact.perFilter[k], 0.5)), benchMS(benchQuantile(exact.perFilter[k], 0.95)),
			benchMS(benchQuantile(capped.perFilter[k], 0.5)), benchMS(benchQuantile(capped.perFilter[k], 0.95)))
	}
	fmt.Fprintf(r.out, "list: %d cases(filter) over GraphQL, %.0f matches each on average: p50 %.1f ms, p95 %.1f ms (Reader.ListCaseHeads alone, what the API reads: p50 %.1f ms, p95 %.1f ms)\n",
		len(exact.all), float64(exact.matches)/float64(len(exact.all)), benchMS(benchQuantile(exact.all, 0.5)), benchMS(benchQuantile(exact.all, 0.95)),
		benchMS(benchQuantile(direct, 0.5)), benchMS(benchQuantile(direct, 0.95)))
	slowest := exact.slowest()
	fmt.Fprintf(r.out, "list: slowest filter %v (up to %d matches): p95 %.1f ms\n",
		benchListFilters[slowest], exact.matchesOf[slowest], benchMS(benchQuantile(exact.perFilter[slowest], 0.95)))
	f := benchListFilters[capped.slowest()]
	return benchQuantile(exact.all, 0.95), benchCapped{p95: benchQuantile(capped.all, 0.95), p50: benchQuantile(capped.all, 0.5),
		slowest: strings.Join(f["status"].([]string), ",") + "/" + strings.ReplaceAll(f["text"].(string), " ", "+")}, cases, nil
}

// benchCappedListQuery is benchListQuery counting the matches up to 1,000
// (countUpTo, what the web worklist asks) instead of all of them.
var benchCappedListQuery = strings.Replace(benchListQuery, "totalCount", "countUpTo { count more }", 1)

// benchCapped are the figures of the lists with countUpTo (issue 19).
type benchCapped struct {
	p95, p50 time.Duration
	slowest  string // the filter with the highest p95, as status,status/word+word
}

// benchListTimes are the latencies of one kind of list, overall and by
// filter (benchListFilters), and the matches its answers counted.
type benchListTimes struct {
	all       []time.Duration
	perFilter [][]time.Duration
	matchesOf []int // by filter, the most matches one answer counted
	matches   int   // matches counted by all answers
}

// slowest is the filter with the highest p95.
func (t benchListTimes) slowest() int {
	k := 0
	for i := range t.perFilter {
		if benchQuantile(t.perFilter[i], 0.95) > benchQuantile(t.perFilter[k], 0.95) {
			k = i
		}
	}
	return k
}

// timeLists runs each query once for every filter and viewer (warm-up:
// plans, caches, connections), then plan.listRuns times, the queries taking
// turns request by request; query(i) asks list i (its viewer and filter
// follow from i) and returns the matches the answer counted. Each query's
// answers must count some match, or its measurement would be empty.
func (r *benchRun) timeLists(name string, queries ...func(i int) (int, error)) ([]benchListTimes, error) {
	for i := range len(benchListFilters) * len(benchListViewers) {
		for _, q := range queries {
			if _, err := q(i); err != nil {
				return nil, fmt.Errorf("bench: %s: %w", name, err)
			}
		}
	}
	stop := r.profile(name)
	defer stop()
	times := make([]benchListTimes, len(queries))
	for k := range times {
		times[k] = benchListTimes{perFilter: make([][]time.Duration, len(benchListFilters)), matchesOf: make([]int, len(benchListFilters))}
	}
	for i := range r.plan.listRuns {
		f := i % len(benchListFilters)
		for k, q := range queries {
			began := time.Now()
			n, err := q(i)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", name, err)
			}
			d := time.Since(began)
			t := &times[k]
			t.all, t.perFilter[f] = append(t.all, d), append(t.perFilter[f], d)
			t.matchesOf[f], t.matches = max(t.matchesOf[f], n), t.matches+n
		}
	}
	for _, t := range times {
		if t.matches == 0 {
			return nil, fmt.Errorf("bench: %s: no filter matched any case; the measurement would be empty", name)
		}
	}
	return times, nil
}

// replayVerify appends a 1,000-event case and returns the median of
// readmodel.Reader.CaseAsOf (the full fold of its stream) and of Store.Verify.
func (r *benchRun) replayVerify(ctx context.Context) (replay, verify time.Duration, err error) {
	if !r.plan.phases["list"] {
		return 0, 0, nil
	}
	if err := benchdata.LongCase(ctx, r.a.store, benchLongCaseID, benchLongEvents); err != nil {
		return 0, 0, fmt.Errorf("bench: %w", err)
	}
	stream := incident.StreamOf(benchLongCaseID)
	stop := r.profile("replay")
	defer stop()
	reader := readmodel.NewReader(r.a.store.Pool())
	var folds, checks []time.Duration
	for i := range r.plan.replayRuns + 1 { // the first run warms up
		t := time.Now()
		c, err := reader.CaseAsOf(ctx, benchLongCaseID, nil, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: %w", err)
		}
		d := time.Since(t)
		if c.Version < benchLongEvents {
			return 0, 0, fmt.Errorf("bench: the long case has %d events, want %d", c.Version, benchLongEvents)
		}
		t = time.Now()
		rep, err := r.a.store.Verify(ctx, stream)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: %w", err)
		}
		v := time.Since(t)
		if !rep.OK || rep.EventsChecked < benchLongEvents {
			return 0, 0, fmt.Errorf("bench: verify of the long case: %+v", rep)
		}
		if i > 0 {
			folds, checks = append(folds, d), append(checks, v)
		}
	}
	return benchQuantile(folds, 0.5), benchQuantile(checks, 0.5), nil
}

// benchReportMutation is the intake: a new report, as a reporter sends it.
const benchReportMutation = `mutation Report($input: ReportIncidentInput!) {
  reportIncident(input: $input) { merged case { id number status version } }
}`

// benchBare is the intake baseline: a workflow that runs one no-op activity.
func benchBare(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	return workflow.ExecuteActivity(ctx, benchNoopActivity).Get(ctx, nil)
}

func benchNoop(context.Context) error { return nil }

// intake runs 20 concurrent reporters calling reportIncident over HTTP (JWT,
// Casbin, the case workflow, its events, the read model) against 20 clients
// that start the bare workflow on the same Temporal server and worker
// process and await its result, in alternating chunks. It returns both
// rates and the reports' p50 and p95 latency.
func (r *benchRun) intake(ctx context.Context) (casetrail, baseline float64, p50, p95 time.Duration, err error) {
	a := r.a
	// The live projection, as `serve` runs it: reports wait for it.
	stopProjection, err := r.project(ctx)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer func() {
		if perr := stopProjection(); perr != nil && err == nil {
			err = perr
		}
	}()

	w := sdkworker.New(a.temporal, benchBareQueue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(benchBare, workflow.RegisterOptions{Name: benchBareWorkflow})
	w.RegisterActivityWithOptions(benchNoop, activity.RegisterOptions{Name: benchNoopActivity})
	if err := w.Start(); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bench: bare worker: %w", err)
	}
	defer w.Stop()

	for c := range benchIntakeClients {
		g := api.Grant{Subject: r.reporter(c), Role: "REPORTER", Unit: benchReportUnit}
		if err := a.authz.Grant(ctx, g); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("bench: %w", err)
		}
	}
	var seq atomic.Int64
	bare := func(ctx context.Context, _ int) error {
		run, err := a.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        fmt.Sprintf("bench-bare-%s-%d", r.runID, seq.Add(1)),
			TaskQueue: benchBareQueue,
		}, benchBareWorkflow)
		if err != nil {
			return err
		}
		return run.Get(ctx, nil)
	}
	report := func(ctx context.Context, c int) error {
		n := seq.Add(1)
		_, err := r.report(ctx, r.reporter(c), fmt.Sprintf("bench-%s-%d", r.runID, n),
			fmt.Sprintf("Trang Facebook giả mạo UBND xã Phúc Khoa (%d)", n),
			"Trang giả mạo đăng thông báo thu tiền hỗ trợ; người dân phản ánh qua đường dây nóng.",
			map[string]any{"platform": "FACEBOOK", "url": fmt.Sprintf("https://www.facebook.com/bench.%s.%d", r.runID, n), "displayName": "UBND xã Phúc Khoa"})
		return err
	}
	// Warm up: task queues, pollers, connections, plans.
	for _, op := range []func(context.Context, int) error{bare, report} {
		if _, err := benchLoad(ctx, benchIntakeClients, 0, op); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("bench: intake warm-up: %w", err)
		}
	}
	stop := r.profile("intake-" + r.store)
	defer stop()
	var base, cand benchLoadResult
	for range r.plan.intakeChunks {
		b, err := benchLoad(ctx, benchIntakeClients, r.plan.intakeChunk, bare)
		if err != nil {
			return 0, 0, 0, 0, fmt.Errorf("bench: intake baseline: %w", err)
		}
		c, err := benchLoad(ctx, benchIntakeClients, r.plan.intakeChunk, report)
		if err != nil {
			return 0, 0, 0, 0, fmt.Errorf("bench: intake: %w", err)
		}
		base.add(b)
		cand.add(c)
	}
	stop()
	fmt.Fprintf(r.out, "intake (%s): %d reports in %s, p50 %.1f ms, p95 %.1f ms; baseline: %d bare workflows in %s, p50 %.1f ms, p95 %.1f ms\n",
		r.store, len(cand.latencies), cand.elapsed.Round(time.Millisecond), benchMS(benchQuantile(cand.latencies, 0.5)), benchMS(benchQuantile(cand.latencies, 0.95)),
		len(base.latencies), base.elapsed.Round(time.Millisecond), benchMS(benchQuantile(base.latencies, 0.5)), benchMS(benchQuantile(base.latencies, 0.95)))
	// The same calls one at a time: the latency of the path itself, without
	// queueing behind 19 other clients.
	b1, err := benchLoad(ctx, 1, r.plan.intakeChunk, bare)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bench: intake baseline: %w", err)
	}
	c1, err := benchLoad(ctx, 1, r.plan.intakeChunk, report)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("bench: intake: %w", err)
	}
	fmt.Fprintf(r.out, "intake (%s) with 1 client: %d reports, p50 %.1f ms; baseline: %d bare workflows, p50 %.1f ms\n",
		r.store, len(c1.latencies), benchMS(benchQuantile(c1.latencies, 0.5)), len(b1.latencies), benchMS(benchQuantile(b1.latencies, 0.5)))
	return cand.rate(), base.rate(), benchQuantile(cand.latencies, 0.5), benchQuantile(cand.latencies, 0.95), nil
}

// project runs the live projection, as `serve` does (reports and commands
// wait for it), until stop is called; stop returns the projector's failure,
// if any.
func (r *benchRun) project(ctx context.Context) (stop func() error, err error) {
	if _, err := r.a.projector.CatchUp(ctx); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.a.projector.Run(runCtx) }()
	var (
		once    sync.Once
		stopErr error
	)
	return func() error {
		once.Do(func() {
			cancel()
			if perr := <-done; perr != nil && !errors.Is(perr, context.Canceled) {
				stopErr = fmt.Errorf("bench: projector: %w", perr)
			}
		})
		return stopErr
	}, nil
}

// benchCommentMutation and benchAssignMutation are the commands of the case
// phase, as a handler's client sends them: no expectedVersion.
const (
	benchCommentMutation = `mutation Comment($id: ID!, $text: String!) {
  addComment(id: $id, text: $text) { id version }
}`
	benchAssignMutation = `mutation Assign($id: ID!, $assignee: String!) {
  assignCase(id: $id, assignee: $assignee) { id version }
}`
)

// caseCommands is issue 11's load on one case: rounds of 50 commands sent at
// once to the same case over HTTP (JWT, Casbin, GraphQL, the case
// workflow's update, the append, the wait for the read model), each round
// awaited in full before the next. Of every 5 commands 4 are addComment
// (reporters and handlers of the case's unit) and 1 is assignCase (a
// handler); none sends expectedVersion, so every one should succeed. An
// answer with a GraphQL error or an HTTP failure is counted, not fatal. It
// returns acknowledged commands per second of the rounds' wall time, the
// number of errors and the p95 latency of the acknowledged commands.
//
// A fresh case is reported every benchCaseRoundsPerCase rounds (see there),
// outside the timed rounds. After the rounds the case streams are counted:
// a command stored twice, or stored although its answer was an error, shows
// as a difference between events stored and commands acknowledged.
func (r *benchRun) caseCommands(ctx context.Context) (perSecond float64, errs int, p95 time.Duration, err error) {
	if !r.plan.phases["case"] {
		return 0, 0, 0, nil
	}
	a := r.a
	stopProjection, err := r.project(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer func() {
		if perr := stopProjection(); perr != nil && err == nil {
			err = perr
		}
	}()
	reporter := func(k int) string { return fmt.Sprintf("bench-case-reporter-%s-%d", r.runID, k) }
	handler := func(k int) string { return fmt.Sprintf("bench-case-handler-%s-%d", r.runID, k) }
	for k := range benchCaseSubjects / 2 {
		for _, g := range []api.Grant{
			{Subject: reporter(k), Role: "REPORTER", Unit: benchReportUnit},
			{Subject: handler(k), Role: "HANDLER", Unit: benchReportUnit},
		} {
			if err := a.authz.Grant(ctx, g); err != nil {
				return 0, 0, 0, fmt.Errorf("bench: %w", err)
			}
		}
	}
	var cases []string
	openCase := func() (string, error) {
		n := len(cases) + 1
		id, err := r.report(ctx, reporter(0), fmt.Sprintf("bench-case-%s-%d", r.runID, n),
			fmt.Sprintf("Tài khoản Zalo giả mạo cán bộ xã Phúc Khoa (%d)", n),
			"Tài khoản giả danh cán bộ xã nhắn tin đề nghị chuyển tiền làm hồ sơ đất đai.",
			map[string]any{"platform": "ZALO", "url": fmt.Sprintf("https://zalo.me/bench.case.%s.%d", r.runID, n), "displayName": "Cán bộ xã Phúc Khoa"})
		if err != nil {
			return "", fmt.Errorf("bench: case commands: %w", err)
		}
		cases = append(cases, id)
		return id, nil
	}
	var seq atomic.Int64
	// command sends command i of a round (0..49) to case id: subject i%10
	// is reporter 0-4 or handler 0-4 (5 commands each per round); handlers
	// 3 and 4 assign the case (10 per round), the others comment.
	command := func(ctx context.Context, id string, i int) error {
		n := seq.Add(1)
		s := i % benchCaseSubjects
		h := benchCaseSubjects / 2
		switch {
		case s >= h+3:
			return r.gql(ctx, handler(s-h), benchAssignMutation,
				map[string]any{"id": id, "assignee": handler(int(n) % h)}, &struct{}{})
		case s >= h:
			return r.gql(ctx, handler(s-h), benchCommentMutation, benchComment(id, n), &struct{}{})
		default:
			return r.gql(ctx, reporter(s), benchCommentMutation, benchComment(id, n), &struct{}{})
		}
	}
	id, err := openCase()
	if err != nil {
		return 0, 0, 0, err
	}
	// Warm up: one command of each kind, alone (plans, the case's worker
	// cache). They count toward the stored events below.
	acked := 0
	for _, i := range []int{0, benchCaseSubjects - 1} {
		if err := command(ctx, id, i); err != nil {
			return 0, 0, 0, fmt.Errorf("bench: case commands warm-up: %w", err)
		}
		acked++
	}

	stop := r.profile("case")
	defer stop()
	var (
		lat     []time.Duration
		elapsed time.Duration
		byCode  = map[string]int{}
		example = map[string]string{}
		rounds  int
	)
	began := time.Now()
	for rounds < r.plan.caseRounds || time.Since(began) < r.plan.casePhase {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		if rounds > 0 && rounds%benchCaseRoundsPerCase == 0 {
			if id, err = openCase(); err != nil {
				return 0, 0, 0, err
			}
		}
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		t0 := time.Now()
		for i := range benchCaseCommands {
			wg.Go(func() {
				t := time.Now()
				err := command(ctx, id, i)
				d := time.Since(t)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					lat = append(lat, d)
					acked++
					return
				}
				errs++
				code := "HTTP" // no GraphQL answer: transport, status, body
				if ge, ok := errors.AsType[*benchGQLError](err); ok {
					code = cmp.Or(ge.code, "no code")
				}
				byCode[code]++
				if _, ok := example[code]; !ok {
					example[code] = err.Error()
				}
			})
		}
		wg.Wait()
		elapsed += time.Since(t0)
		rounds++
	}
	stop()

	// What the case streams hold: one event per acknowledged command is the
	// promise (issue 11); the report's own events are not commands.
	var stored int
	if err := a.store.Pool().QueryRow(ctx, `SELECT count(*) FROM events WHERE stream = ANY($1) AND type IN ($2, $3)`,
		benchStreams(cases), incident.TypeCommentAdded, incident.TypeCaseAssigned).Scan(&stored); err != nil {
		return 0, 0, 0, fmt.Errorf("bench: case commands: count events: %w", err)
	}
	fmt.Fprintf(r.out, "case commands: %d rounds of %d concurrent commands (%d cases) in %s: %d acknowledged, %d errors, p50 %.1f ms, p95 %.1f ms, max %.1f ms; %d command events stored for %d acknowledged\n",
		rounds, benchCaseCommands, len(cases), elapsed.Round(time.Millisecond), len(lat), errs,
		benchMS(benchQuantile(lat, 0.5)), benchMS(benchQuantile(lat, 0.95)), benchMS(benchQuantile(lat, 1)), stored, acked)
	for _, code := range slices.Sorted(maps.Keys(byCode)) {
		fmt.Fprintf(r.out, "case commands: %d answered %s, e.g. %s\n", byCode[code], code, example[code])
	}
	if elapsed <= 0 {
		return 0, errs, 0, nil
	}
	return float64(len(lat)) / elapsed.Seconds(), errs, benchQuantile(lat, 0.95), nil
}

// report sends reportIncident of an IMPERSONATION in the bench's unit as sub
// and returns the new case's id; a merge or a case not REPORTED is an error.
func (r *benchRun) report(ctx context.Context, sub, key, title, description string, subject map[string]any) (string, error) {
	input := map[string]any{
		"clientRequestId": key, "kind": "IMPERSONATION", "unit": benchReportUnit,
		"title": title, "description": description, "subjects": []map[string]any{subject},
	}
	var res struct {
		ReportIncident struct {
			Merged bool `json:"merged"`
			Case   struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"case"`
		} `json:"reportIncident"`
	}
	if err := r.gql(ctx, sub, benchReportMutation, map[string]any{"input": input}, &res); err != nil {
		return "", fmt.Errorf("reportIncident: %w", err)
	}
	if res.ReportIncident.Merged || res.ReportIncident.Case.Status != "REPORTED" || res.ReportIncident.Case.ID == "" {
		return "", fmt.Errorf("reportIncident opened no new case: %+v", res.ReportIncident)
	}
	return res.ReportIncident.Case.ID, nil
}

// benchComment is the variables of the n-th comment on case id.
func benchComment(id string, n int64) map[string]any {
	return map[string]any{"id": id, "text": fmt.Sprintf("Ghi chú %d: đã liên hệ người dân phản ánh, chờ xác minh.", n)}
}

// benchStreams are the streams of case ids.
func benchStreams(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = incident.StreamOf(id)
	}
	return out
}

// appendVsInsert is BenchmarkAppendVsInsert of the eventstore package as a
// timed run: 8 writers on distinct streams, single-event Store.Append
// against a single-row INSERT of the same payload into a bare table, in
// alternating chunks so both sides see the same machine.
func (r *benchRun) appendVsInsert(ctx context.Context, dbURL string) (casetrail, baseline float64, err error) {
	if !r.plan.phases["append"] {
		return 0, 0, nil
	}
	pcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: %w", err)
	}
	pcfg.MaxConns = benchAppendWriters + 2 // every writer has a connection, and the store its sequencer
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: connect: %w", err)
	}
	defer pool.Close()
	store := eventstore.New(pool)
	if _, err := pool.Exec(ctx, `CREATE TABLE bench_plain (id uuid, stream text, version bigint, type text,
data jsonb, metadata jsonb, occurred_at timestamptz, recorded_at timestamptz)`); err != nil {
		return 0, 0, fmt.Errorf("bench: %w", err)
	}
	meta := eventstore.Metadata{Actor: "handler1", CorrelationID: "01JZ8Q7S6V1T3X9K2M4N5P6R7S"}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return 0, 0, err
	}
	var versions [benchAppendWriters]int64
	appendOne := func(ctx context.Context, w int) error {
		recs, err := store.Append(ctx, fmt.Sprintf("bench-append-%s-%d", r.runID, w), versions[w],
			eventstore.EventData{ID: uuid.NewString(), Type: "CaseReported", Data: benchPayload, Metadata: meta})
		if err != nil {
			return err
		}
		versions[w] = recs[0].Version
		return nil
	}
	insertOne := func(ctx context.Context, w int) error {
		now := time.Now()
		_, err := pool.Exec(ctx, `INSERT INTO bench_plain (id, stream, version, type, data, metadata, occurred_at, recorded_at)
VALUES ($1, $2, $3, 'CaseReported', $4::jsonb, $5::jsonb, $6, $6)`,
			uuid.NewString(), fmt.Sprintf("plain-%d", w), versions[w]+1, string(benchPayload), string(metaJSON), now)
		return err
	}
	for range 5 { // warm up: connections, prepared statements, caches
		if _, err := benchLoad(ctx, benchAppendWriters, 0, insertOne); err != nil {
			return 0, 0, fmt.Errorf("bench: append warm-up: %w", err)
		}
		if _, err := benchLoad(ctx, benchAppendWriters, 0, appendOne); err != nil {
			return 0, 0, fmt.Errorf("bench: append warm-up: %w", err)
		}
	}
	stop := r.profile("append")
	defer stop()
	var base, cand benchLoadResult
	for range r.plan.appendChunks {
		b, err := benchLoad(ctx, benchAppendWriters, r.plan.appendChunk, insertOne)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: plain insert: %w", err)
		}
		c, err := benchLoad(ctx, benchAppendWriters, r.plan.appendChunk, appendOne)
		if err != nil {
			return 0, 0, fmt.Errorf("bench: append: %w", err)
		}
		base.add(b)
		cand.add(c)
	}
	fmt.Fprintf(r.out, "append: %d appends in %s (p50 %.2f ms); baseline: %d INSERTs in %s (p50 %.2f ms)\n",
		len(cand.latencies), cand.elapsed.Round(time.Millisecond), benchMS(benchQuantile(cand.latencies, 0.5)),
		len(base.latencies), base.elapsed.Round(time.Millisecond), benchMS(benchQuantile(base.latencies, 0.5)))
	return cand.rate(), base.rate(), nil
}

// benchPayload is a representative CaseReported payload (about 420 bytes),
// the one of the eventstore package's benchmarks.
var benchPayload = json.RawMessage(`{"title":"Trang Facebook giả mạo UBND xã Phúc Khoa","kind":"IMPERSONATION","severity":"HIGH",` +
	`"unit":"lai-chau/tan-uyen/xa-phuc-khoa","subjects":["https://www.facebook.com/ubnd.phuckhoa.fake"],` +
	`"description":"Một trang giả mạo UBND xã đăng thông tin sai lệch về việc thu hồi đất và kêu gọi người dân chuyển tiền.",` +
	`"reportedBy":"reporter1"}`)

// benchLoadResult is what concurrent callers did in some wall time.
type benchLoadResult struct {
	latencies []time.Duration // one per completed call
	elapsed   time.Duration
}

func (l *benchLoadResult) add(o benchLoadResult) {
	l.latencies = append(l.latencies, o.latencies...)
	l.elapsed += o.elapsed
}

// rate is completed calls per second of wall time.
func (l benchLoadResult) rate() float64 {
	if l.elapsed <= 0 {
		return 0
	}
	return float64(len(l.latencies)) / l.elapsed.Seconds()
}

// benchLoad runs op on n goroutines (op's second argument is the
// goroutine's index), each calling it again until d has passed (at least
// once), and measures until the last call returns. The first error stops
// every goroutine and is returned.
func benchLoad(ctx context.Context, n int, d time.Duration, op func(ctx context.Context, w int) error) (benchLoadResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		all      []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	began := time.Now()
	deadline := began.Add(d)
	for w := range n {
		wg.Go(func() {
			var mine []time.Duration
			for {
				t := time.Now()
				if err := op(ctx, w); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				now := time.Now()
				mine = append(mine, now.Sub(t))
				if !now.Before(deadline) || ctx.Err() != nil {
					break
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return benchLoadResult{}, firstErr
	}
	return benchLoadResult{latencies: all, elapsed: time.Since(began)}, ctx.Err()
}

// benchQuantile returns the q-quantile (0..1) of ds, nearest rank; 0 when empty.
func benchQuantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// benchLoadAverage describes the machine's load (Linux), so that figures
// taken while other work ran are read as such; "" where unknown.
func benchLoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return fmt.Sprintf(", load average %s %s %s", f[0], f[1], f[2])
	}
	return ""
}

// benchDatabaseName is a fresh, unique database name.
func benchDatabaseName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "casetrail_bench_" + time.Now().UTC().Format("20060102_150405") + "_" + hex.EncodeToString(b)
}

// benchDatabaseURL is base (a URL or a key=value string) with its database
// replaced by name.
func benchDatabaseURL(base, name string) (string, error) {
	var out string
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("bench: DATABASE_URL: %w", err)
		}
		u.Path, u.RawPath = "/"+name, ""
		out = u.String()
	} else {
		out = strings.TrimSpace(base) + " dbname=" + name
	}
	cfg, err := pgx.ParseConfig(out)
	if err != nil {
		return "", fmt.Errorf("bench: DATABASE_URL: %w", err)
	}
	if cfg.Database != name {
		return "", fmt.Errorf("bench: DATABASE_URL: could not point it at database %s", name)
	}
	return out, nil
}

// dropBenchDatabase drops the database of dbURL, connecting to the
// "postgres" database of the same server.
func dropBenchDatabase(ctx context.Context, dbURL string) error {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// benchQuietHandler passes on warnings and errors only: the bench's own
// output is the report, not a log line per request.
type benchQuietHandler struct{ slog.Handler }

// Enabled reports whether level is at least WARN and the wrapped handler
// takes it.
func (h benchQuietHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && h.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the filter on the derived handler.
func (h benchQuietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return benchQuietHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the filter on the derived handler.
func (h benchQuietHandler) WithGroup(name string) slog.Handler {
	return benchQuietHandler{h.Handler.WithGroup(name)}
}
