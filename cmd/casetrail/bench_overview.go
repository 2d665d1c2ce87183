package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"casetrail/api"
	"casetrail/incident"
)

// The leaders' overview in the bench (issue 15): GET /overview as a leader
// of the whole generated province, over the last 365 days — every case the
// generator spread over the past year in that province.
const (
	// benchOverviewUnit is the province whose leader opens the overview:
	// 9 of the generator's 11 case units, so about 82,000 of 100,000
	// generated cases (the other province holds the rest).
	benchOverviewUnit = "lai-chau"
	// benchOverviewUsers spread the page loads over this many leaders (the
	// per-subject request budget).
	benchOverviewUsers = 8
	// benchOverviewRuns is how many pages are timed (fewer with --quick).
	benchOverviewRuns      = 100
	benchOverviewQuickRuns = 30
)

// benchOverviewTotal reads the count of cases received in the period from
// the overview's tile (data-fig="total").
var benchOverviewTotal = regexp.MustCompile(`data-fig="total" data-value="([0-9]+)"`)

// uiOverview times the server side of GET /overview (session, the
// in-process GraphQL of the viewer, the units and stats with its
// breakdowns, the SVG charts, rendering) for a leader of
// benchOverviewUnit over the last 365 days, the time taken around the
// server's handler as uiWorklist takes it. It returns the p95.
func (r *benchRun) uiOverview(ctx context.Context) (time.Duration, error) {
	if !r.plan.phases["list"] {
		return 0, nil
	}
	names, err := r.benchWebUsers(ctx, "bench-ui-leader", "Lãnh đạo ", api.RoleLeader, benchOverviewUnit, benchOverviewUsers)
	if err != nil {
		return 0, fmt.Errorf("bench: overview: %w", err)
	}

	var mu sync.Mutex
	var server []time.Duration
	h := r.a.handler(role{api: true, worker: true})
	timed := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/overview" {
			h.ServeHTTP(w, req)
			return
		}
		t := time.Now()
		h.ServeHTTP(w, req)
		d := time.Since(t)
		mu.Lock()
		server = append(server, d)
		mu.Unlock()
	})
	base, stop, err := benchServe(ctx, timed)
	if err != nil {
		return 0, fmt.Errorf("bench: overview: %w", err)
	}
	defer stop()
	clients, err := benchLogin(ctx, base, names)
	if err != nil {
		return 0, fmt.Errorf("bench: overview: %w", err)
	}
	today := time.Now().In(incident.VietnamTime)
	period := url.Values{"unit": {benchOverviewUnit}, "from": {today.AddDate(0, 0, -365).Format("02/01/2006")},
		"to": {today.Format("02/01/2006")}}
	path := base + "/overview?" + period.Encode()
	page := func(i int) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		resp, err := clients[i%len(clients)].Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		body := string(b)
		if resp.StatusCode != http.StatusOK || !benchOverviewTotal.MatchString(body) || strings.Contains(body, `class="error"`) ||
			strings.Contains(body, `class="notice"`) {
			return "", fmt.Errorf("GET /overview: %s, not the province's overview:\n%.600s", resp.Status, body)
		}
		return body, nil
	}
	var body string
	for i := range 2 * len(clients) { // warm up: plans, caches, connections
		if body, err = page(i); err != nil {
			return 0, fmt.Errorf("bench: overview: %w", err)
		}
	}
	mu.Lock()
	server = server[:0]
	mu.Unlock()
	runs := benchOverviewRuns
	if r.plan.cases < 100_000 {
		runs = benchOverviewQuickRuns
	}
	endProfile := r.profile("overview")
	for i := range runs {
		if body, err = page(i); err != nil {
			endProfile()
			return 0, fmt.Errorf("bench: overview: %w", err)
		}
	}
	endProfile()
	mu.Lock()
	lat := append([]time.Duration(nil), server...)
	mu.Unlock()
	fmt.Fprintf(r.out, "ui: %d GET /overview as a leader of %s over 365 days (%s cases received in it, a page of %d bytes): server time p50 %.1f ms, p95 %.1f ms\n",
		len(lat), benchOverviewUnit, benchOverviewTotal.FindStringSubmatch(body)[1], len(body),
		benchMS(benchQuantile(lat, 0.5)), benchMS(benchQuantile(lat, 0.95)))
	return benchQuantile(lat, 0.95), nil
}
