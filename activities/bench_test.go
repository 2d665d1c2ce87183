package activities_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"casetrail/activities"
)

// BenchmarkAllocateCaseNumber measures numbering a new case (one transaction:
// counter row upsert + allocation row) and asking again for a numbered case
// (one primary-key read), against the baseline in the same run: one plain
// INSERT into a bare table.
//
//	go test -run '^$' -bench AllocateCaseNumber ./activities
func BenchmarkAllocateCaseNumber(b *testing.B) {
	ctx := context.Background()
	a := &activities.Activities{Store: store}
	pool := store.Pool()
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_baseline (key text PRIMARY KEY, value text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	var seq atomic.Int64
	var baseline, fresh time.Duration
	b.Run("baseline-insert", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			n := seq.Add(1)
			if _, err := pool.Exec(ctx, `INSERT INTO bench_baseline (key, value) VALUES ($1, $2)`, fmt.Sprintf("%s-%d", run, n), "VV-2050-000001"); err != nil {
				b.Fatal(err)
			}
		}
		baseline = time.Since(start) / time.Duration(b.N)
	})
	b.Run("new-case", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			n := seq.Add(1)
			if _, err := a.AllocateCaseNumber(ctx, activities.AllocateInput{CaseID: fmt.Sprintf("%s-%d", run, n), Year: 2050}); err != nil {
				b.Fatal(err)
			}
		}
		fresh = time.Since(start) / time.Duration(b.N)
		if baseline > 0 {
			b.ReportMetric(float64(fresh)/float64(baseline), "x-baseline")
		}
	})
	b.Run("numbered-case", func(b *testing.B) {
		in := activities.AllocateInput{CaseID: run + "-again", Year: 2050}
		if _, err := a.AllocateCaseNumber(ctx, in); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := a.AllocateCaseNumber(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
