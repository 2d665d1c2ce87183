// Package activities implements the activities of the case workflow: every
// side effect IncidentWorkflow has (the event store, case and dispatch
// numbers, notifications, takedown requests, escalation letters — numbered
// in the issuing unit's register, rendered and stored —, the
// official-account registry). The contract — activity names and payloads —
// is declared by package workflows; Register registers the methods of
// Activities under those names.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	"casetrail/eventstore"
	"casetrail/incident"
	"casetrail/workflows"
)

// The payloads of the activities, as declared by the workflow.
type (
	// AppendInput is the argument of AppendEvents.
	AppendInput = workflows.AppendInput
	// AppendResult is the result of AppendEvents.
	AppendResult = workflows.AppendResult
	// StoredEvent is an event as the store recorded it.
	StoredEvent = workflows.StoredEvent
	// ReadInput is the argument of ReadEvents.
	ReadInput = workflows.ReadInput
	// AllocateInput is the argument of AllocateCaseNumber.
	AllocateInput = workflows.AllocateInput
	// NotifyInput is the argument of Notify.
	NotifyInput = workflows.NotifyInput
	// TakedownInput is the argument of SendTakedownRequest.
	TakedownInput = workflows.TakedownInput
	// DeliveryResult says how a request went out.
	DeliveryResult = workflows.DeliveryResult
	// EscalationInput is the argument of SendEscalation.
	EscalationInput = workflows.EscalationInput
	// EscalationResult is the result of SendEscalation.
	EscalationResult = workflows.EscalationResult
	// MatchInput is the argument of MatchOfficialAccount.
	MatchInput = workflows.MatchInput
	// MatchResult is the result of MatchOfficialAccount.
	MatchResult = workflows.MatchResult
)

// Webhook is an HTTP endpoint that receives JSON posts signed with Secret
// (header SignatureHeader). It is used only when both fields are set.
type Webhook struct {
	URL    string
	Secret string
}

// Configured reports whether the webhook can be used.
func (w Webhook) Configured() bool { return w.URL != "" && w.Secret != "" }

// Activities holds what the activities need. Store is required; every other
// field is optional, and without it the activity does the least it can (logs
// instead of posting, matches nothing, names units by their id).
type Activities struct {
	// Store is the event store the case streams live in; its pool also holds
	// the numbering tables (EnsureSchema).
	Store *eventstore.Store
	// Logger receives the structured log of notifications and deliveries
	// (slog.Default() when nil).
	Logger *slog.Logger
	// HTTPClient posts webhooks (a client with a 10 s timeout when nil).
	HTTPClient *http.Client

	// NotifyWebhook receives every notification.
	NotifyWebhook Webhook
	// Notifiers are the channels notifications go out through besides the
	// log and NotifyWebhook (e-mail, the in-app inbox, …); see Notifier.
	Notifiers []Notifier
	// People gives the names and e-mail addresses of the people to tell
	// (subjects only when nil).
	People Directory
	// BaseURL is the public address of the web interface ("https://…");
	// notifications link to <BaseURL>/cases/<id>. Without it they carry
	// no link.
	BaseURL string
	// Leaders returns the subjects holding the LEADER role on a unit; misses
	// and escalation requests are sent to them.
	Leaders func(ctx context.Context, unit string) ([]string, error)

	// Takedown is the delivery channel of takedown requests per platform.
	// A platform without one gets its requests recorded as to be sent by hand.
	Takedown map[incident.Platform]Webhook
	// Escalation is the channel of each target unit for escalation letters.
	Escalation map[string]Webhook
	// UnitSymbol returns the symbol a unit's dispatch numbers carry (e.g.
	// "SVHTTDL"); when nil or empty, the upper-cased last segment of the unit id.
	// Letters read the symbol from Units first.
	UnitSymbol func(ctx context.Context, unit string) (string, error)
	// Units returns the registry's units: the issuer's letterhead, symbol,
	// numbering mode and default signer, the recipient's name. Without it
	// units are named by their ids.
	Units func(ctx context.Context) ([]incident.Unit, error)
	// DisplayName returns a person's name (the web interface's users):
	// the signer of a letter when neither the leader nor the unit names one.
	DisplayName func(ctx context.Context, subject string) (string, error)

	// OfficialAccounts lists the registered official accounts.
	OfficialAccounts func(ctx context.Context) ([]incident.OfficialAccountRef, error)
	// Similarity, when set, scores two names 0..1 in place of the domain's
	// Vietnamese-aware matching (incident.BestMatch, incident.Similarity).
	Similarity func(a, b string) float64
	// MinSimilarity is the score from which a subject is said to resemble
	// an official account (DefaultMinSimilarity when zero).
	MinSimilarity float64
}

// Register registers the activities of a on a worker under the names the
// workflow calls them by (workflows.Activity*).
func Register(r worker.ActivityRegistry, a *Activities) {
	for _, x := range []struct {
		name string
		fn   any
	}{
		{workflows.ActivityAppendEvents, a.AppendEvents},
		{workflows.ActivityReadEvents, a.ReadEvents},
		{workflows.ActivityAllocateCaseNumber, a.AllocateCaseNumber},
		{workflows.ActivityNotify, a.Notify},
		{workflows.ActivitySendTakedownRequest, a.SendTakedownRequest},
		{workflows.ActivitySendEscalation, a.SendEscalation},
		{workflows.ActivityMatchOfficialAccount, a.MatchOfficialAccount},
		{workflows.ActivityPrepareEscalation, a.PrepareEscalation},
		{workflows.ActivityIssueEscalation, a.IssueEscalation},
		{workflows.ActivityDeliverEscalation, a.DeliverEscalation},
	} {
		r.RegisterActivityWithOptions(x.fn, activity.RegisterOptions{Name: x.name})
	}
}

// Validate reports configuration that cannot work: no store, or a webhook
// with a URL but no secret (it would be silently unused).
func (a *Activities) Validate() error {
	var errs []error
	if a.Store == nil {
		errs = append(errs, errors.New("activities: no event store"))
	}
	half := func(what string, w Webhook) {
		if (w.URL == "") != (w.Secret == "") {
			errs = append(errs, fmt.Errorf("activities: %s webhook needs both a URL and a secret", what))
		}
	}
	half("notification", a.NotifyWebhook)
	for p, w := range a.Takedown {
		half("takedown "+string(p), w)
	}
	for u, w := range a.Escalation {
		half("escalation "+u, w)
	}
	return errors.Join(errs...)
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

var defaultHTTPClient = &http.Client{Timeout: 10 * time.Second}

func (a *Activities) httpClient() *http.Client {
	if a.HTTPClient != nil {
		return a.HTTPClient
	}
	return defaultHTTPClient
}
