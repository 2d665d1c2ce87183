package readmodel_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/internal/benchdata"
)

// Benchmarks run on a data set made by benchdata.Generate (an external test
// package, so that it may import internal/benchdata, which imports the read
// model). Its size is CASETRAIL_BENCH_CASES (default 2,000; the targets are
// stated for 100,000). CASETRAIL_BENCH_DB names a database to keep it in
// between runs (created and filled when empty); without it a temporary
// database is used and dropped. The targets: list and search p95 <= 15 ms,
// CaseAsOf and Verify of a 1,000-event case <= 10 ms, rebuild >= 50,000
// events/s. The queries want many samples, a rebuild one or two:
//
//	CASETRAIL_BENCH_CASES=100000 go test -run '^$' -bench 'List|Search|CaseAsOf|Verify|Stats' -benchtime 200x ./eventstore/readmodel/
//	CASETRAIL_BENCH_CASES=100000 go test -run '^$' -bench Rebuild -benchtime 2x ./eventstore/readmodel/

var (
	benchOnce sync.Once
	benchSet  *benchData
	benchErr  error
	benchDrop func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchSet != nil {
		benchSet.store.Close()
	}
	if benchDrop != nil {
		benchDrop()
	}
	os.Exit(code)
}

type benchData struct {
	store  *eventstore.Store
	reader *readmodel.Reader
	longID string
	cases  int
	events int64
}

// longCaseID is the 1,000-event case of the benchmarks.
const longCaseID = "00000000-0000-4000-8000-00000000b000"

func loadBench(b *testing.B) *benchData {
	b.Helper()
	benchOnce.Do(func() { benchSet, benchErr = prepareBench() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchSet
}

func prepareBench() (*benchData, error) {
	ctx := context.Background()
	n := 2000
	if s := os.Getenv("CASETRAIL_BENCH_CASES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("CASETRAIL_BENCH_CASES=%q: want a positive number", s)
		}
		n = v
	}
	dbURL := os.Getenv("CASETRAIL_BENCH_DB")
	if dbURL == "" {
		u, drop, err := pgtest.Create("ct_bench_readmodel")
		if err != nil {
			return nil, err
		}
		dbURL, benchDrop = u, drop
	}
	store, err := eventstore.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	d := &benchData{store: store, reader: readmodel.NewReader(store.Pool()), longID: longCaseID, cases: n}
	if err := readmodel.EnsureSchema(ctx, store.Pool()); err != nil {
		return nil, err
	}
	streams, err := store.Streams(ctx)
	if err != nil {
		return nil, err
	}
	if len(streams) < n {
		start := time.Now()
		if err := benchdata.Generate(ctx, store, n, 1); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "generated %d cases in %v\n", n, time.Since(start).Round(time.Millisecond))
	}
	if err := benchdata.LongCase(ctx, store, longCaseID, 1000); err != nil {
		return nil, err
	}
	if d.events, err = store.HeadPosition(ctx); err != nil {
		return nil, err
	}
	cp, err := store.Checkpoint(ctx, readmodel.Consumer)
	if err != nil {
		return nil, err
	}
	if cp < d.events {
		start := time.Now()
		if _, err := readmodel.NewProjector(store).Rebuild(ctx); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "projected %d events in %v\n", d.events, time.Since(start).Round(time.Millisecond))
	}
	// What autovacuum does on a running server (it may be off on a test one).
	if _, err := store.Pool().Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "data set: %d cases, %d events\n", n, d.events)
	return d, nil
}

