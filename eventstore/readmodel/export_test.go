package readmodel

import (
	"context"
	"time"

	"casetrail/eventstore"
	"casetrail/incident"
)

// The benchmark data set (casetrail/internal/benchdata) imports this
// package, so this package's own tests cannot import it. benchdata_test.go,
// an external test of this package, hands its pieces over with SetBenchData
// before any test runs.
var (
	// genUnits is benchdata.Units: a realistic unit tree.
	genUnits []incident.Unit
	// generate is benchdata.GenerateAt: n varied cases from seed, as of now.
	generate func(ctx context.Context, store *eventstore.Store, n int, seed int64, now time.Time, workers int) error
)

// SetBenchData installs the benchmark data set's units and generator for
// the tests of this package.
func SetBenchData(units []incident.Unit, gen func(ctx context.Context, store *eventstore.Store, n int, seed int64, now time.Time, workers int) error) {
	genUnits, generate = units, gen
}
