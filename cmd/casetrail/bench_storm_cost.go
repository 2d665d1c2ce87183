package main

// What one deadline firing of the storm costs, in counts that do not depend
// on the machine's load (issue 19): workflow tasks, activities and history
// events per firing (read from a sample of the storm's case histories),
// PostgreSQL transactions and written rows per firing (pg_stat_database of
// the Temporal store's databases and of the event store's), and this
// process's CPU time per firing (the Temporal server, the worker and the
// projector all run in it).

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"casetrail/worker"
	"casetrail/workflows"
)

// stormCost is what the storm's clock firings cost, per firing.
type stormCost struct {
	firings int // clock appends recorded (a firing that stores nothing is not one)

	// From benchStormSample case histories, counted from their first
	// TimerFired on, per TimerFired.
	sampled                   int
	workflowTasks, activities float64
	localActivities           float64 // LocalActivity markers: the store's writes in the task
	historyEvents             float64
	activitiesByType          map[string]float64
	temporalXacts, storeXacts float64 // committed transactions
	temporalRows, storeRows   float64 // rows inserted, updated or deleted
	cpu                       time.Duration
	temporalDBs               []string
	storeDB                   string
	temporalStatsUnavailable  bool
	// temporalTables: rows written per firing by table of the Temporal
	// store (pg_stat_user_tables), the largest first.
	temporalTables []tableRows
}

// tableRows is the rows written to one table.
type tableRows struct {
	table string
	rows  float64
}

// benchStormSample is how many of the storm's cases have their history read.
const benchStormSample = 40

// dbCounters are one database's cumulative counters.
type dbCounters struct{ xacts, rows float64 }

// processCPU is this process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// databaseName is the database a PostgreSQL URL names ("" when it cannot tell).
func databaseName(dbURL string) string {
	if u, err := url.Parse(dbURL); err == nil && u.Scheme != "" {
		return strings.TrimPrefix(u.Path, "/")
	}
	for _, f := range strings.Fields(dbURL) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			return v
		}
	}
	return ""
}

// stormDatabases names the event store's database and, on PostgreSQL, the
// Temporal store's two.
func (r *benchRun) stormDatabases() (store string, temporal []string) {
	store = databaseName(r.a.cfg.DatabaseURL)
	if t := r.a.cfg.TemporalDatabaseURL; t != "" {
		temporal = append(temporal, databaseName(t))
		if vis, err := worker.VisibilityDatabaseURL(t); err == nil {
			temporal = append(temporal, databaseName(vis))
		}
	}
	return store, temporal
}

// databaseCounters reads pg_stat_database for names. The statistics are
// flushed by each backend at most once a second when it goes idle, so
// readings are taken a few seconds apart from the work they count.
func databaseCounters(ctx context.Context, pool *pgxpool.Pool, names []string) (map[string]dbCounters, error) {
	rows, err := pool.Query(ctx, `SELECT datname, xact_commit, tup_inserted + tup_updated + tup_deleted
FROM pg_stat_database WHERE datname = ANY($1)`, names)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]dbCounters{}
	for rows.Next() {
		var name string
		var x, t int64
		if err := rows.Scan(&name, &x, &t); err != nil {
			return nil, err
		}
		out[name] = dbCounters{xacts: float64(x), rows: float64(t)}
	}
	return out, rows.Err()
}

// stormCostMeter takes the readings before the firings and after them.
type stormCostMeter struct {
	r        *benchRun
	store    string
	temporal []string
	before   map[string]dbCounters
	tables   map[string]float64 // rows written by table of the Temporal store
	cpu0     time.Duration
	err      error
}

func (r *benchRun) startStormCost(ctx context.Context) *stormCostMeter {
	m := &stormCostMeter{r: r}
	m.store, m.temporal = r.stormDatabases()
	m.before, m.err = databaseCounters(ctx, r.a.store.Pool(), append([]string{m.store}, m.temporal...))
	m.tables = temporalTableCounters(ctx, r.a.cfg.TemporalDatabaseURL)
	m.cpu0 = processCPU()
	return m
}