// latencies records one duration per operation and reports p50 and p95.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 {
		return float64(l[min(len(l)-1, int(q*float64(len(l))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

func benchQueries(b *testing.B, filters []readmodel.Filter, visible [][]string) {
	benchLists(b, (*readmodel.Reader).ListCases, filters, visible)
}

// benchLists times list (ListCases or ListCaseHeads) over filters and
// visible units, a page of 50.
func benchLists(b *testing.B, list func(*readmodel.Reader, context.Context, readmodel.Filter, []string, int, string) (readmodel.Page, error),
	filters []readmodel.Filter, visible [][]string) {
	d := loadBench(b)
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	total := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := filters[i%len(filters)]
		start := time.Now()
		p, err := list(d.reader, ctx, f, visible[i%len(visible)], 50, "")
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		total += p.Total
	}
	b.StopTimer()
	lat.report(b)
	b.ReportMetric(float64(total)/float64(b.N), "matches/op")
}

var allVisible = [][]string{nil, {"lai-chau"}, {"lai-chau/tan-uyen", "dien-bien"}}

// BenchmarkListCases lists the first page of cases with a status and a text
// filter, as a handler's worklist search does.
func BenchmarkListCases(b *testing.B) {
	benchQueries(b, benchListFilters, allVisible)
}

// benchListFilters are the lists of BenchmarkListCases, the filters of
// casetrail bench's list figure.
var benchListFilters = func() []readmodel.Filter {
	st := func(s ...incident.Status) []incident.Status { return s }
	return []readmodel.Filter{
		{Status: st(incident.StatusAnalysis, incident.StatusAction), Text: "gia mao"},
		{Status: st(incident.StatusClosed), Text: "lu quet"},
		{Status: st(incident.StatusReported, incident.StatusTriaged), Text: "facebook"},
		{Status: st(incident.StatusResolved), Text: "Đoàn Kết"},
		{Status: st(incident.StatusEscalated), Text: "tân uyên"},
		{Status: st(incident.StatusClosed, incident.StatusResolved), Text: "chiếm quyền"},
	}
}()

// BenchmarkListCaseHeads is BenchmarkListCases reading heads, as the API
// does for a worklist (readmodel.ListCaseHeads, issue 19).
func BenchmarkListCaseHeads(b *testing.B) {
	benchLists(b, (*readmodel.Reader).ListCaseHeads, benchListFilters, allVisible)
}

// BenchmarkListCasesStatusOnly is the baseline: the same lists without text.
func BenchmarkListCasesStatusOnly(b *testing.B) {
	st := func(s ...incident.Status) []incident.Status { return s }
	benchQueries(b, []readmodel.Filter{
		{Status: st(incident.StatusAnalysis, incident.StatusAction)},
		{Status: st(incident.StatusClosed)},
		{Status: st(incident.StatusReported, incident.StatusTriaged)},
		{Status: st(incident.StatusResolved)},
		{Status: st(incident.StatusEscalated)},
	}, allVisible)
}

// BenchmarkTextSearch is the text filter alone, from selective to broad.
func BenchmarkTextSearch(b *testing.B) {
	benchQueries(b, []readmodel.Filter{
		{Text: "giả mạo"},
		{Text: "chiem quyen quan tri"},
		{Text: "sai su that lu quet"},
		{Text: "VV-2025-0012"},
		{Text: "muong te"},
		{Text: "zalo.me/84"},
		{Text: "quyên góp"},
	}, allVisible)
}

// BenchmarkCaseAsOf folds the 1,000-event case from its stream.
func BenchmarkCaseAsOf(b *testing.B) {
	d := loadBench(b)
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		c, err := d.reader.CaseAsOf(ctx, d.longID, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if c.Version < 1000 {
			b.Fatalf("long case has %d events", c.Version)
		}
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkVerify recomputes the hash chain of the 1,000-event case.
func BenchmarkVerify(b *testing.B) {
	d := loadBench(b)
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		rep, err := d.reader.Verify(ctx, d.longID)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		if !rep.OK || rep.EventsChecked < 1000 {
			b.Fatalf("verify: %+v", rep)
		}
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkStats computes the statistics of a province over all time.
func BenchmarkStats(b *testing.B) {
	d := loadBench(b)
	ctx := context.Background()
	lat := make(latencies, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := d.reader.Stats(ctx, "lai-chau", allVisible[i%len(allVisible)], nil, nil); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	lat.report(b)
}

// BenchmarkRebuild truncates the projection and replays the whole log.
func BenchmarkRebuild(b *testing.B) {
	d := loadBench(b)
	ctx := context.Background()
	p := readmodel.NewProjector(d.store)
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		pos, err := p.Rebuild(ctx)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		if pos != d.events {
			b.Fatalf("rebuild reached %d of %d", pos, d.events)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(d.events)*float64(b.N)/elapsed.Seconds(), "events/s")
}
