package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/worker"

	"casetrail/activities"
	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/workflows"
)

// The leaders' daily digest (issue 18): a Temporal Schedule starts
// workflows.DailyDigest every day at CASETRAIL_DIGEST_AT (Vietnam time;
// "off" deletes the schedule). Every process that runs a worker (serve,
// worker) registers the digest's activities and makes the schedule so at
// its start; set the same value on all of them.

// digestAt parses DigestAt (CASETRAIL_DIGEST_AT).
func (c Config) digestAt() (workflows.DigestAt, error) {
	at, err := workflows.ParseDigestAt(c.DigestAt)
	if err != nil {
		return at, fmt.Errorf("CASETRAIL_DIGEST_AT: %w", err)
	}
	return at, nil
}

// registerDigest registers the digest's activities on w, with the
// channels, people and unit names of the case notifications (acts).
func (a *app) registerDigest(w worker.ActivityRegistry, acts *activities.Activities) error {
	if acts.BaseURL == "" && a.cfg.BaseURL != "" {
		// The links of the digest follow CASETRAIL_BASE_URL as the case
		// notifications' do.
		with := *acts
		with.BaseURL = a.cfg.BaseURL
		acts = &with
	}
	d := &activities.DigestActivities{Activities: acts, LeaderGrants: a.leaderGrants}
	if err := d.Validate(); err != nil {
		return err
	}
	activities.RegisterDigest(w, d)
	return nil
}

// leaderGrants returns every LEADER grant of the authorizer.
func (a *app) leaderGrants(context.Context) ([]readmodel.LeaderGrant, error) {
	grants, err := a.authz.GrantsOf(api.RoleLeader)
	if err != nil {
		return nil, err
	}
	out := make([]readmodel.LeaderGrant, len(grants))
	for i, g := range grants {
		out[i] = readmodel.LeaderGrant{Subject: g.Subject, Unit: g.Unit}
	}
	return out, nil
}

// ensureDigestSchedule makes the digest's schedule as CASETRAIL_DIGEST_AT
// says (workflows.EnsureDigestSchedule). A Temporal error is logged, not
// returned: cases are handled without the digest, and the next start
// tries again.
func (a *app) ensureDigestSchedule(ctx context.Context) {
	at, err := a.cfg.digestAt()
	if err != nil { // checked at start; kept for safety
		a.log.Error("daily digest schedule not set", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	did, err := workflows.EnsureDigestSchedule(ctx, a.temporal, at)
	if err != nil {
		a.log.Error("daily digest schedule not set; the leaders get no digest until a start sets it", "schedule", workflows.DigestScheduleID, "err", err)
		return
	}
	a.log.Info("daily digest schedule "+did, "schedule", workflows.DigestScheduleID, "at", at.String(), "zone", workflows.DigestTimeZone)
}
