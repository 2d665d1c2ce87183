package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// minSnooze is how long the clock waits before looking again when a wake-up
// produced nothing or its events could not be stored.
const minSnooze = time.Second

// deadlineClock is the one durable timer of a case: it sleeps until
// incident.NextWake — the next reminder or miss of any pending deadline — and
// is re-armed whenever the case changes. The deadlines themselves live in the
// case state, so a continue-as-new or a worker restart loses none: the next
// run arms the clock from the state it carries.
type deadlineClock struct {
	at        time.Time       // when the armed timer fires
	timer     workflow.Future // nil when nothing is armed
	cancel    workflow.CancelFunc
	notBefore time.Time // snooze: do not wake before this instant
	version   int64     // case version the clock was last armed for
}

// arm points the timer at the next wake-up of c. Re-arming for the same
// instant keeps the running timer.
func (d *deadlineClock) arm(ctx workflow.Context, c *incident.Case, p incident.Policy) {
	d.version = c.Version
	at, ok := incident.NextWake(c, p)
	if ok && at.Before(d.notBefore) {
		at = d.notBefore
	}
	if ok && d.timer != nil && at.Equal(d.at) {
		return
	}
	d.stop()
	if !ok {
		return
	}
	tctx, cancel := workflow.WithCancel(ctx)
	d.at, d.cancel = at, cancel
	d.timer = workflow.NewTimer(tctx, at.Sub(workflow.Now(ctx)))
}

// stale reports whether the case changed since the clock was armed.
func (d *deadlineClock) stale(c *incident.Case) bool { return c.Version != d.version }

// due reports whether the armed timer has fired.
func (d *deadlineClock) due() bool { return d.timer != nil && d.timer.IsReady() }

// fired forgets the timer that fired, so the next arm starts a new one.
func (d *deadlineClock) fired() {
	d.timer, d.cancel = nil, nil
}

// snooze makes the clock wait until at least until before waking again, and
// forces a re-arm.
func (d *deadlineClock) snooze(until time.Time) {
	d.notBefore = until
	d.version = -1
}

// stop cancels the armed timer, if any.
func (d *deadlineClock) stop() {
	if d.cancel != nil {
		d.cancel()
	}
	d.timer, d.cancel = nil, nil
}
