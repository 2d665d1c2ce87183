package main

import (
	"bytes"
	"context"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/eventstore/pgtest"
)

// benchNum is a non-negative decimal number as the bench prints it.
const benchNum = `([0-9]+(?:\.[0-9]+)?)`

// benchLines are the last lines of `casetrail bench`, in order, exactly as
// issues 7 and 11 (case_commands_per_s) state them.
var benchLines = []*regexp.Regexp{
	regexp.MustCompile(`^append_ratio=` + benchNum + ` casetrail=` + benchNum + `/s baseline=` + benchNum + `/s$`),
	regexp.MustCompile(`^intake_ratio=` + benchNum + ` casetrail=` + benchNum + `/s baseline=` + benchNum + `/s p50_ms=` + benchNum + ` p95_ms=` + benchNum + `$`),
	regexp.MustCompile(`^case_commands_per_s=` + benchNum + ` errors=([0-9]+) p95_ms=` + benchNum + `$`),
	regexp.MustCompile(`^list_p95_ms=` + benchNum + ` cases=([0-9]+)$`),
	regexp.MustCompile(`^list_capped_p95_ms=` + benchNum + ` p50_ms=` + benchNum + ` slowest_filter=(?:[A-Z_,]+/\S+)$`), // issue 19
	regexp.MustCompile(`^replay_1000_ms=` + benchNum + ` verify_1000_ms=` + benchNum + `$`),
	regexp.MustCompile(`^rebuild_events_per_s=` + benchNum + `$`),
	regexp.MustCompile(`^ui_worklist_p95_ms=` + benchNum + `$`), // issue 14
	regexp.MustCompile(`^ui_case_p95_ms=` + benchNum + `$`),
	regexp.MustCompile(`^ui_overview_p95_ms=` + benchNum + `$`), // issue 15
}

