package worker

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetricsHandlerCountsFailuresByType(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := MetricsHandler(reg).WithTags(map[string]string{"namespace": "default"})
	h.WithTags(map[string]string{"activity_type": "AppendEvents"}).Counter("temporal_activity_execution_failed").Inc(2)
	h.WithTags(map[string]string{"activity_type": "Notify"}).Counter("temporal_activity_execution_failed").Inc(1)
	h.WithTags(map[string]string{"workflow_type": "IncidentWorkflow"}).Counter("temporal_workflow_task_execution_failed").Inc(1)
	h.Counter("temporal_request").Inc(5) // not exported
	h.Timer("temporal_request_latency").Record(0)
	h.Gauge("temporal_worker_task_slots_available").Update(3)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()+"/"+m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"casetrail_temporal_activity_execution_failed_total/AppendEvents":          2,
		"casetrail_temporal_activity_execution_failed_total/Notify":                1,
		"casetrail_temporal_workflow_task_execution_failed_total/IncidentWorkflow": 1,
	}
	if len(got) != len(want) {
		t.Errorf("exported %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}
