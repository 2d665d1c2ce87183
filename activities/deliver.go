package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"casetrail/incident"
	"casetrail/workflows"
)

// deliveryAttempts is how many attempts of an activity try a failing webhook
// before the request is handed over to be sent by hand.
const deliveryAttempts = 3

// TakedownRequest is the JSON body posted to a platform's takedown channel.
type TakedownRequest struct {
	Type        string    `json:"type"` // "takedownRequest"
	CaseID      string    `json:"caseId"`
	Number      string    `json:"number"`
	TakedownID  string    `json:"takedownId"`
	Platform    string    `json:"platform"`
	TargetURL   string    `json:"targetUrl"`
	Reason      string    `json:"reason"`
	LegalBasis  string    `json:"legalBasis,omitempty"`
	DueAt       time.Time `json:"dueAt"`
	RequestedBy string    `json:"requestedBy"`
}

// SendTakedownRequest delivers a takedown request through the channel of its
// platform. Platforms' channels are webhooks (no mail library is part of the
// build, so there is no SMTP channel); a platform without one gets the
// request logged as to be sent by hand and the result says MANUAL. A webhook
// that keeps failing is retried, then handed over the same way.
func (a *Activities) SendTakedownRequest(ctx context.Context, in TakedownInput) (DeliveryResult, error) {
	body := TakedownRequest{
		Type: "takedownRequest", CaseID: in.CaseID, Number: in.Number, TakedownID: in.TakedownID,
		Platform: string(in.Platform), TargetURL: in.TargetURL, Reason: in.Reason, LegalBasis: in.LegalBasis,
		DueAt: in.DueAt, RequestedBy: in.RequestedBy,
	}
	attrs := []slog.Attr{
		slog.String("case", in.CaseID), slog.String("number", in.Number), slog.String("takedown", in.TakedownID),
		slog.String("platform", string(in.Platform)), slog.String("target", in.TargetURL),
	}
	return a.deliver(ctx, a.Takedown[in.Platform], "takedownRequest", body, attrs)
}

// SendEscalation allocates the dispatch number of an approved escalation,
// "<n>/<symbol>" with n gap-free per year and target unit and the target
// unit's symbol (the numbering before the office letters, which runs older
// than the workflow's letter version still use; IssueEscalation numbers as
// Decree 30/2020 sets it), and delivers the letter to the target unit's webhook (or
// hands it over to be sent by hand). The number is kept by in.Key, so a
// retry gets the same one.
func (a *Activities) SendEscalation(ctx context.Context, in EscalationInput) (EscalationResult, error) {
	if strings.TrimSpace(in.Key) == "" || strings.TrimSpace(in.To) == "" || in.Year < 2000 || in.Year > 9999 {
		return EscalationResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("send escalation: bad input (key %q, to %q, year %d)", in.Key, in.To, in.Year), ErrTypeInvalid, nil)
	}
	symbol, err := a.symbol(ctx, in.To)
	if err != nil {
		return EscalationResult{}, err
	}
	number, err := allocate(ctx, a.Store.Pool(), "dispatch:"+in.Key, "dispatch:"+in.To, in.Year, func(n int64) string {
		return fmt.Sprintf("%d/%s", n, symbol)
	})
	if err != nil {
		return EscalationResult{}, fmt.Errorf("allocate dispatch number for %s: %w", in.CaseID, err)
	}
	letter := EscalationLetter{
		Type: "escalation", DispatchNumber: number, CaseID: in.CaseID, Number: in.Number, Title: in.Title,
		From: in.Unit, To: in.To, Reason: in.Reason, ApprovedBy: in.ApprovedBy,
	}
	attrs := []slog.Attr{
		slog.String("case", in.CaseID), slog.String("number", in.Number), slog.String("dispatch", number),
		slog.String("from", in.Unit), slog.String("to", in.To),
	}
	res, err := a.deliver(ctx, a.Escalation[in.To], "escalation", letter, attrs)
	return EscalationResult{DispatchNumber: number, DeliveryResult: res}, err
}

// symbol returns the dispatch symbol of unit.
func (a *Activities) symbol(ctx context.Context, unit string) (string, error) {
	if a.UnitSymbol != nil {
		s, err := a.UnitSymbol(ctx, unit)
		if err != nil {
			return "", fmt.Errorf("symbol of %s: %w", unit, err)
		}
		if s = strings.TrimSpace(s); s != "" {
			return s, nil
		}
	}
	return DefaultSymbol(unit), nil
}

// DefaultSymbol is the symbol of a unit without one: the upper-cased last
// segment of its id ("lai-chau/so-vhttdl" gives "SO-VHTTDL";
// incident.DefaultSymbol).
func DefaultSymbol(unit string) string { return incident.DefaultSymbol(unit) }

// deliver posts body to w, or records that it is to be sent by hand: when no
// channel is configured, when the channel refuses it (4xx), or when the last
// of deliveryAttempts attempts fails. Earlier failures are returned to be
// retried.
func (a *Activities) deliver(ctx context.Context, w Webhook, event string, body any, attrs []slog.Attr) (DeliveryResult, error) {
	log := a.logger()
	if !w.Configured() {
		log.LogAttrs(ctx, slog.LevelWarn, event+": no channel configured; to be sent by hand", attrs...)
		return DeliveryResult{Channel: workflows.ChannelManual}, nil
	}
	err := a.post(ctx, w, event, body)
	if err == nil {
		log.LogAttrs(ctx, slog.LevelInfo, event+" delivered", attrs...)
		return DeliveryResult{Channel: workflows.ChannelWebhook}, nil
	}
	attempt := int32(deliveryAttempts)
	if activity.IsActivity(ctx) {
		attempt = activity.GetInfo(ctx).Attempt
	}
	if !permanent(err) && attempt < deliveryAttempts && !errors.Is(err, context.Canceled) {
		return DeliveryResult{}, fmt.Errorf("%s: %w", event, err)
	}
	log.LogAttrs(ctx, slog.LevelError, event+": delivery failed; to be sent by hand",
		append(attrs, slog.String("error", err.Error()))...)
	return DeliveryResult{Channel: workflows.ChannelManual, Error: err.Error()}, nil
}
