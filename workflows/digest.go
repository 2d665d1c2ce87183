package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The leaders' daily digest (issue 18). A Temporal Schedule
// (DigestScheduleID, digest_schedule.go) starts DailyDigest every morning;
// the workflow gathers, for every leader, how many of their units' deadlines
// are missed or due today and how many escalations wait for their approval
// (GatherDigest), then has the digest of each leader with something to say
// rendered and sent through every notification channel (SendDigest).
//
// The gathering answers counts, not the digests: the digests of a
// province's leaders would make a payload larger than Temporal's limits. The
// send reads the leader's digest again by the same query (the read model's
// LeaderDigests) at the same instant, renders it and sends it; a digest that
// has emptied in between is not sent.

// DigestWorkflowName is the registered type name of DailyDigest.
const DigestWorkflowName = "DailyDigest"

// The activities of DailyDigest, by registered name (package activities,
// DigestActivities).
const (
	ActivityGatherDigest = "GatherDigest"
	ActivitySendDigest   = "SendDigest"
)

// DigestInput starts DailyDigest. It has no field yet: the digest is of the
// day the workflow runs in (Vietnam time), at the time it runs.
type DigestInput struct{}

// GatherDigestInput asks GatherDigest for the leaders' digests at At.
type GatherDigestInput struct {
	At time.Time `json:"at"`
}

// DigestSummary is one leader's digest in figures (incident.Digest's
// totals).
type DigestSummary struct {
	Leader          string `json:"leader"`
	Missed          int    `json:"missed"`
	DueToday        int    `json:"dueToday"`
	PendingApproval int    `json:"pendingApproval"`
}

// Empty reports whether the leader has nothing to hear.
func (s DigestSummary) Empty() bool { return s.Missed+s.DueToday+s.PendingApproval == 0 }

// SendDigestInput asks SendDigest to render Leader's digest at At and send
// it. Key identifies the message (Message.Key): the same on every retry.
type SendDigestInput struct {
	Key    string    `json:"key"`
	Leader string    `json:"leader"`
	At     time.Time `json:"at"`
}

// SendDigestResult says what SendDigest sent: nothing (Sent false) when the
// digest had emptied since it was gathered.
type SendDigestResult struct {
	Sent     bool     `json:"sent"`
	Channels []string `json:"channels,omitempty"`
	DigestSummary
}

// DigestResult is the outcome of one DailyDigest run: At is the instant the
// digest is of, Leaders the number of leaders gathered, Sent those who got
// a message, Failed those whose message failed after its retries.
type DigestResult struct {
	At      time.Time `json:"at"`
	Leaders int       `json:"leaders"`
	Sent    []string  `json:"sent,omitempty"`
	Failed  []string  `json:"failed,omitempty"`
}

var (
	// gatherOptions: one read of the read model; while the database is
	// away it is retried for a while, then the run fails (the next
	// morning's run is another).
	gatherOptions = workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 15 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		},
	}
	// digestSendOptions: a message per leader through every channel,
	// retried as the case notifications are (deliveryOptions), with room
	// for a read and several channels.
	digestSendOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 8,
		},
	}
)

// DailyDigest sends each leader the digest of their units at the time it
// runs. A leader whose units have nothing missed, due today or waiting for
// approval gets no message: a digest that says "nothing" every morning
// teaches people to stop reading it. The sends run side by side; the run
// fails (error type DIGEST_NOT_DELIVERED, the DigestResult as details) when
// any leader's message failed after its retries, so that it shows as failed
// in the schedule's recent actions.
func DailyDigest(ctx workflow.Context, _ DigestInput) (DigestResult, error) {
	at := workflow.Now(ctx).UTC()
	logger := workflow.GetLogger(ctx)
	var summaries []DigestSummary
	if err := workflow.ExecuteActivity(activity(ctx, gatherOptions), ActivityGatherDigest, GatherDigestInput{At: at}).Get(ctx, &summaries); err != nil {
		return DigestResult{At: at}, fmt.Errorf("gather the digest: %w", err)
	}
	res := DigestResult{At: at, Leaders: len(summaries)}
	runID := workflow.GetInfo(ctx).WorkflowExecution.ID
	type send struct {
		leader string
		f      workflow.Future
	}
	var sends []send
	for _, s := range summaries {
		if s.Empty() {
			continue // nothing to say: no message (see above)
		}
		f := workflow.ExecuteActivity(activity(ctx, digestSendOptions), ActivitySendDigest,
			SendDigestInput{Key: "digest/" + runID + "/" + s.Leader, Leader: s.Leader, At: at})
		sends = append(sends, send{s.Leader, f})
	}
	for _, s := range sends {
		var out SendDigestResult
		if err := s.f.Get(ctx, &out); err != nil {
			logger.Warn("digest not delivered", "leader", s.leader, "error", err)
			res.Failed = append(res.Failed, s.leader)
			continue
		}
		if out.Sent {
			res.Sent = append(res.Sent, s.leader)
		}
	}
	if len(res.Failed) > 0 {
		return res, temporal.NewApplicationError("digest not delivered to "+strings.Join(res.Failed, ", "), "DIGEST_NOT_DELIVERED", res)
	}
	return res, nil
}
