package web

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"casetrail/incident"
)

// The public's two doors (issue 18; public_*.go): Kiểm tra trang chính
// thức (GET /check, and GET /public/check as JSON) and Phản ánh của người
// dân (GET and POST /public/report, GET /public/track). They need no login
// and open no session: they are served beside the language switch, before
// the session middleware. What they answer comes from Options.Public (the
// wiring hands the public service, package public, which sends a report
// through the same intake and Casbin grants as every report); what this
// package adds is the pages, their words, and the abuse controls: a token
// bucket per client address, one for the reports of each address and one
// for the reports of all addresses together, request size limits, and a
// honeypot field.

// Public is the public service the public pages ask (public.Service).
type Public interface {
	// Check answers the account check of url (BAD_USER_INPUT on "url"
	// for what is not an absolute http(s) link).
	Check(ctx context.Context, url string) (incident.PublicCheck, error)
	// ReportUnits returns the units a citizen may send a report to.
	ReportUnits(ctx context.Context) ([]incident.Unit, error)
	// Report takes a citizen's report in from client and returns its
	// tracking code; again is true when the same report from the same
	// address came in a moment ago and its code is answered again.
	Report(ctx context.Context, r incident.PublicReport, client string) (code string, again bool, err error)
	// Track returns the public status of the case a code follows and when
	// it last changed (NOT_FOUND for no such code).
	Track(ctx context.Context, code string) (status string, changed time.Time, err error)
	// ContactRetention is how long a citizen's contact is kept (the
	// consent text says it).
	ContactRetention() time.Duration
}

// PublicLimits are the abuse limits of the public pages; zero values take
// the defaults.
type PublicLimits struct {
	// PerSecond and Burst are the token bucket of each client address
	// over every public request (default 1 a second, a burst of 30). IPv6
	// addresses count by their /64, which one subscriber holds.
	PerSecond float64
	Burst     int
	// ReportsPerHour and ReportBurst are the bucket of the reports sent
	// from one address (default 12 an hour, a burst of 5).
	ReportsPerHour float64
	ReportBurst    int
	// AllReportsPerMinute and AllReportBurst bound the reports of every
	// address together (default 30 a minute, a burst of 60), so a crowd of
	// addresses cannot flood the communes' queues either.
	AllReportsPerMinute float64
	AllReportBurst      int
}

func (l PublicLimits) withDefaults() PublicLimits {
	if l.PerSecond <= 0 {
		l.PerSecond, l.Burst = 1, 30
	}
	l.Burst = max(l.Burst, 1)
	if l.ReportsPerHour <= 0 {
		l.ReportsPerHour, l.ReportBurst = 12, 5
	}
	l.ReportBurst = max(l.ReportBurst, 1)
	if l.AllReportsPerMinute <= 0 {
		l.AllReportsPerMinute, l.AllReportBurst = 30, 60
	}
	l.AllReportBurst = max(l.AllReportBurst, 1)
	return l
}

// Request size limits of the public pages.
const (
	// maxPublicForm bounds the report form's body: five links of
	// incident.MaxURL characters and the texts, encoded, fit in it.
	maxPublicForm = 48 << 10
	// maxPublicQuery bounds the query string of the public GETs (a link
	// of incident.MaxURL characters, percent-encoded).
	maxPublicQuery = 8 << 10
)

// limiter keeps one token bucket per key, forgetting the buckets that
// have stayed idle long enough to be full again.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// maxBuckets is how many addresses a limiter keeps before it sweeps the
// idle ones.
const maxBuckets = 50000

func newLimiter(every rate.Limit, burst int, now func() time.Time) *limiter {
	return &limiter{every: every, burst: burst, buckets: map[string]*bucket{}, now: now}
}

// take spends a token of key's bucket and returns 0, or leaves it and
// returns how long until one is there.
func (l *limiter) take(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{lim: rate.NewLimiter(l.every, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Hour
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// sweep forgets the buckets idle for longer than refilling takes.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(float64(l.burst) / float64(l.every) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) > full {
			delete(l.buckets, k)
		}
	}
}

// publicGuard holds the public pages' limiters.
type publicGuard struct {
	requests, reports, allReports *limiter
}

func newPublicGuard(l PublicLimits, now func() time.Time) *publicGuard {
	l = l.withDefaults()
	return &publicGuard{
		requests:   newLimiter(rate.Limit(l.PerSecond), l.Burst, now),
		reports:    newLimiter(rate.Limit(l.ReportsPerHour/3600), l.ReportBurst, now),
		allReports: newLimiter(rate.Limit(l.AllReportsPerMinute/60), l.AllReportBurst, now),
	}
}

// publicClient is the address of r's client: the TCP peer, or, when the
// peer is one of Options.TrustedProxies, the nearest address of
// X-Forwarded-For that is not (a client may put anything in the header,
// so only what the trusted proxies appended counts).
func (h *Handler) publicClient(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !peer.IsValid() || !h.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a hop the proxies did not write: trust nothing before it
		}
		a = a.Unmap()
		if !h.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (h *Handler) trusted(a netip.Addr) bool {
	for _, p := range h.o.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the TCP peer of r (the zero Addr when RemoteAddr is no
// address).
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// clientKey is the key of a's buckets: the address, or its /64 for IPv6.
func clientKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// publicLimited serves next when the client's bucket (and, for a report
// sent, the report buckets) allows, and answers 429 with Retry-After
// otherwise: JSON for the JSON endpoint, the error page for the pages.
func (h *Handler) publicLimited(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.o.Public == nil {
			h.notFound(w, r)
			return
		}
		p := NewPrinter(requestLang(r))
		key := clientKey(h.publicClient(r))
		wait := h.guardPublic.requests.take(key)
		if wait == 0 && r.Method == http.MethodPost {
			if wait = h.guardPublic.reports.take(key); wait == 0 {
				wait = h.guardPublic.allReports.take("all")
			}
		}
		if wait > 0 {
			h.log.Warn("public page: rate limited", "path", r.URL.Path, "client", key, "retry_after", wait.Round(time.Second))
			h.publicRefuse(w, r, http.StatusTooManyRequests, "RATE_LIMITED", p.T("public.err.rateLimited", retrySeconds(wait)), wait)
			return
		}
		if len(r.URL.RawQuery) > maxPublicQuery {
			h.publicRefuse(w, r, http.StatusRequestURITooLong, incident.CodeBadUserInput, p.T("public.err.tooLarge"), 0)
			return
		}
		next(w, r)
	})
}

// publicRefuse answers a refused public request: status, a Retry-After
// when wait > 0, and msg as JSON {"error": code, "message": msg} on
// /public/check, else as the error page.
func (h *Handler) publicRefuse(w http.ResponseWriter, r *http.Request, status int, code, msg string, wait time.Duration) {
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
	}
	if r.URL.Path == "/public/check" {
		body := map[string]any{"error": code, "message": msg}
		if wait > 0 {
			body["retryAfter"] = retrySeconds(wait)
		}
		writePublicJSON(w, status, body)
		return
	}
	p := NewPrinter(requestLang(r))
	h.render(w, r, status, "error", &page{P: p, Title: p.T("error.title"), Data: msg, Path: "/check"})
}

// retrySeconds is wait in whole seconds, rounded up (at least 1).
func retrySeconds(wait time.Duration) int { return max(1, int(math.Ceil(wait.Seconds()))) }
