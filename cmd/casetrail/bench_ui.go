package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"casetrail/api"
	"casetrail/web"
)

// The case desk's worklist in the bench (issue 14): GET /worklist as a
// handler of one district over the generated cases.
const (
	// benchUIUnit is the district whose handler opens the worklist (a
	// quarter of the generated cases are in its subtree).
	benchUIUnit = "lai-chau/tan-uyen"
	// benchUIUsers spread the page loads over this many users, so the
	// per-subject request budget (50/s) never answers instead of the page: a
	// case page runs several operations.
	benchUIUsers = 16
)

// benchUIPassword is the bench users' password (the bench database is its
// own and is dropped at the end).
const benchUIPassword = "bench-worklist-2026"

// benchWorklistCount reads the count a worklist page shows ("480 vụ việc",
// or "1.000+ vụ việc" beyond the count's limit; the + is escaped).
var benchWorklistCount = regexp.MustCompile(`<strong>([0-9.]+(?:\+|&#43;)?) vụ việc</strong>`)

// uiWorklist times the server side of GET /worklist (session, the
// in-process GraphQL of the viewer and the worklist, rendering) for a
// handler of benchUIUnit, over the data set the list phase measured. The
// time is taken around the server's handler, so the HTTP client and the
// loopback are not in it. It returns the p95.
func (r *benchRun) uiWorklist(ctx context.Context) (worklistP95, caseP95 time.Duration, err error) {
	if !r.plan.phases["list"] {
		return 0, 0, nil
	}
	names, err := r.benchWebUsers(ctx, "bench-ui-handler", "Cán bộ xử lý ", api.RoleHandler, benchUIUnit, benchUIUsers)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: ui: %w", err)
	}

	// The server as serve runs it, its handler timed on the worklist.
	var mu sync.Mutex
	var server, casePages []time.Duration
	h := r.a.handler(role{api: true, worker: true})
	timed := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		into := &server
		switch {
		case req.URL.Path == "/worklist":
		case benchCasePath.MatchString(req.URL.Path):
			into = &casePages
		default:
			h.ServeHTTP(w, req)
			return
		}
		t := time.Now()
		h.ServeHTTP(w, req)
		d := time.Since(t)
		mu.Lock()
		*into = append(*into, d)
		mu.Unlock()
	})
	base, stop, err := benchServe(ctx, timed)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: ui: %w", err)
	}
	defer stop()
	clients, err := benchLogin(ctx, base, names)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: ui: %w", err)
	}
	page := func(i int) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/worklist", nil)
		resp, err := clients[i%benchUIUsers].Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		body := string(b)
		if resp.StatusCode != http.StatusOK || !benchWorklistCount.MatchString(body) || strings.Contains(body, `class="error"`) {
			return "", fmt.Errorf("GET /worklist: %s, not a worklist:\n%.600s", resp.Status, body)
		}
		return body, nil
	}
	var body string
	for i := range 2 * benchUIUsers { // warm up: plans, caches, connections
		if body, err = page(i); err != nil {
			return 0, 0, fmt.Errorf("bench: ui: %w", err)
		}
	}
	mu.Lock()
	server = server[:0]
	mu.Unlock()
	endProfile := r.profile("ui")
	for i := range r.plan.listRuns {
		if body, err = page(i); err != nil {
			endProfile()
			return 0, 0, fmt.Errorf("bench: ui: %w", err)
		}
	}
	endProfile()
	mu.Lock()
	lat := append([]time.Duration(nil), server...)
	mu.Unlock()
	count := strings.Replace(benchWorklistCount.FindStringSubmatch(body)[1], "&#43;", "+", 1)
	fmt.Fprintf(r.out, "ui: %d GET /worklist as a handler of %s (%s open cases in its list, a page of %d bytes): server time p50 %.1f ms, p95 %.1f ms\n",
		len(lat), benchUIUnit, count, len(body), benchMS(benchQuantile(lat, 0.5)), benchMS(benchQuantile(lat, 0.95)))

	// The case pages the worklist links to, each opened in turn.
	var ids []string
	for _, m := range benchCaseLink.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		return 0, 0, fmt.Errorf("bench: ui: the worklist links to no case")
	}
	casePage := func(i int) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/cases/"+ids[i%len(ids)], nil)
		resp, err := clients[i%benchUIUsers].Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "/audit") {
			return 0, fmt.Errorf("GET /cases/%s: %s, not a case page:\n%.600s", ids[i%len(ids)], resp.Status, b)
		}
		return len(b), nil
	}
	size := 0
	for i := range r.plan.listRuns + 2*benchUIUsers {
		if size, err = casePage(i); err != nil {
			return 0, 0, fmt.Errorf("bench: ui: %w", err)
		}
		if i == 2*benchUIUsers-1 { // warmed up
			mu.Lock()
			casePages = casePages[:0]
			mu.Unlock()
		}
	}
	mu.Lock()
	clat := append([]time.Duration(nil), casePages...)
	mu.Unlock()
	fmt.Fprintf(r.out, "ui: %d GET /cases/{id} of %d cases of that list (a page of %d bytes): server time p50 %.1f ms, p95 %.1f ms\n",
		len(clat), len(ids), size, benchMS(benchQuantile(clat, 0.5)), benchMS(benchQuantile(clat, 0.95)))
	return benchQuantile(lat, 0.95), benchQuantile(clat, 0.95), nil
}

// benchCasePath is the path of a case page; benchCaseLink a worklist's
// link to one.
var (
	benchCasePath = regexp.MustCompile(`^/cases/[^/]+$`)
	benchCaseLink = regexp.MustCompile(`href="/cases/([^"/#?]+)"`)
)

// benchWebUsers creates n users of the web interface named prefix-0 … (the
// display name prefixed by display), each granted role on unit, with
// benchUIPassword; users already there are kept.
func (r *benchRun) benchWebUsers(ctx context.Context, prefix, display, role, unit string, n int) ([]string, error) {
	users := web.NewUsers(r.a.store.Pool())
	hash, err := web.HashPassword(benchUIPassword)
	if err != nil {
		return nil, err
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d", prefix, i)
		if err := r.a.authz.Grant(ctx, api.Grant{Subject: names[i], Role: role, Unit: unit}); err != nil {
			return nil, err
		}
		err := users.Create(ctx, web.User{Username: names[i], DisplayName: display + names[i], PasswordHash: hash})
		if err != nil && !errors.Is(err, web.ErrUserExists) {
			return nil, err
		}
	}
	return names, nil
}

// benchServe serves h on a loopback port until stop.
func benchServe(ctx context.Context, h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop = func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// benchLogin logs each of names in at base with benchUIPassword and
// returns a client holding each one's session.
func benchLogin(ctx context.Context, base string, names []string) ([]*http.Client, error) {
	clients := make([]*http.Client, len(names))
	for i, name := range names {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login",
			strings.NewReader(url.Values{"username": {name}, "password": {benchUIPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("login as %s: %s", name, resp.Status)
		}
		clients[i] = c
	}
	return clients, nil
}
