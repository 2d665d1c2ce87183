package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"casetrail/incident"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics of a CaseTrail process, on a registry of
// their own (plus the Go and process collectors).
type Metrics struct {
	Registry *prometheus.Registry
	// Requests counts GraphQL operations by operation name and result code
	// ("OK" or the contract's error code).
	Requests *prometheus.CounterVec
	// Latency observes GraphQL request durations by operation name.
	Latency *prometheus.HistogramVec

	// known holds the operation names used as labels (SetOperations); any
	// other name is counted as OtherOperation.
	known atomic.Pointer[map[string]bool]
}

// Operation labels besides the names of SetOperations: an anonymous
// operation is labelled by its type, a request refused before its operation
// was known "anonymous", and every other name OtherOperation.
const (
	OtherOperation = "other"
)

var builtinOperations = []string{"query", "mutation", "anonymous"}

// SetOperations sets the operation names that label series (the API's query
// and mutation fields); a client-chosen name outside them, and outside
// "query", "mutation" and "anonymous", is counted as "other", so clients
// cannot add series.
func (m *Metrics) SetOperations(names []string) {
	k := make(map[string]bool, len(names)+len(builtinOperations))
	for _, n := range append(names, builtinOperations...) {
		k[n] = true
	}
	m.known.Store(&k)
}

// operationLabel is the label of operation name.
func (m *Metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if k := m.known.Load(); k != nil && (*k)[name] {
		return name
	}
	for _, b := range builtinOperations {
		if name == b {
			return name
		}
	}
	return OtherOperation
}

// NewMetrics registers the API metrics and, when pool is not nil, gauges of
// open cases and overdue deadlines read from the read model at scrape time.
func NewMetrics(pool *pgxpool.Pool) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casetrail_graphql_requests_total",
			Help: "GraphQL requests by operation and result code.",
		}, []string{"operation", "code"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "casetrail_graphql_request_duration_seconds",
			Help:    "GraphQL request latency by operation.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
	}
	m.Registry.MustRegister(m.Requests, m.Latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		m.Registry.MustRegister(&readModelCollector{pool: pool})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Observe records one GraphQL request, under the operation's label (see
// SetOperations).
func (m *Metrics) Observe(operation, code string, d time.Duration) {
	operation = m.operationLabel(operation)
	if code == "" {
		code = "OK"
	}
	m.Requests.WithLabelValues(operation, code).Inc()
	m.Latency.WithLabelValues(operation).Observe(d.Seconds())
}

var (
	openCasesDesc = prometheus.NewDesc("casetrail_open_cases", "Cases not yet resolved, closed or rejected, by status.", []string{"status"}, nil)
	overdueDesc   = prometheus.NewDesc("casetrail_overdue_deadlines", "PENDING deadlines already past due, by kind.", []string{"kind"}, nil)
	failuresDesc  = prometheus.NewDesc("casetrail_deadlines_missed_total", "Deadlines that were missed, by kind.", []string{"kind"}, nil)
)

// readModelCollector reads its gauges from the read-model tables when scraped.
type readModelCollector struct{ pool *pgxpool.Pool }

func (c *readModelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- openCasesDesc
	ch <- overdueDesc
	ch <- failuresDesc
}

func (c *readModelCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gauge := func(desc *prometheus.Desc, typ prometheus.ValueType, sql string, args ...any) {
		rows, err := c.pool.Query(ctx, sql, args...)
		if err != nil {
			slog.Warn("metrics: read model query failed", "err", err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var label string
			var n float64
			if err := rows.Scan(&label, &n); err != nil {
				return
			}
			ch <- prometheus.MustNewConstMetric(desc, typ, n, label)
		}
	}
	gauge(openCasesDesc, prometheus.GaugeValue,
		`SELECT status, count(*)::float8 FROM cases WHERE status = ANY($1) GROUP BY status`, openStatuses())
	gauge(overdueDesc, prometheus.GaugeValue,
		`SELECT kind, count(*)::float8 FROM deadlines WHERE state = 'PENDING' AND due_at <= now() GROUP BY kind`)
	gauge(failuresDesc, prometheus.CounterValue,
		`SELECT kind, count(*)::float8 FROM deadlines WHERE state = 'MISSED' GROUP BY kind`)
}

// openStatuses are the statuses incident.Status.Open calls open.
func openStatuses() []string {
	var out []string
	for _, st := range incident.Statuses {
		if st.Open() {
			out = append(out, string(st))
		}
	}
	return out
}