// TestBenchQuick runs `casetrail bench --quick` in-process against the test
// server, so the command cannot rot: every phase must run and the output
// must end with the six figure lines of the issues, with real numbers (and
// no errors among the concurrent commands on one case), and the bench
// database must be gone afterwards.
func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("the bench smoke test takes about half a minute; skipped with -short")
	}
	before := benchDatabases(t)
	var stdout, stderr bytes.Buffer
	began := time.Now()
	err := run([]string{"bench", "--quick", "--database-url", pgtest.AdminURL()}, &stdout, &stderr)
	t.Logf("bench --quick took %s; output:\n%s", time.Since(began).Round(time.Millisecond), stdout.String())
	if err != nil {
		t.Fatalf("bench --quick: %v\nlog:\n%s", err, benchTail(stderr.String(), 40))
	}

	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) < len(benchLines) {
		t.Fatalf("bench printed %d lines, want at least %d", len(lines), len(benchLines))
	}
	last := lines[len(lines)-len(benchLines):]
	// Issue 19: intake and the deadline storm on both Temporal stores.
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^intake_sqlite_ratio=` + benchNum + ` intake_sqlite_p50_ms=` + benchNum + ` intake_sqlite_p95_ms=` + benchNum + ` `),
		regexp.MustCompile(`(?m)^intake_postgres_ratio=` + benchNum + ` intake_postgres_p50_ms=` + benchNum + ` intake_postgres_p95_ms=` + benchNum + ` `),
		regexp.MustCompile(`(?m)^deadline_storm_sqlite deadline_storm_n=100 lateness_p50_s=-?` + benchNum + ` lateness_p95_s=-?` + benchNum + ` rss_mb=` + benchNum + ` `),
		regexp.MustCompile(`(?m)^deadline_storm_postgres deadline_storm_n=100 lateness_p50_s=-?` + benchNum + ` lateness_p95_s=-?` + benchNum + ` rss_mb=` + benchNum + ` `),
		// The same storm of bare workflows on the same server: the engine's floor.
		regexp.MustCompile(`(?m)^deadline_storm_sqlite_baseline deadline_storm_n=100 lateness_p50_s=-?` + benchNum + ` lateness_p95_s=-?` + benchNum + ` cpu_ms_per_firing=` + benchNum + ` `),
		regexp.MustCompile(`(?m)^deadline_storm_postgres_baseline deadline_storm_n=100 lateness_p50_s=-?` + benchNum + ` lateness_p95_s=-?` + benchNum + ` cpu_ms_per_firing=` + benchNum + ` `),
	} {
		if !re.MatchString(stdout.String()) {
			t.Errorf("no line of the form %s", re)
		}
	}
	// What a firing costs (bench_storm_cost.go): counted from the case
	// histories, a firing is at least one workflow task (the timer's) and
	// one write of its events, by a local activity in that task
	// (workflows.systemLocalVersion); on PostgreSQL the Temporal store's
	// transactions are counted too.
	for _, store := range []string{benchStoreSQLite, benchStorePostgres} {
		re := regexp.MustCompile(`(?m)^storm \(` + store + `\): per clock firing \((\d+) firings; histories of (\d+) cases from their first timer\): ` +
			benchNum + ` workflow tasks, ` + benchNum + ` activities \([^)]*\), ` + benchNum + ` local activities, .*Temporal store: ([^;]+);`)
		m := re.FindStringSubmatch(stdout.String())
		if m == nil {
			t.Errorf("no line of the form %s", re)
			continue
		}
		firings, _ := strconv.Atoi(m[1])
		sampled, _ := strconv.Atoi(m[2])
		tasks, _ := strconv.ParseFloat(m[3], 64)
		acts, _ := strconv.ParseFloat(m[4], 64)
		locals, _ := strconv.ParseFloat(m[5], 64)
		if firings < 100 || sampled == 0 || tasks < 1 || locals < 1 {
			t.Errorf("%s: %d firings, %d histories, %.2f workflow tasks, %.2f activities and %.2f local activities per firing", store, firings, sampled, tasks, acts, locals)
		}
		if temporal := m[6]; (store == benchStorePostgres) == strings.HasPrefix(temporal, "n/a") {
			t.Errorf("%s: Temporal store figures %q", store, temporal)
		}
	}
	nums := make([][]float64, len(benchLines))
	for i, re := range benchLines {
		m := re.FindStringSubmatch(last[i])
		if m == nil {
			t.Fatalf("line %d of the figures is %q, want the form %s", i+1, last[i], re)
		}
		for _, s := range m[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				t.Fatalf("line %q: %q is not a number", last[i], s)
			}
			nums[i] = append(nums[i], v)
		}
	}
	// Every figure was measured: rates, latencies and counts are positive,
	// except the case phase's error count, which must be zero.
	const caseLine = 2
	for i, ns := range nums {
		for k, v := range ns {
			if i == caseLine && k == 1 {
				if v != 0 {
					t.Errorf("line %q: %.0f of the concurrent commands on one case answered an error, want 0\nlog:\n%s",
						last[i], v, benchTail(stderr.String(), 40))
				}
				continue
			}
			if v <= 0 {
				t.Errorf("figure line %q has a zero value", last[i])
			}
		}
	}
	// The ratios are the quotients of the numbers beside them.
	for _, i := range []int{0, 1} {
		ratio, cand, base := nums[i][0], nums[i][1], nums[i][2]
		if base > 0 && math.Abs(ratio-cand/base) > 0.01+0.01*ratio {
			t.Errorf("line %q: ratio %.2f is not %.1f/%.1f", last[i], ratio, cand, base)
		}
	}
	if p50, p95 := nums[1][3], nums[1][4]; p50 > p95 {
		t.Errorf("intake p50 %.1f ms above p95 %.1f ms", p50, p95)
	}
	// Every acknowledged command on the case is stored once (issue 11); a
	// command answered with an error may be stored only if its answer said
	// the outcome is unknown, and at most once.
	if m := regexp.MustCompile(`(?m)^case commands: .* ([0-9]+) command events stored for ([0-9]+) acknowledged$`).FindStringSubmatch(stdout.String()); m == nil {
		t.Errorf("bench printed no count of the case commands' stored events")
	} else {
		stored, _ := strconv.Atoi(m[1])
		acked, _ := strconv.Atoi(m[2])
		if errs := int(nums[caseLine][1]); stored < acked || stored > acked+errs {
			t.Errorf("the case streams hold %d command events for %d acknowledged commands and %d errors: want one per acknowledged command, and no more than one per error",
				stored, acked, errs)
		}
	}
	if p95, p50 := nums[4][0], nums[4][1]; p50 > p95 {
		t.Errorf("capped list p50 %.1f ms above p95 %.1f ms", p50, p95)
	}
	if cases := nums[3][1]; cases != 2000 {
		t.Errorf("list ran over %.0f cases, want the quick data set of 2000", cases)
	}

	for name := range benchDatabases(t) {
		if !before[name] {
			t.Errorf("bench left its database %s behind", name)
		}
	}
}

// benchDatabases lists the databases the bench creates on the test server.
func benchDatabases(t *testing.T) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'casetrail\_bench\_%'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// benchTail returns the last n lines of s.
func benchTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
