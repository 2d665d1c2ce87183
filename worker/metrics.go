package worker

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// sdkCounters are the Temporal SDK counters exported to Prometheus, with the
// one tag each is labelled by. Every other SDK metric is dropped: the SDK
// tags metrics with varying sets, and Prometheus needs fixed labels.
var sdkCounters = map[string]string{
	"temporal_workflow_failed":                 "workflow_type",
	"temporal_workflow_task_execution_failed":  "workflow_type",
	"temporal_activity_execution_failed":       "activity_type",
	"temporal_local_activity_execution_failed": "activity_type",
	// The workflow cache (CASETRAIL_WORKFLOW_CACHE_SIZE): a miss is a
	// workflow replayed from its history; forced evictions make room.
	"temporal_sticky_cache_hit":                   "task_queue",
	"temporal_sticky_cache_miss":                  "task_queue",
	"temporal_sticky_cache_total_forced_eviction": "task_queue",
}

// MetricsHandler adapts the Temporal SDK's metrics to Prometheus: workflow,
// workflow-task and activity failures and the workflow cache's hits, misses
// and forced evictions, as casetrail_-prefixed counters
// registered on reg. Pass it as client.Options.MetricsHandler.
func MetricsHandler(reg prometheus.Registerer) client.MetricsHandler {
	vecs := map[string]*prometheus.CounterVec{}
	for name, label := range sdkCounters {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casetrail_" + name + "_total",
			Help: "Temporal SDK counter " + name + " of this process.",
		}, []string{label})
		reg.MustRegister(v)
		vecs[name] = v
	}
	return promHandler{vecs: vecs}
}

type promHandler struct {
	vecs map[string]*prometheus.CounterVec
	tags map[string]string
}

func (h promHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return promHandler{vecs: h.vecs, tags: merged}
}

func (h promHandler) Counter(name string) client.MetricsCounter {
	v, ok := h.vecs[name]
	if !ok {
		return client.MetricsNopHandler.Counter(name)
	}
	c := v.WithLabelValues(h.tags[sdkCounters[name]])
	return counterFunc(func(n int64) { c.Add(float64(n)) })
}

func (h promHandler) Gauge(name string) client.MetricsGauge {
	return client.MetricsNopHandler.Gauge(name)
}
func (h promHandler) Timer(name string) client.MetricsTimer {
	return client.MetricsNopHandler.Timer(name)
}

type counterFunc func(int64)

func (f counterFunc) Inc(n int64) { f(n) }
