package integration

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"casetrail/eventstore"
	"casetrail/incident"
	"casetrail/workflows"
)

// BenchmarkCommand measures one command end to end — a Workflow Update on
// the Temporal test server, its validator and handler, the AppendEvents
// activity on PostgreSQL, the answer — against its baseline in the same run:
// appending the same event straight to the store.
//
//	go test -run '^$' -bench Command -benchtime 200x ./workflows/integration
func BenchmarkCommand(b *testing.B) {
	it := newIntegration(b)
	caseID := uuid.NewString()
	rep := reportCmd()
	rep.ClientRequestID = "bench-" + caseID
	if _, err := workflows.Report(it.ctx, it.client, caseID, workflows.Request[incident.Report]{Actor: "reporter1", Command: rep}, incident.DefaultPolicy()); err != nil {
		b.Fatal(err)
	}
	comment := incident.Comment{Text: "Đang theo dõi trang này"}
	data, err := json.Marshal(comment)
	if err != nil {
		b.Fatal(err)
	}

	var baseline, command time.Duration
	b.Run("baseline-store-append", func(b *testing.B) {
		stream, version := "bench-"+uuid.NewString(), int64(0)
		start := time.Now()
		for b.Loop() {
			_, err := it.store.Append(it.ctx, stream, version, eventstore.EventData{
				ID: uuid.NewString(), Type: incident.TypeCommentAdded, Data: data,
				Metadata: eventstore.Metadata{Actor: handler}, OccurredAt: time.Now(),
			})
			if err != nil {
				b.Fatal(err)
			}
			version++
		}
		baseline = time.Since(start) / time.Duration(b.N)
	})
	b.Run("workflow-update", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if _, err := workflows.Execute(it.ctx, it.client, caseID, workflows.Request[incident.Comment]{Actor: handler, Command: comment}); err != nil {
				b.Fatal(err)
			}
		}
		command = time.Since(start) / time.Duration(b.N)
		if baseline > 0 {
			b.ReportMetric(float64(command)/float64(baseline), "x-baseline")
		}
	})
	b.Logf("store append %v/op, command through the workflow %v/op", baseline, command)
}
