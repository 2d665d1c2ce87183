package main

// The bench's Temporal side (issue 19): the intake and the deadline storm on
// both stores of the embedded server, SQLite and PostgreSQL.

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"

	"casetrail/incident"
	"casetrail/worker"
	"casetrail/workflows"
)

// Stores of the embedded Temporal server the bench measures on.
const (
	benchStoreSQLite   = "sqlite"
	benchStorePostgres = "postgres"
)

// benchPhases are the parts of the bench --phases may name.
var benchPhases = []string{"list", "intake", "case", "storm", "append"}

// parseBenchList parses a comma-separated list of names out of allowed
// ("all" is every one).
func parseBenchList(flagName, s string, allowed []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case p == "all":
			for _, a := range allowed {
				out[a] = true
			}
		case slices.Contains(allowed, p):
			out[p] = true
		default:
			return nil, fmt.Errorf("bench: --%s: unknown %q (one of %s, all)", flagName, p, strings.Join(allowed, ", "))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: --%s names nothing", flagName)
	}
	return out, nil
}

// intakeFigures are one store's intake line.
type intakeFigures struct {
	casetrail, baseline float64
	p50, p95            time.Duration
	load                string
}

func (f intakeFigures) ratio() float64 {
	if f.baseline == 0 {
		return 0
	}
	return f.casetrail / f.baseline
}

// stormFigures are one store's deadline storm line.
type stormFigures struct {
	n                    int
	reminders, misses    int // recorded, each case's counted once
	duplicates           int // reminders or misses recorded more than once for a deadline
	latenessP50          time.Duration
	latenessP95          time.Duration
	latenessMax          time.Duration
	rssMB                float64 // peak resident set of the bench process during the storm
	cacheSize            int
	stickyMisses, forced float64 // sticky cache misses and forced evictions during the storm
	load                 string
	cost                 stormCost     // per clock firing (bench_storm_cost.go)
	baseline             stormBaseline // the same storm of bare workflows (bench_storm_baseline.go)
}

// benchTemporalDatabaseURL is the URL of the bench's Temporal database on
// the server of dbURL: the bench database's name with a _temporal suffix.
func benchTemporalDatabaseURL(dbURL, name string) (string, error) {
	return benchDatabaseURL(dbURL, name+"_temporal")
}

// startPostgresApp starts the bench's app again with the embedded Temporal
// server on PostgreSQL (a database of its own beside the bench database,
// dropped by the returned cleanup with its visibility database).
func startPostgresApp(ctx context.Context, bcfg Config, dir, name string, logger *slog.Logger) (*app, func(), error) {
	tdb, err := benchTemporalDatabaseURL(bcfg.DatabaseURL, name)
	if err != nil {
		return nil, nil, err
	}
	vis, err := worker.VisibilityDatabaseURL(tdb)
	if err != nil {
		return nil, nil, err
	}
	drop := func() {
		for _, u := range []string{tdb, vis} {
			_ = dropBenchDatabase(context.WithoutCancel(ctx), u)
		}
	}
	pcfg := bcfg
	pcfg.TemporalDatabaseURL = tdb
	pcfg.DataDir = filepath.Join(dir, benchStorePostgres)
	a, err := start(ctx, pcfg, role{api: true, worker: true}, logger)
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("bench: start on PostgreSQL: %w", err)
	}
	return a, drop, nil
}

// temporalPhases runs the intake and the storm (as far as plan.phases asks)
// on r's store and adds their figures to f; run false skips both.
func (r *benchRun) temporalPhases(ctx context.Context, f *benchFigures, run bool) error {
	if !run {
		return nil
	}
	if r.plan.phases["intake"] {
		c, b, p50, p95, err := r.intake(ctx)
		if err != nil {
			return err
		}
		f.intake[r.store] = intakeFigures{casetrail: c, baseline: b, p50: p50, p95: p95, load: benchLoadAverage()}
	}
	if r.plan.phases["storm"] {
		// The bare storm first: the same engine's floor, before the cases
		// fill the workflow cache.
		b, err := r.bareStorm(ctx, r.plan.storm, r.plan.bareSpread, r.plan.bareGap)
		if err != nil {
			return err
		}
		st, err := r.storm(ctx, r.plan.storm)
		if err != nil {
			return err
		}
		st.baseline = b
		f.storm[r.store] = st
	}
	return nil
}

// reporter is the subject of intake client c on r's store.
func (r *benchRun) reporter(c int) string {
	return fmt.Sprintf("bench-reporter-%s-%02d", r.store, c)
}

// benchStormCreators is how many cases the storm opens at once.
const benchStormCreators = 20

// stormSpread spreads the due times of the reminders, and those of the
// misses, over this window; stormGap is the time from a case's reminder to
// its miss. Each case has a policy of its own (span and reminder fraction)
// that puts them there, wherever in the opening it was opened.
const (
	stormSpread = 30 * time.Second
	stormGap    = 60 * time.Second
)

