package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
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
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if pool != nil {
		m.Registry.MustRegister(&readModelCollector{pool: pool})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Observe records one GraphQL request.
func (m *Metrics) Observe(operation, code string, d time.Duration) {
	if operation == "" {
		operation = "anonymous"
	}
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
	gauge := func(desc *prometheus.Desc, typ prometheus.ValueType, sql string) {
		rows, err := c.pool.Query(ctx, sql)
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
		`SELECT status, count(*)::float8 FROM cases WHERE status IN ('REPORTED','TRIAGED','ANALYSIS','ACTION','ESCALATED') GROUP BY status`)
	gauge(overdueDesc, prometheus.GaugeValue,
		`SELECT kind, count(*)::float8 FROM deadlines WHERE state = 'PENDING' AND due_at <= now() GROUP BY kind`)
	gauge(failuresDesc, prometheus.CounterValue,
		`SELECT kind, count(*)::float8 FROM deadlines WHERE state = 'MISSED' GROUP BY kind`)
}
