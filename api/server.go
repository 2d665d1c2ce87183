package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"golang.org/x/time/rate"

	"casetrail/api/graphiql"
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
	// MetricsElsewhere leaves /metrics out (production serves it on a
	// listen address of its own: Metrics.Handler).
	MetricsElsewhere bool
	Logger           *slog.Logger
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
	// RatePerSecond and Burst bound each subject's requests (RATE_LIMITED
	// beyond); zero means 50/s with a burst of 100.
	RatePerSecond float64
	Burst         int
	// CostPerSecond and CostBurst bound the query cost (OperationCost's
	// Units) each subject may spend; zero means 100,000/s with a burst of
	// 300,000. The burst is at least the cost limit of one request.
	CostPerSecond float64
	CostBurst     int
	// CommandsPerSecond and CommandBurst bound the commands (mutation
	// fields, each alias counted) each subject may run; zero means 50/s
	// with a burst of 100.
	CommandsPerSecond float64
	CommandBurst      int
	// MaxResponseBytes bounds an encoded GraphQL response; zero means
	// DefaultMaxResponseBytes. A larger one is answered QUERY_TOO_COMPLEX.
	MaxResponseBytes int
	// Executor, when set, is the in-process executor NewExecutor made of
	// these options: /graphql then runs on it, so the web interface and
	// the HTTP API share each subject's budgets.
	Executor *Executor
	// UI, when set, serves every path the API does not (the web interface
	// at "/"); /graphql, /healthz, /readyz and /metrics keep their routes.
	UI http.Handler
}

// DefaultMaxResponseBytes is the largest GraphQL response sent (8 MiB).
const DefaultMaxResponseBytes = 8 << 20

// NewServer returns the HTTP API: POST (and GET for queries) /graphql behind
// the edge protections, GraphiQL for browsers in development (the page and
// its embedded assets under graphiql.AssetPrefix), /healthz, /readyz and
// /metrics. Without a Schema (a worker process) only the last three are
// served. Every response carries SecureHeaders' headers.
func NewServer(o ServerOptions) http.Handler {
	o = o.withDefaults()
	gql := newOpHandler(o)
	if o.Executor != nil {
		gql = o.Executor.h // one set of budgets for /graphql and in-process callers
	}
	hardened := Harden(gql, o.Auth, o.Timeout)

	mux := http.NewServeMux()
	if o.Schema.QueryType() != nil { // a worker-only process serves no graph
		mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && !o.Production && wantsHTML(r) {
				graphiql.ServePage(w, r)
				return
			}
			hardened.ServeHTTP(w, r)
		})
		if !o.Production {
			mux.Handle("GET "+graphiql.AssetPrefix, graphiql.Assets())
		}
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
	if o.Schema.QueryType() != nil {
		o.Metrics.SetOperations(OperationNames(o.Schema))
	}
	if !o.MetricsElsewhere {
		mux.Handle("GET /metrics", o.Metrics.Handler())
	}
	if o.UI != nil {
		mux.Handle("/", o.UI) // the UI sets its own, page-fitting headers over SecureHeaders'
	}
	return SecureHeaders(mux)
}

