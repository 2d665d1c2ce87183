package readmodel_test

import (
	"casetrail/eventstore/readmodel"
	"casetrail/internal/benchdata"
)

// The internal tests of the read model run on the benchmark data set too
// (export_test.go).
func init() {
	readmodel.SetBenchData(benchdata.Units, benchdata.GenerateAt)
}
