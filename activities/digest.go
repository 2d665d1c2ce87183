package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/workflows"
)

// The payloads of the digest's activities, as declared by the workflow.
type (
	// GatherDigestInput is the argument of GatherDigest.
	GatherDigestInput = workflows.GatherDigestInput
	// DigestSummary is one leader's digest in figures.
	DigestSummary = workflows.DigestSummary
	// SendDigestInput is the argument of SendDigest.
	SendDigestInput = workflows.SendDigestInput
	// SendDigestResult is the result of SendDigest.
	SendDigestResult = workflows.SendDigestResult
)

// EventDigest is the Message.Event of a leader's daily digest.
const EventDigest = "Digest"

// DigestActivities are the activities of the leaders' daily digest
// (workflows.DailyDigest): they read the read model's tables in the event
// store's database and send through the channels of Activities (the log,
// the webhook, Notifiers), naming people through People and units through
// Units, linking to the web interface at BaseURL.
type DigestActivities struct {
	*Activities
	// LeaderGrants returns every LEADER grant (the authorizer's). Required.
	LeaderGrants func(ctx context.Context) ([]readmodel.LeaderGrant, error)
}

// RegisterDigest registers the digest's activities under the names the
// workflow calls them by (workflows.ActivityGatherDigest, ActivitySendDigest).
func RegisterDigest(r worker.ActivityRegistry, d *DigestActivities) {
	r.RegisterActivityWithOptions(d.GatherDigest, activity.RegisterOptions{Name: workflows.ActivityGatherDigest})
	r.RegisterActivityWithOptions(d.SendDigest, activity.RegisterOptions{Name: workflows.ActivitySendDigest})
}

// Validate reports a configuration that cannot gather a digest.
func (d *DigestActivities) Validate() error {
	var errs []error
	if d.Activities == nil || d.Store == nil {
		errs = append(errs, errors.New("digest activities: no event store"))
	}
	if d.LeaderGrants == nil {
		errs = append(errs, errors.New("digest activities: no leader grants"))
	}
	return errors.Join(errs...)
}

// digests reads the digests of the leaders of grants at in.At.
func (d *DigestActivities) digests(ctx context.Context, in GatherDigestInput, only string) ([]incident.Digest, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	grants, err := d.LeaderGrants(ctx)
	if err != nil {
		return nil, fmt.Errorf("leader grants: %w", err)
	}
	if only != "" {
		grants = slices.DeleteFunc(grants, func(g readmodel.LeaderGrant) bool { return g.Subject != only })
	}
	return readmodel.NewReader(d.Store.Pool()).LeaderDigests(ctx, grants, in.At)
}

// GatherDigest returns, for every leader, the figures of their digest at
// in.At (readmodel.Reader.LeaderDigests), in leader order.
func (d *DigestActivities) GatherDigest(ctx context.Context, in GatherDigestInput) ([]DigestSummary, error) {
	digests, err := d.digests(ctx, in, "")
	if err != nil {
		return nil, fmt.Errorf("gather digest: %w", err)
	}
	out := make([]DigestSummary, len(digests))
	for i, g := range digests {
		out[i] = summaryOf(g)
	}
	return out, nil
}

func summaryOf(g incident.Digest) DigestSummary {
	return DigestSummary{Leader: g.Leader, Missed: g.MissedTotal, DueToday: g.DueTodayTotal, PendingApproval: g.PendingApprovalTotal}
}

// SendDigest reads in.Leader's digest at in.At again (the gathering passed
// only figures), renders it (RenderDigest) and sends it through every
// channel notifications go through — the log, the notification webhook
// when configured, each of Notifiers — once per channel: what a channel
// delivered is recorded under in.Key (as Notify records it) and a retry
// skips it. A "digest" log record gives the figures. A digest with nothing
// to say is not sent (Sent false). A channel failure that may heal fails
// the activity for Temporal to retry; one that cannot (a refusal) fails it
// for good, after the other channels delivered.
func (d *DigestActivities) SendDigest(ctx context.Context, in SendDigestInput) (SendDigestResult, error) {
	digests, err := d.digests(ctx, GatherDigestInput{At: in.At}, in.Leader)
	if err != nil {
		return SendDigestResult{}, fmt.Errorf("digest of %s: %w", in.Leader, err)
	}
	if len(digests) != 1 || digests[0].Empty() {
		// Nothing to say any more (the cases moved on since the
		// gathering, or the grant is gone): no message.
		return SendDigestResult{DigestSummary: DigestSummary{Leader: in.Leader}}, nil
	}
	g := digests[0]
	people, _, err := d.lookUp(ctx, []string{in.Leader}, "")
	if err != nil {
		return SendDigestResult{}, fmt.Errorf("digest of %s: %w", in.Leader, err)
	}
	r := RenderDigest(g, people[0], d.notifyUnitNames(ctx), d.BaseURL)
	m := Message{
		Key: in.Key, Event: EventDigest, Recipients: people, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Link: r.Link, At: in.At,
		Notification: Notification{Type: "notification", Event: EventDigest, Recipients: []string{in.Leader}, Message: r.Subject},
	}
	d.logger().LogAttrs(ctx, slog.LevelInfo, "digest",
		slog.String("key", in.Key), slog.String("leader", in.Leader), slog.Any("units", g.Units),
		slog.Int("missed", g.MissedTotal), slog.Int("due_today", g.DueTodayTotal),
		slog.Int("pending_approval", g.PendingApprovalTotal), slog.String("subject", r.Subject),
		slog.Any("cases", digestNumbers(g)))

	done, err := d.delivered(ctx, in.Key)
	if err != nil {
		return SendDigestResult{}, err
	}
	res := SendDigestResult{Sent: true, DigestSummary: summaryOf(g)}
	var failing, refused []string
	for _, ch := range d.channels() {
		out, retry := d.sendThrough(ctx, ch, m, done)
		switch {
		case out.OK:
			res.Channels = append(res.Channels, out.Channel)
		case retry:
			failing = append(failing, out.Channel+": "+out.Error)
		default:
			refused = append(refused, out.Channel+": "+out.Error)
		}
	}
	if len(failing) > 0 {
		return res, fmt.Errorf("digest of %s: %s", in.Leader, strings.Join(append(failing, refused...), "; "))
	}
	if len(refused) > 0 {
		return res, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("digest of %s: %s", in.Leader, strings.Join(refused, "; ")), "DIGEST_REFUSED", nil)
	}
	return res, nil
}

// digestNumbers lists the case numbers of a digest's items, once each.
func digestNumbers(g incident.Digest) []string {
	var out []string
	for _, l := range [][]incident.DigestItem{g.Missed, g.DueToday, g.PendingApproval} {
		for _, it := range l {
			if !slices.Contains(out, it.Number) {
				out = append(out, it.Number)
			}
		}
	}
	return out
}
