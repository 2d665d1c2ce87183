package eventstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"casetrail/eventstore/pgtest"
)

// benchWriters is the number of concurrent writers, each on its own stream.
const benchWriters = 8

// benchData is a representative CaseReported payload (about 420 bytes).
var benchData = json.RawMessage(`{"title":"Trang Facebook giả mạo UBND xã Phúc Khoa","kind":"IMPERSONATION","severity":"HIGH",` +
	`"unit":"lai-chau/tan-uyen/xa-phuc-khoa","subjects":["https://www.facebook.com/ubnd.phuckhoa.fake"],` +
	`"description":"Một trang giả mạo UBND xã đăng thông tin sai lệch về việc thu hồi đất và kêu gọi người dân chuyển tiền.",` +
	`"reportedBy":"reporter1"}`)

var benchMeta = Metadata{Actor: "handler1", CorrelationID: "01JZ8Q7S6V1T3X9K2M4N5P6R7S"}

// benchStore opens a store with room for the writers and the sequencer, and
// a bare table for the baseline: no keys, no indexes, the same columns.
func benchStore(b *testing.B) *Store {
	b.Helper()
	s := openTestStore(b, withPoolSize(b, pgtest.NewDatabase(b), benchWriters+2))
	if _, err := s.Pool().Exec(context.Background(), `CREATE TABLE bench_plain (id uuid, stream text, version bigint, type text,
data jsonb, metadata jsonb, occurred_at timestamptz, recorded_at timestamptz)`); err != nil {
		b.Fatal(err)
	}
	return s
}

// parallel runs per calls of f on each of benchWriters goroutines and
// returns the elapsed wall time.
func parallel(b *testing.B, per int, f func(w, i int) error) time.Duration {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, benchWriters)
	start := time.Now()
	for w := range benchWriters {
		wg.Go(func() {
			for i := range per {
				if err := f(w, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}

// appender appends batches of n events to one stream per writer.
type appender struct {
	s        *Store
	prefix   string
	versions [benchWriters]int64
}

func (a *appender) append(w, n int) error {
	evs := make([]EventData, n)
	for k := range evs {
		evs[k] = EventData{ID: uuid.NewString(), Type: "CaseReported", Data: benchData, Metadata: benchMeta}
	}
	got, err := a.s.Append(context.Background(), fmt.Sprintf("%s-%d", a.prefix, w), a.versions[w], evs...)
	if err != nil {
		return err
	}
	a.versions[w] = got[len(got)-1].Version
	return nil
}

// plainInsert inserts n rows with the same payload in one statement.
func plainInsert(s *Store, w, n int) error {
	meta, _ := json.Marshal(benchMeta)
	ids := make([]string, n)
	for k := range ids {
		ids[k] = uuid.NewString()
	}
	now := time.Now()
	_, err := s.Pool().Exec(context.Background(), `INSERT INTO bench_plain (id, stream, version, type, data, metadata, occurred_at, recorded_at)
SELECT u.id::uuid, $2, 1, 'CaseReported', $3::jsonb, $4::jsonb, $5, $5 FROM unnest($1::text[]) AS u(id)`,
		ids, fmt.Sprintf("plain-%d", w), string(benchData), string(meta), now)
	return err
}

// compare runs the baseline and the candidate alternately, in chunks, so
// both see the same machine load, and reports both rates and their ratio.
func compare(b *testing.B, eventsPerCall int, baseline, candidate func(w, i int) error, unit string, stats func() groupStats) {
	b.Helper()
	// Warm up connections, prepared statements and caches.
	parallel(b, 5, baseline)
	parallel(b, 5, candidate)
	per := max(b.N/benchWriters, 1)
	const chunks = 4
	var base, cand time.Duration
	b.ResetTimer()
	for c := range chunks {
		n := per / chunks
		if c == chunks-1 {
			n = per - n*(chunks-1)
		}
		base += parallel(b, n, baseline)
		cand += parallel(b, n, candidate)
	}
	b.StopTimer()
	calls := float64(per * benchWriters)
	baseRate := calls / base.Seconds()
	candRate := calls / cand.Seconds()
	b.ReportMetric(candRate, unit+"/s")
	b.ReportMetric(baseRate, "inserts/s")
	if eventsPerCall > 1 {
		b.ReportMetric(candRate*float64(eventsPerCall), "events/s")
	}
	b.ReportMetric(candRate/baseRate, "ratio")
	if st := stats(); st.groups > 0 {
		b.ReportMetric(float64(st.appends)/float64(st.groups), "appends/group")
		b.ReportMetric(st.busy.Seconds()*1000/float64(st.groups), "ms/group")
	}
	b.Logf("N=%d: %s %.0f/s, plain INSERT %.0f/s, ratio %.2f", int(calls), unit, candRate, baseRate, candRate/baseRate)
}

// BenchmarkAppendVsInsert is the throughput check: single-event
// appends/s with 8 concurrent writers on distinct streams, against a plain
// single-row INSERT of the same payload into a bare table, in the same run.
// Target: ratio >= 0.6.
func BenchmarkAppendVsInsert(b *testing.B) {
	s := benchStore(b)
	a := &appender{s: s, prefix: "bench"}
	compare(b, 1,
		func(w, _ int) error { return plainInsert(s, w, 1) },
		func(w, _ int) error { return a.append(w, 1) },
		"appends", a.s.groupStats)
}

// BenchmarkAppendBatch10 measures appends of 10 events per call with 8
// writers, against a plain 10-row INSERT of the same payload.
func BenchmarkAppendBatch10(b *testing.B) {
	s := benchStore(b)
	a := &appender{s: s, prefix: "batch"}
	compare(b, 10,
		func(w, _ int) error { return plainInsert(s, w, 10) },
		func(w, _ int) error { return a.append(w, 10) },
		"appends", a.s.groupStats)
}

// BenchmarkAlternativeCounterRow measures the design the store rejects: a
// gap-free position from a counter row updated in the appending
// transaction, so the row lock is held through COMMIT and commits cannot
// share WAL flushes. Same baseline, same run.
func BenchmarkAlternativeCounterRow(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE bench_counter (id int PRIMARY KEY, position bigint NOT NULL);
INSERT INTO bench_counter VALUES (1, 0);
CREATE TABLE bench_counted (position bigint PRIMARY KEY, id uuid, stream text, version bigint, type text,
data jsonb, metadata jsonb, occurred_at timestamptz, recorded_at timestamptz)`); err != nil {
		b.Fatal(err)
	}
	meta, _ := json.Marshal(benchMeta)
	counted := func(w, i int) error {
		return pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			now := time.Now()
			_, err := tx.Exec(ctx, `WITH c AS (UPDATE bench_counter SET position = position + 1 WHERE id = 1 RETURNING position)
INSERT INTO bench_counted SELECT c.position, $1, $2, $3, 'CaseReported', $4::jsonb, $5::jsonb, $6, $6 FROM c`,
				uuid.NewString(), fmt.Sprintf("counted-%d", w), i+1, string(benchData), string(meta), now)
			return err
		})
	}
	compare(b, 1, func(w, _ int) error { return plainInsert(s, w, 1) }, counted, "appends", s.groupStats)
}

// BenchmarkAppendSingleWriter is the latency of one append with no
// concurrency (ns/op).
func BenchmarkAppendSingleWriter(b *testing.B) {
	s := benchStore(b)
	a := &appender{s: s, prefix: "single"}
	for b.Loop() {
		if err := a.append(0, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func (s *Store) groupStats() groupStats {
	s.committer.mu.Lock()
	defer s.committer.mu.Unlock()
	return s.committer.stats
}
