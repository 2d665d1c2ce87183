package activities

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Notification is the JSON body posted to the notification webhook.
type Notification struct {
	Type         string    `json:"type"` // "notification"
	CaseID       string    `json:"caseId"`
	Number       string    `json:"number"`
	Title        string    `json:"title"`
	Unit         string    `json:"unit"`
	Event        string    `json:"event"`
	DeadlineKind string    `json:"deadlineKind,omitempty"`
	DueAt        time.Time `json:"dueAt,omitzero"`
	Fraction     float64   `json:"fraction,omitempty"`
	Recipients   []string  `json:"recipients"`
	Message      string    `json:"message"`
}

// Notify tells people about a case: the named recipients, plus the leaders
// of the case's unit when asked. It always writes a structured log record;
// with a configured NotifyWebhook it also posts the signed notification.
// Failures are returned for Temporal to retry (a 4xx answer is final); the
// workflow never waits on them.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) error {
	recipients := slices.Clone(in.Recipients)
	if in.NotifyLeaders && a.Leaders != nil {
		leaders, err := a.Leaders(ctx, in.Unit)
		if err != nil {
			return fmt.Errorf("leaders of %s: %w", in.Unit, err)
		}
		recipients = append(recipients, leaders...)
	}
	slices.Sort(recipients)
	recipients = slices.Compact(recipients)
	n := Notification{
		Type: "notification", CaseID: in.CaseID, Number: in.Number, Title: in.Title, Unit: in.Unit,
		Event: in.Event, DeadlineKind: string(in.DeadlineKind), DueAt: in.DueAt, Fraction: in.Fraction,
		Recipients: recipients, Message: in.Message,
	}
	a.logger().LogAttrs(ctx, slog.LevelInfo, "notification",
		slog.String("case", in.CaseID), slog.String("number", in.Number), slog.String("unit", in.Unit),
		slog.String("event", in.Event), slog.String("deadline", string(in.DeadlineKind)),
		slog.Any("recipients", recipients), slog.String("message", in.Message))
	if !a.NotifyWebhook.Configured() {
		return nil
	}
	if err := a.post(ctx, a.NotifyWebhook, "notification", n); err != nil {
		if permanent(err) {
			return temporal.NewNonRetryableApplicationError("notify: "+err.Error(), "WEBHOOK_REFUSED", err)
		}
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}
