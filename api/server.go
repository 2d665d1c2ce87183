package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/graphql-go/graphql"
	"golang.org/x/time/rate"

	"casetrail/incident"
	"casetrail/schema"
)

// ServerOptions configure the HTTP API.
type ServerOptions struct {
	Schema graphql.Schema
	Auth   *Authenticator
	// Production turns off introspection and GraphiQL and masks field-name
	// suggestions in errors.
	Production bool
	// Ready reports whether the process can serve (database, Temporal, worker).
	Ready   func(ctx context.Context) error
	Metrics *Metrics
	Logger  *slog.Logger
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
	// RatePerSecond and Burst bound each subject's requests (RATE_LIMITED
	// beyond); zero means 50/s with a burst of 100.
	RatePerSecond float64
	Burst         int
}

// NewServer returns the HTTP API: POST (and GET for queries) /graphql behind
// the edge protections, GraphiQL for browsers in development, /healthz,
// /readyz and /metrics. Without a Schema (a worker process) only the last
// three are served.
func NewServer(o ServerOptions) http.Handler {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	if o.RatePerSecond == 0 {
		o.RatePerSecond, o.Burst = 50, 100
	}
	limits := DefaultLimits()
	limits.NoIntrospection = o.Production
	gql := &opHandler{opts: o, limits: limits, limiter: newLimiter(o.RatePerSecond, o.Burst)}
	hardened := Harden(gql, o.Auth, o.Timeout)

	mux := http.NewServeMux()
	if o.Schema.QueryType() != nil { // a worker-only process serves no graph
		mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && !o.Production && wantsHTML(r) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = w.Write([]byte(graphiQL))
				return
			}
			hardened.ServeHTTP(w, r)
		})
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if o.Ready != nil {
			if err := o.Ready(r.Context()); err != nil {
				WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
				return
			}
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", o.Metrics.Handler())
	return mux
}

func wantsHTML(r *http.Request) bool {
	return r.URL.Query().Get("query") == "" && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// opHandler runs one checked GraphQL operation per request.
type opHandler struct {
	opts    ServerOptions
	limits  Limits
	limiter *limiter
}

func (h *opHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	sub, _ := SubjectFrom(r.Context())
	if !h.limiter.allow(sub) {
		WriteError(w, http.StatusTooManyRequests, incident.CodeRateLimited, "too many requests; slow down")
		h.opts.Metrics.Observe("", incident.CodeRateLimited, time.Since(began))
		return
	}
	op, herr := PrepareOperation(r, h.limits)
	if herr != nil {
		WriteHTTPError(w, herr)
		h.opts.Metrics.Observe("", herr.Code, time.Since(began))
		return
	}
	ctx := schema.WithSubject(r.Context(), sub)
	if op.IdempotencyKey != "" {
		ctx = schema.WithRequestID(ctx, sub+"/"+op.IdempotencyKey)
	}
	res := schema.ExecuteDocument(ctx, h.opts.Schema, op.Document, op.Name, op.Request.Variables)
	FixLocations(op.Request.Query, res.Errors)
	if h.opts.Production {
		MaskSuggestions(res.Errors)
	}
	code := ""
	if len(res.Errors) > 0 {
		code = incident.CodeInternal
		if c, ok := res.Errors[0].Extensions["code"].(string); ok {
			code = c
		}
	}
	name := op.Name
	if name == "" {
		name = string(op.Type)
	}
	h.opts.Metrics.Observe(name, code, time.Since(began))
	h.opts.Logger.Info("graphql", "subject", sub, "operation", name, "code", code,
		"ms", time.Since(began).Milliseconds(), "request_id", r.Header.Get("X-Request-Id"))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(res)
}

// limiter keeps a token bucket per subject.
type limiter struct {
	mu      sync.Mutex
	perSec  rate.Limit
	burst   int
	buckets map[string]*rate.Limiter
}

func newLimiter(perSec float64, burst int) *limiter {
	return &limiter{perSec: rate.Limit(perSec), burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (l *limiter) allow(sub string) bool {
	l.mu.Lock()
	b, ok := l.buckets[sub]
	if !ok {
		if len(l.buckets) > 100000 {
			l.buckets = map[string]*rate.Limiter{} // bounded memory; forgetting buckets only forgives
		}
		b = rate.NewLimiter(l.perSec, l.burst)
		l.buckets[sub] = b
	}
	l.mu.Unlock()
	return b.Allow()
}

// graphiQL is the in-browser IDE served at GET /graphql in development. It
// asks for a token and sends it as a bearer header.
const graphiQL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CaseTrail GraphiQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>
const token = localStorage.getItem('casetrail-token') || prompt('Bearer token (casetrail token --sub NAME):') || '';
localStorage.setItem('casetrail-token', token);
const fetcher = GraphiQL.createFetcher({url: '/graphql', headers: {Authorization: 'Bearer ' + token}});
ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, {fetcher}));
</script></body></html>`
