package main

// The deadline storm's baseline (issue 19): the same storm on the same
// Temporal server and worker process, with nothing of CaseTrail in it.

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	benchBareStormQueue    = "casetrail-bench-bare-storm"
	benchBareStormWorkflow = "CaseTrailBenchBareStorm"
)

// benchBareStorm is what a case's clock does in the storm, bare: a timer to
// the reminder's due time, a local activity that records when it ran, a
// timer to the miss's due time and another local activity (the case
// workflow stores its reminders and misses by local activity too). It
// returns the lateness of both: the recorded time minus the due time.
func benchBareStorm(ctx workflow.Context, due []time.Time) ([]time.Duration, error) {
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: 30 * time.Second})
	late := make([]time.Duration, 0, len(due))
	for _, at := range due {
		if d := at.Sub(workflow.Now(ctx)); d > 0 {
			if err := workflow.Sleep(ctx, d); err != nil {
				return nil, err
			}
		}
		var recorded time.Time
		if err := workflow.ExecuteLocalActivity(ctx, benchStormRecord).Get(ctx, &recorded); err != nil {
			return nil, err
		}
		late = append(late, recorded.Sub(at))
	}
	return late, nil
}

// benchStormRecord is the bare storm's record of a firing: its time.
func benchStormRecord(context.Context) (time.Time, error) { return time.Now(), nil }

// stormBaseline are the figures of the bare storm.
type stormBaseline struct {
	n             int // workflows, each a reminder and a miss
	p50, p95, max time.Duration
	cpuPerFiring  time.Duration // this process's CPU per firing, from just before the first was due
	stickyMisses  float64       // the workflow cache's misses over the firings
}

// bareStorm runs the baseline of the storm of n cases: n bare workflows
// whose reminders fall due on the whole seconds of spread after the last
// one is open and whose misses come gap later, as storm does for the cases
// (with stormSpread and stormGap; the quick bench shortens both), on a worker
// with the case worker's options in the same process. It waits for every
// workflow's result and returns the lateness of their 2n firings.
func (r *benchRun) bareStorm(ctx context.Context, n int, spread, gap time.Duration) (stormBaseline, error) {
	f := stormBaseline{n: n}
	w := sdkworker.New(r.a.temporal, benchBareStormQueue, caseWorkerOptions())
	w.RegisterWorkflowWithOptions(benchBareStorm, workflow.RegisterOptions{Name: benchBareStormWorkflow})
	if err := w.Start(); err != nil {
		return f, fmt.Errorf("bench: bare storm worker: %w", err)
	}
	defer w.Stop()

	start := func(ctx context.Context, i int, due ...time.Time) (client.WorkflowRun, error) {
		return r.a.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        fmt.Sprintf("bench-bare-storm-%s-%s-%d", r.store, r.runID, i),
			TaskQueue: benchBareStormQueue,
		}, benchBareStormWorkflow, due)
	}
	// The rate of starting, measured on a few workflows due at once, sets
	// the window, as in storm.
	const probe = 40
	warm := time.Now()
	for i := range probe {
		run, err := start(ctx, -1-i, time.Now(), time.Now())
		if err != nil {
			return f, fmt.Errorf("bench: bare storm warm-up: %w", err)
		}
		if err := run.Get(ctx, nil); err != nil {
			return f, fmt.Errorf("bench: bare storm warm-up: %w", err)
		}
	}
	// Never planned faster than 50 a second: starting them is work for the
	// same server the probe saw idle.
	perCase := max(time.Since(warm)/probe/benchStormCreators*4, time.Second/50)
	t0 := time.Now().Add(time.Duration(n)*perCase + min(spread, 30*time.Second))
	fmt.Fprintf(r.out, "storm baseline (%s): starting %d bare workflows, reminders due between %s and %s, misses %s later%s\n",
		r.store, n, t0.Format("15:04:05"), t0.Add(spread).Format("15:04:05"), gap, benchLoadAverage())

	runs := make([]client.WorkflowRun, n)
	began := time.Now()
	if err := benchEach(ctx, n, benchStormCreators, func(i int) error {
		remind := t0.Add(time.Duration(i%max(int(spread/time.Second), 1)) * time.Second)
		if time.Until(remind) < time.Second {
			return fmt.Errorf("bench: bare storm: workflow %d would fire in %s: starting took longer than planned", i, time.Until(remind).Round(time.Millisecond))
		}
		var err error
		runs[i], err = start(ctx, i, remind, remind.Add(gap))
		return err
	}); err != nil {
		return f, err
	}
	fmt.Fprintf(r.out, "storm baseline (%s): %d started in %s%s\n", r.store, n, time.Since(began).Round(time.Millisecond), benchLoadAverage())
	select {
	case <-ctx.Done():
		return f, ctx.Err()
	case <-time.After(time.Until(t0.Add(-2 * time.Second))):
	}
	cpu0 := processCPU()
	sticky0, _ := stickyCacheCounters(r.a)
	late := make([]time.Duration, 0, 2*n)
	var mu sync.Mutex
	if err := benchEach(ctx, n, benchStormCreators, func(i int) error {
		var l []time.Duration
		if err := runs[i].Get(ctx, &l); err != nil {
			return fmt.Errorf("bench: bare storm workflow %d: %w", i, err)
		}
		if len(l) != 2 {
			return fmt.Errorf("bench: bare storm workflow %d recorded %d firings, want 2", i, len(l))
		}
		mu.Lock()
		late = append(late, l...)
		mu.Unlock()
		return nil
	}); err != nil {
		return f, err
	}
	drained := time.Since(t0)
	sticky1, _ := stickyCacheCounters(r.a)
	f.cpuPerFiring = (processCPU() - cpu0) / time.Duration(len(late))
	f.stickyMisses = sticky1 - sticky0
	f.p50, f.p95, f.max = benchQuantile(late, 0.5), benchQuantile(late, 0.95), benchQuantile(late, 1)
	fmt.Fprintf(r.out, "storm baseline (%s): %d bare workflows, %d firings: lateness p50 %.2f s, p95 %.2f s, max %.2f s; all recorded %s after the first was due (%.0f firings a second over that span, gaps included); this process's CPU %.1f ms per firing; %.0f sticky cache misses%s\n",
		r.store, n, len(late), f.p50.Seconds(), f.p95.Seconds(), f.max.Seconds(), drained.Round(time.Second), float64(len(late))/drained.Seconds(),
		benchMS(f.cpuPerFiring), f.stickyMisses, benchLoadAverage())
	return f, nil
}
