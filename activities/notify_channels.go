package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"

	"go.temporal.io/sdk/temporal"
)

// The channels Notify always has: the structured log and, when configured,
// the notification webhook.
const (
	ChannelLog     = "log"
	ChannelWebhook = "webhook"
)

// A Reacher is a Notifier that reaches only some recipients (an e-mail
// channel: those with an address). Notify records whom it reaches; a
// Notifier that does not implement it reaches everyone.
type Reacher interface {
	Reaches(r Recipient) bool
}

// RecipientErrors is the error of a channel that tells recipients apart
// (one e-mail per person): the recipients it failed to reach, by subject.
// The others were reached, and a retry of the activity sends only to the
// failed ones.
type RecipientErrors struct {
	Errors map[string]error
}

func (e *RecipientErrors) Error() string {
	var parts []string
	for _, s := range e.Subjects() {
		parts = append(parts, s+": "+errorText(e.Errors[s]))
	}
	return strings.Join(parts, "; ")
}

// Subjects returns the failed recipients, sorted.
func (e *RecipientErrors) Subjects() []string {
	out := make([]string, 0, len(e.Errors))
	for s := range e.Errors {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Permanent reports whether every failure is final (retrying heals none).
func (e *RecipientErrors) Permanent() bool {
	for _, err := range e.Errors {
		if !nonRetryable(err) {
			return false
		}
	}
	return len(e.Errors) > 0
}

// nonRetryable reports whether err is final: a non-retryable application
// error, or a RecipientErrors whose every failure is.
func nonRetryable(err error) bool {
	var re *RecipientErrors
	if errors.As(err, &re) {
		return re.Permanent()
	}
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.NonRetryable()
}

// logNotifier writes every notification to the activities' log: the
// channel that is always there.
type logNotifier struct{ a *Activities }

func (logNotifier) Channel() string { return ChannelLog }

func (l logNotifier) Send(ctx context.Context, m Message) error {
	subjects := make([]string, len(m.Recipients))
	for i, r := range m.Recipients {
		subjects[i] = r.Subject
	}
	n := m.Notification
	l.a.logger().LogAttrs(ctx, slog.LevelInfo, "notification",
		slog.String("key", m.Key), slog.String("case", m.CaseID), slog.String("number", m.Number), slog.String("unit", m.Unit),
		slog.String("event", m.Event), slog.String("deadline", n.DeadlineKind),
		slog.Any("recipients", subjects), slog.String("subject", m.Subject), slog.String("message", n.Message))
	return nil
}

// webhookNotifier posts the signed Notification of every notification to
// the notification webhook, as before the Notifier seam: the same body.
type webhookNotifier struct{ a *Activities }

func (webhookNotifier) Channel() string { return ChannelWebhook }

func (w webhookNotifier) Send(ctx context.Context, m Message) error {
	if err := w.a.post(ctx, w.a.NotifyWebhook, "notification", m.Notification); err != nil {
		if permanent(err) {
			return temporal.NewNonRetryableApplicationError("notify: "+err.Error(), "WEBHOOK_REFUSED", err)
		}
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// channels returns the channels notifications go out through: the log,
// the webhook when configured, then Notifiers.
func (a *Activities) channels() []Notifier {
	out := []Notifier{logNotifier{a}}
	if a.NotifyWebhook.Configured() {
		out = append(out, webhookNotifier{a})
	}
	for _, n := range a.Notifiers {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// reached returns the subjects of rs that n reaches (all of them unless n
// is a Reacher).
func reached(n Notifier, rs []Recipient) []string {
	r, ok := n.(Reacher)
	out := []string{}
	for _, x := range rs {
		if !ok || r.Reaches(x) {
			out = append(out, x.Subject)
		}
	}
	return slices.Compact(out)
}