// finish takes the readings after the firings (the caller waited a few
// seconds for the statistics) and samples the histories of ids.
func (m *stormCostMeter) finish(ctx context.Context, ids, streams []string) (stormCost, error) {
	c := stormCost{cpu: processCPU() - m.cpu0, storeDB: m.store, temporalDBs: m.temporal, activitiesByType: map[string]float64{}}
	pool := m.r.a.store.Pool()
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT (stream, metadata->>'correlationId')) FROM events
WHERE stream = ANY($1) AND metadata->>'correlationId' LIKE 'clock:%'`, streams).Scan(&c.firings); err != nil {
		return c, fmt.Errorf("bench: storm cost: %w", err)
	}
	if m.err == nil {
		after, err := databaseCounters(ctx, pool, append([]string{m.store}, m.temporal...))
		if err != nil {
			return c, fmt.Errorf("bench: storm cost: %w", err)
		}
		c.storeXacts = after[m.store].xacts - m.before[m.store].xacts
		c.storeRows = after[m.store].rows - m.before[m.store].rows
		for _, t := range m.temporal {
			c.temporalXacts += after[t].xacts - m.before[t].xacts
			c.temporalRows += after[t].rows - m.before[t].rows
		}
		for t, n := range temporalTableCounters(ctx, m.r.a.cfg.TemporalDatabaseURL) {
			if d := n - m.tables[t]; d > 0 && c.firings > 0 {
				c.temporalTables = append(c.temporalTables, tableRows{t, d / float64(c.firings)})
			}
		}
		slices.SortFunc(c.temporalTables, func(a, b tableRows) int { return cmp.Compare(b.rows, a.rows) })
	} else {
		c.temporalStatsUnavailable = true
	}
	var timers float64
	step := max(1, len(ids)/benchStormSample)
	for i := 0; i < len(ids) && c.sampled < benchStormSample; i += step {
		h, err := stormHistoryCounts(ctx, m.r.a.temporal, workflows.WorkflowID(ids[i]))
		if err != nil {
			return c, fmt.Errorf("bench: storm cost: %w", err)
		}
		c.sampled++
		timers += h.timers
		c.workflowTasks += h.workflowTasks
		c.activities += h.activities
		c.localActivities += h.localActivities
		c.historyEvents += h.events
		for k, v := range h.byType {
			c.activitiesByType[k] += v
		}
	}
	if timers > 0 {
		c.workflowTasks /= timers
		c.activities /= timers
		c.localActivities /= timers
		c.historyEvents /= timers
		for k := range c.activitiesByType {
			c.activitiesByType[k] /= timers
		}
	}
	return c, nil
}

// historyCounts are the counts of one history from its first TimerFired on.
type historyCounts struct {
	timers, workflowTasks, activities, events float64
	localActivities                           float64
	byType                                    map[string]float64
}

func stormHistoryCounts(ctx context.Context, c client.Client, workflowID string) (historyCounts, error) {
	h := historyCounts{byType: map[string]float64{}}
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	fired := false
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return h, err
		}
		t := e.GetEventType()
		if t == enumspb.EVENT_TYPE_TIMER_FIRED {
			fired = true
			h.timers++
		}
		if !fired {
			continue
		}
		h.events++
		switch t {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			h.workflowTasks++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			h.activities++
			h.byType[e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()]++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if e.GetMarkerRecordedEventAttributes().GetMarkerName() == "LocalActivity" {
				h.localActivities++
			}
		}
	}
	return h, nil
}

// write prints the costs as the storm's log line.
func (c stormCost) write(w io.Writer, store string) {
	if c.firings == 0 {
		fmt.Fprintf(w, "storm (%s): no clock firings recorded\n", store)
		return
	}
	n := float64(c.firings)
	var by []string
	for k, v := range c.activitiesByType {
		by = append(by, fmt.Sprintf("%s %.2f", k, v))
	}
	slices.Sort(by)
	temporal := "n/a (SQLite file)"
	if len(c.temporalDBs) > 0 && !c.temporalStatsUnavailable {
		temporal = fmt.Sprintf("%.1f transactions, %.1f rows written", c.temporalXacts/n, c.temporalRows/n)
	}
	fmt.Fprintf(w, "storm (%s): per clock firing (%d firings; histories of %d cases from their first timer): %.2f workflow tasks, %.2f activities (%s), %.2f local activities, %.1f history events; Temporal store: %s; event store: %.1f transactions, %.1f rows written; this process's CPU %.1f ms\n",
		store, c.firings, c.sampled, c.workflowTasks, c.activities, strings.Join(by, ", "), c.localActivities, c.historyEvents, temporal,
		c.storeXacts/n, c.storeRows/n, float64(c.cpu)/float64(time.Millisecond)/n)
	if len(c.temporalTables) > 0 {
		var ts []string
		for _, t := range c.temporalTables[:min(len(c.temporalTables), 10)] {
			ts = append(ts, fmt.Sprintf("%s %.1f", t.table, t.rows))
		}
		fmt.Fprintf(w, "storm (%s): rows written per clock firing by table of the Temporal store: %s\n", store, strings.Join(ts, ", "))
	}
}

// heapProfile writes a heap profile (after a collection) as name.heap.pprof
// when --profile is set: what the open cases hold in memory.
func (r *benchRun) heapProfile(name string) {
	if r.plan.profileDir == "" {
		return
	}
	runtime.GC()
	f, err := os.Create(filepath.Join(r.plan.profileDir, name+".heap.pprof"))
	if err == nil {
		err = pprof.WriteHeapProfile(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(r.out, "profile %s: %v\n", name, err)
	}
}

// memoryLine describes this process's memory now, after a collection: the
// live heap, what the heap and the goroutine stacks hold from the system,
// and the resident set, to tell what the open cases cost from what the Go
// runtime keeps in reserve.
func memoryLine() string {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	const mb = 1 << 20
	return fmt.Sprintf("live heap %.0f MB, heap held %.0f MB (%.0f MB idle, not returned), stacks %.0f MB, runtime total %.0f MB, %d goroutines, RSS %.0f MB",
		float64(m.HeapAlloc)/mb, float64(m.HeapSys-m.HeapReleased)/mb, float64(m.HeapIdle-m.HeapReleased)/mb,
		float64(m.StackSys)/mb, float64(m.Sys-m.HeapReleased)/mb, runtime.NumGoroutine(), float64(residentKB())/1024)
}

// temporalTableCounters reads the rows written so far to each table of the
// Temporal store at dbURL (nil when there is none or it cannot be read).
func temporalTableCounters(ctx context.Context, dbURL string) map[string]float64 {
	if dbURL == "" {
		return nil
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		return nil
	}
	out := map[string]float64{}
	for rows.Next() {
		var t string
		var n int64
		if rows.Scan(&t, &n) == nil {
			out[t] = float64(n)
		}
	}
	rows.Close()
	return out
}
