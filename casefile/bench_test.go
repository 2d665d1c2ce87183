package casefile_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"casetrail/casefile"
)

// heapWriter discards what is written and samples the live heap every
// MiB: the peak a case file's writing reaches.
type heapWriter struct {
	n, next uint64
	peak    uint64
}

func (w *heapWriter) Write(p []byte) (int, error) {
	w.n += uint64(len(p))
	if w.n >= w.next {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.peak = max(w.peak, m.HeapAlloc)
		w.next = w.n + 1<<20
	}
	return len(p), nil
}

// BenchmarkCaseFileLarge writes the case file of a case with 6, then 24
// pieces of evidence of 8 MiB (48 and 192 MiB, incompressible) and reports,
// beside the time, the evidence's size and the peak of the heap (live and
// not yet collected, sampled every MiB written): the ZIP is streamed one
// blob at a time, so the peak stays the same when the case holds four
// times more.
//
//	go test -p 1 -run '^$' -bench CaseFileLarge -benchtime 3x ./casefile/
func BenchmarkCaseFileLarge(b *testing.B) {
	for _, pieces := range []int{6, 24} {
		b.Run(fmt.Sprintf("evidence=%dx8MiB", pieces), func(b *testing.B) { benchCaseFile(b, pieces, 8<<20) })
	}
}

func benchCaseFile(b *testing.B, pieces, size int) {
	store := newStore(b)
	w := reportCase(b, store, "c-large", 7, "Video giả mạo lãnh đạo huyện")
	for i := range pieces {
		content := make([]byte, size)
		if _, err := rand.Read(content); err != nil {
			b.Fatal(err)
		}
		w.evidence("handler1", after(float64(i)/100+1), fmt.Sprintf("video-%02d.mp4", i), "video/mp4", content)
	}
	builder := &casefile.Builder{Store: store, Units: registry{}, Now: func() time.Time { return now }}
	var peak, written uint64
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		bd, err := builder.Prepare(context.Background(), "c-large")
		if err != nil {
			b.Fatal(err)
		}
		hw := &heapWriter{}
		if _, err := bd.WriteTo(context.Background(), io.Writer(hw)); err != nil {
			b.Fatal(err)
		}
		peak, written = max(peak, hw.peak), hw.n
	}
	b.ReportMetric(float64(pieces*size)/(1<<20), "evidence_MiB")
	b.ReportMetric(float64(written)/(1<<20), "zip_MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MiB")
}