// withDefaults returns o with every zero limit set to its default.
func (o ServerOptions) withDefaults() ServerOptions {
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
	if o.CostPerSecond == 0 {
		o.CostPerSecond, o.CostBurst = 100000, 300000
	}
	if o.CommandsPerSecond == 0 {
		o.CommandsPerSecond, o.CommandBurst = 50, 100
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	limits := DefaultLimits()
	o.CostBurst = max(o.CostBurst, limits.MaxCost)
	o.CommandBurst = max(o.CommandBurst, limits.MaxCommands)
	return o
}

// newOpHandler returns the GraphQL operation handler of o (withDefaults
// applied), with its own limiter.
func newOpHandler(o ServerOptions) *opHandler {
	limits := DefaultLimits()
	limits.NoIntrospection = o.Production
	return &opHandler{opts: o, limits: limits, limiter: newLimiter(budgets{
		requests: bucket{rate.Limit(o.RatePerSecond), o.Burst},
		cost:     bucket{rate.Limit(o.CostPerSecond), o.CostBurst},
		commands: bucket{rate.Limit(o.CommandsPerSecond), o.CommandBurst},
	})}
}

// APICSP is the Content-Security-Policy of every response but the GraphiQL
// page (which sets graphiql.PageCSP): JSON and metrics load nothing and may
// not be framed.
const APICSP = "default-src 'none'; frame-ancestors 'none'"

// SecureHeaders sets, on every response of h, the Content-Security-Policy
// APICSP (a handler may replace it with a stricter-fitting one, as the
// GraphiQL page does), X-Content-Type-Options: nosniff and
// Referrer-Policy: no-referrer.
func SecureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", APICSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// OperationNames returns the names of the schema's query and mutation
// fields: the operation names a well-behaved client uses, and the only ones
// that label metrics.
func OperationNames(s graphql.Schema) []string {
	var names []string
	for _, t := range []*graphql.Object{s.QueryType(), s.MutationType()} {
		if t == nil {
			continue
		}
		for name := range t.Fields() {
			names = append(names, name)
		}
	}
	return names
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
		WriteError(w, http.StatusTooManyRequests, CodeRateLimited, "too many requests; slow down")
		h.opts.Metrics.Observe("", CodeRateLimited, time.Since(began))
		return
	}
	op, herr := PrepareOperation(r, h.limits)
	if herr != nil {
		WriteHTTPError(w, herr)
		h.opts.Metrics.Observe("", herr.Code, time.Since(began))
		return
	}
	if herr := h.charge(sub, op); herr != nil {
		WriteHTTPError(w, herr)
		h.opts.Metrics.Observe("", herr.Code, time.Since(began))
		return
	}
	res, name := h.execute(r.Context(), sub, op, began, "request_id", r.Header.Get("X-Request-Id"))
	body, err := json.Marshal(res)
	if err != nil {
		h.opts.Logger.Error("graphql: encode response", "operation", name, "err", err)
		WriteError(w, http.StatusInternalServerError, incident.CodeInternal, "internal error")
		return
	}
	if len(body) > h.opts.MaxResponseBytes {
		// The result is dropped rather than sent: a client that asks for
		// more than this is better served by smaller pages.
		status, msg := http.StatusBadRequest, fmt.Sprintf("the response would be %d bytes; the limit is %d MiB: ask for smaller pages (first, limit) or fewer fields",
			len(body), h.opts.MaxResponseBytes>>20)
		if op.Type == ast.OperationTypeMutation {
			status, msg = http.StatusOK, msg+"; the commands of this request were carried out: read the case to see the result"
		}
		h.opts.Logger.Warn("graphql: response too large", "subject", sub, "operation", name, "bytes", len(body))
		WriteError(w, status, CodeQueryTooComplex, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n'))
}

// execute runs op, prepared and charged, as sub (in the context both
// resolvers and the API read: schema.WithSubject, WithSubject), with the
// command request ids derived from its idempotency key; it finishes the
// errors, observes the metric and logs the operation with logAttrs. It
// returns the result and the operation's name for metrics and logs.
func (h *opHandler) execute(ctx context.Context, sub string, op *Operation, began time.Time, logAttrs ...any) (*graphql.Result, string) {
	ctx = schema.WithSubject(WithSubject(ctx, sub), sub)
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
	h.opts.Logger.Info("graphql", append([]any{"subject", sub, "operation", name, "code", code,
		"ms", time.Since(began).Milliseconds()}, logAttrs...)...)
	return res, name
}

// charge checks op's cost against the limits of one request (HTTP 400,
// QUERY_TOO_COMPLEX) and takes it from sub's cost and command budgets
// (HTTP 429, RATE_LIMITED, with Retry-After).
func (h *opHandler) charge(sub string, op *Operation) *HTTPError {
	def, herr := selectOperation(op.Document, op.Name)
	if herr != nil {
		return herr
	}
	cost := OperationCost(op.Document, def, op.Request.Variables)
	if err := CheckCost(cost, h.limits, op.Name); err != nil {
		return httpError(http.StatusBadRequest, CodeQueryTooComplex, "%s", incident.ErrorMessage(err))
	}
	wait, what := h.limiter.take(sub, cost)
	if wait <= 0 {
		return nil
	}
	secs := int(math.Ceil(wait.Seconds()))
	var msg string
	switch what {
	case "cost":
		msg = fmt.Sprintf("query budget exhausted: this request costs %d and each user may spend %g per second (bursts up to %d); try again in %d s",
			cost.Units, float64(h.opts.CostPerSecond), h.opts.CostBurst, secs)
	default:
		msg = fmt.Sprintf("command budget exhausted: this request runs %d commands and each user may run %g per second (bursts up to %d); try again in %d s",
			cost.Commands, float64(h.opts.CommandsPerSecond), h.opts.CommandBurst, secs)
	}
	return httpError(http.StatusTooManyRequests, CodeRateLimited, "%s", msg).with("Retry-After", strconv.Itoa(secs))
}

// bucket is the rate and burst of a token bucket.
type bucket struct {
	perSec rate.Limit
	burst  int
}

// budgets are the buckets every subject gets: requests, query cost units
// and commands.
type budgets struct {
	requests, cost, commands bucket
}

// subjectBudget is one subject's buckets.
type subjectBudget struct {
	requests, cost, commands *rate.Limiter
}

// limiter keeps the token buckets of each subject.
type limiter struct {
	mu      sync.Mutex
	b       budgets
	buckets map[string]*subjectBudget
}

func newLimiter(b budgets) *limiter {
	return &limiter{b: b, buckets: map[string]*subjectBudget{}}
}

func (l *limiter) of(sub string) *subjectBudget {
	l.mu.Lock()
	defer l.mu.Unlock()
	sb, ok := l.buckets[sub]
	if !ok {
		if len(l.buckets) > 100000 {
			l.buckets = map[string]*subjectBudget{} // bounded memory; forgetting buckets only forgives
		}
		sb = &subjectBudget{
			requests: rate.NewLimiter(l.b.requests.perSec, l.b.requests.burst),
			cost:     rate.NewLimiter(l.b.cost.perSec, l.b.cost.burst),
			commands: rate.NewLimiter(l.b.commands.perSec, l.b.commands.burst),
		}
		l.buckets[sub] = sb
	}
	return sb
}

// allow takes one request from sub's request bucket.
func (l *limiter) allow(sub string) bool {
	return l.of(sub).requests.Allow()
}

// take takes c's units and commands from sub's buckets, both or neither. It
// returns 0 when it did, or how long to wait and which budget ("cost" or
// "commands") is short.
func (l *limiter) take(sub string, c Cost) (time.Duration, string) {
	sb := l.of(sub)
	now := time.Now()
	cost := sb.cost.ReserveN(now, c.Units)
	if wait := cost.DelayFrom(now); !cost.OK() || wait > 0 {
		cost.CancelAt(now)
		return max(wait, time.Second), "cost"
	}
	if c.Commands == 0 {
		return 0, ""
	}
	cmds := sb.commands.ReserveN(now, c.Commands)
	if wait := cmds.DelayFrom(now); !cmds.OK() || wait > 0 {
		cmds.CancelAt(now)
		cost.CancelAt(now)
		return max(wait, time.Second), "commands"
	}
	return 0, ""
}