// storm opens n cases whose TRIAGE reminders all fall due within the same
// half minute after the last case is open, and their misses a minute later,
// then waits until every miss is recorded and measures: each reminder and
// miss recorded once (a duplicate fails the bench; a reminder whose time
// came only after its deadline was due is not recorded, by the domain's
// rule, and shows as fewer reminders), their lateness (recorded_at minus
// the time they were due), the process's peak RSS and the workflow cache's
// misses. The cases are opened
// straight through workflows.Report, each with a policy of its own (the
// span that makes it due in the window); the intake phase measures the way
// in.
func (r *benchRun) storm(ctx context.Context, n int) (stormFigures, error) {
	a := r.a
	f := stormFigures{n: n, cacheSize: workflowCache.size}
	stopProjection, err := r.project(ctx)
	if err != nil {
		return f, err
	}
	defer func() { _ = stopProjection() }()

	open := func(ctx context.Context, i int, remind time.Time) (string, error) {
		now := time.Now()
		if remind.Sub(now) < 10*time.Second {
			return "", fmt.Errorf("bench: storm: case %d would be reminded in %s: opening the cases took longer than planned", i, remind.Sub(now).Round(time.Millisecond))
		}
		span := remind.Add(stormGap).Sub(now)
		p := incident.DefaultPolicy()
		p.Triage = span
		p.Reminders = []float64{float64(remind.Sub(now)) / float64(span)}
		rep, _, err := incident.ValidateReport(incident.Report{
			ClientRequestID: fmt.Sprintf("storm-%s-%d", r.runID, i), Kind: incident.Impersonation, Unit: benchReportUnit,
			Title:       fmt.Sprintf("Trang giả mạo UBND xã Phúc Khoa (bão hạn %d)", i),
			Description: "Phản ánh mở cho phép đo bão thời hạn.",
			Subjects:    []incident.SubjectInput{{Platform: "FACEBOOK", URL: fmt.Sprintf("https://www.facebook.com/storm.%s.%d", r.runID, i)}},
		})
		if err != nil {
			return "", err
		}
		id := uuid.NewString()
		rep.CaseID = id
		rep.Number = fmt.Sprintf("VV-BAO-%s-%06d", r.runID, i)
		_, err = workflows.Report(ctx, a.temporal, id, workflows.Request[incident.Report]{Actor: "bench-storm", Command: rep}, p)
		return id, err
	}

	// The rate of opening, measured on a few cases, sets the window.
	warm := time.Now()
	var ids []string
	var mu sync.Mutex
	const probe = 40
	for i := range probe {
		id, err := open(ctx, -1-i, time.Now().Add(time.Hour))
		if err != nil {
			return f, fmt.Errorf("bench: storm warm-up: %w", err)
		}
		_ = id
	}
	// 20 at once, with room to spare for a machine under other load (the
	// probe is sequential), and never planned faster than 8 cases/s.
	perCase := max(time.Since(warm)/probe/benchStormCreators*4, time.Second/8)
	t0 := time.Now().Add(time.Duration(n)*perCase + 30*time.Second)
	fmt.Fprintf(r.out, "storm (%s): opening %d cases, reminders due between %s and %s (in %s), misses a minute later%s\n", r.store, n,
		t0.Format("15:04:05"), t0.Add(stormSpread).Format("15:04:05"), time.Until(t0).Round(time.Second), benchLoadAverage())

	rss := newRSSSampler()
	defer rss.stop()
	sticky0, forced0 := stickyCacheCounters(a)
	began := time.Now()
	if err := benchEach(ctx, n, benchStormCreators, func(i int) error {
		remind := t0.Add(time.Duration(i%int(stormSpread/time.Second)) * time.Second)
		id, err := open(ctx, i, remind)
		if err != nil {
			return err
		}
		mu.Lock()
		ids = append(ids, id)
		mu.Unlock()
		return nil
	}); err != nil {
		return f, err
	}
	fmt.Fprintf(r.out, "storm (%s): %d cases open in %s; waiting for their deadlines%s\n", r.store, len(ids),
		time.Since(began).Round(time.Millisecond), benchLoadAverage())

	streams := benchStreams(ids)
	pool := a.store.Pool()
	r.heapProfile("storm-" + r.store + "-open")
	fmt.Fprintf(r.out, "storm (%s): %d cases open: %s\n", r.store, len(ids), memoryLine())
	// The costs are counted from just before the first reminder is due
	// (bench_storm_cost.go); the CPU profile covers the same span.
	select {
	case <-ctx.Done():
		return f, ctx.Err()
	case <-time.After(time.Until(t0.Add(-2 * time.Second))):
	}
	meter := r.startStormCost(ctx)
	stopProfile := r.profile("storm-" + r.store)
	defer stopProfile()
	limit := t0.Add(stormGap + stormSpread + 10*time.Minute)
	for {
		var missed int
		if err := pool.QueryRow(ctx, `SELECT count(DISTINCT stream) FROM events WHERE stream = ANY($1) AND type = $2`,
			streams, incident.TypeDeadlineMissed).Scan(&missed); err != nil {
			return f, fmt.Errorf("bench: storm: %w", err)
		}
		if missed == len(ids) {
			break
		}
		if time.Now().After(limit) {
			return f, fmt.Errorf("bench: storm: only %d of %d misses recorded 10 minutes after the window", missed, len(ids))
		}
		select {
		case <-ctx.Done():
			return f, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	// A straggling duplicate would come within the workflow task's retry.
	time.Sleep(3 * time.Second)
	stopProfile()
	f.rssMB = rss.stop()
	sticky1, forced1 := stickyCacheCounters(a)
	f.stickyMisses, f.forced = sticky1-sticky0, forced1-forced0
	f.load = benchLoadAverage()

	rows, err := pool.Query(ctx, `
WITH s AS (
  SELECT stream, (data->>'dueAt')::timestamptz AS due,
         COALESCE((data->>'startedAt')::timestamptz, occurred_at) AS began
  FROM events WHERE stream = ANY($1) AND type = $2 AND data->>'kind' = 'TRIAGE')
SELECT e.type, e.stream,
       extract(epoch FROM e.recorded_at - CASE WHEN e.type = $4 THEN s.due
            ELSE s.began + (s.due - s.began) * (e.data->>'fraction')::float8 END)
FROM events e JOIN s USING (stream)
WHERE e.stream = ANY($1) AND e.type IN ($3, $4) AND e.data->>'kind' = 'TRIAGE'`,
		streams, incident.TypeDeadlineSet, incident.TypeDeadlineReminder, incident.TypeDeadlineMissed)
	if err != nil {
		return f, fmt.Errorf("bench: storm: %w", err)
	}
	seen := map[string]int{}
	var late []time.Duration
	for rows.Next() {
		var typ, stream string
		var secs float64
		if err := rows.Scan(&typ, &stream, &secs); err != nil {
			rows.Close()
			return f, fmt.Errorf("bench: storm: %w", err)
		}
		seen[typ+" "+stream]++
		late = append(late, time.Duration(secs*float64(time.Second)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("bench: storm: %w", err)
	}
	for k, c := range seen {
		if strings.HasPrefix(k, incident.TypeDeadlineMissed) {
			f.misses++
		} else {
			f.reminders++
		}
		f.duplicates += c - 1
	}
	f.latenessP50, f.latenessP95, f.latenessMax = benchQuantile(late, 0.5), benchQuantile(late, 0.95), benchQuantile(late, 1)
	fmt.Fprintf(r.out, "storm (%s): %d cases: %d reminders and %d misses recorded (%d duplicates); lateness p50 %.2f s, p95 %.2f s, max %.2f s; peak RSS %.0f MB; workflow cache %d: %.0f sticky cache misses, %.0f forced evictions%s\n",
		r.store, len(ids), f.reminders, f.misses, f.duplicates, f.latenessP50.Seconds(), f.latenessP95.Seconds(), f.latenessMax.Seconds(),
		f.rssMB, f.cacheSize, f.stickyMisses, f.forced, f.load)
	if f.cost, err = meter.finish(ctx, ids, streams); err != nil {
		return f, err
	}
	f.cost.write(r.out, r.store)
	if f.misses != len(ids) || f.duplicates != 0 {
		return f, fmt.Errorf("bench: storm: %d misses for %d cases, %d duplicates; want each exactly once",
			f.misses, len(ids), f.duplicates)
	}
	return f, nil
}

// benchEach calls fn(i) for every i in [0, n) from workers goroutines at
// once, each taking the next i; the first error stops them taking more and
// is returned (as is ctx's, when it ends first).
func benchEach(ctx context.Context, n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// stickyCacheCounters sums the SDK's sticky cache miss and forced eviction
// counters of the process's metrics registry.
func stickyCacheCounters(a *app) (misses, forced float64) {
	fams, err := a.metrics.Registry.Gather()
	if err != nil {
		return math.NaN(), math.NaN()
	}
	sum := func(m *dto.MetricFamily) float64 {
		var s float64
		for _, x := range m.GetMetric() {
			s += x.GetCounter().GetValue()
		}
		return s
	}
	for _, m := range fams {
		switch name := m.GetName(); {
		case strings.Contains(name, "sticky_cache_miss"):
			misses += sum(m)
		case strings.Contains(name, "sticky_cache_total_forced_eviction"):
			forced += sum(m)
		}
	}
	return misses, forced
}

// rssSampler records the peak resident set size of this process.
type rssSampler struct {
	done chan struct{}
	peak atomic.Int64 // kB
	once sync.Once
	wg   sync.WaitGroup
}

func newRSSSampler() *rssSampler {
	s := &rssSampler{done: make(chan struct{})}
	s.sample()
	s.wg.Go(func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	})
	return s
}

func (s *rssSampler) sample() {
	if kb := residentKB(); kb > s.peak.Load() {
		s.peak.Store(kb)
	}
}

// stop ends the sampling and returns the peak in MB (0 where unknown).
func (s *rssSampler) stop() float64 {
	s.once.Do(func() {
		close(s.done)
		s.wg.Wait()
		s.sample()
	})
	return float64(s.peak.Load()) / 1024
}

// residentKB is VmRSS of this process (Linux), 0 where unknown.
func residentKB() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb
			}
		}
	}
	return 0
}
