package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"casetrail/incident"
	"casetrail/workflows"
)

// NotifyResult is the result of Notify (workflows.NotifyResult).
type NotifyResult = workflows.NotifyResult

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

// Notify tells people about a case. It resolves the recipients (the named
// subjects, plus the leaders of in.LeadersOf — the case's unit by default —
// when in.NotifyLeaders), looks them up in People (names and e-mail
// addresses), renders the Vietnamese message (subject, plain text, HTML,
// the link to the case) and sends it through every channel: the log
// (always), the notification webhook when configured (the signed
// Notification, as before) and each of Notifiers (e-mail, inbox, …).
//
// Delivery is once per channel: what a channel delivered is recorded by
// notification key and channel (per recipient for a channel that tells
// them apart, RecipientErrors) in casetrail_notification_deliveries, and a
// retried attempt skips it. When a channel fails and may heal, Notify
// returns a retryable ErrTypeNotifyFailed error whose details are the
// result so far (the workflow records it once the retries ran out); a
// channel that fails for good (a 4xx webhook answer, a 5xx SMTP reply) is
// reported failed in the result without a retry. The result says, per
// channel, whom it reaches and how it went; the workflow records it as the
// case's NotificationSent or NotificationFailed event.
func (a *Activities) Notify(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	key := in.Key
	if key == "" { // a run older than the recorded notifications
		key = deliveryID(ctx, "notification:"+in.CaseID+":"+in.Event)
	}
	subjects, err := a.notifyRecipients(ctx, in)
	if err != nil {
		return NotifyResult{}, err
	}
	people, names, err := a.lookUp(ctx, subjects, in.Actor)
	if err != nil {
		return NotifyResult{}, err
	}
	m, err := a.render(ctx, in, key, people, names)
	if err != nil {
		return NotifyResult{}, temporal.NewNonRetryableApplicationError("render notification: "+err.Error(), ErrTypeInvalid, err)
	}
	done, err := a.delivered(ctx, key)
	if err != nil {
		return NotifyResult{}, err
	}
	res := NotifyResult{Key: key, Event: in.Event, Recipients: subjects, Subject: m.Subject}
	var failing []string
	for _, ch := range a.channels() {
		out, retry := a.sendThrough(ctx, ch, m, done)
		res.Channels = append(res.Channels, out)
		if retry {
			failing = append(failing, out.Channel+": "+out.Error)
		}
	}
	if len(failing) > 0 {
		return res, temporal.NewApplicationErrorWithOptions("notify: "+strings.Join(failing, "; "), workflows.ErrTypeNotifyFailed,
			temporal.ApplicationErrorOptions{Details: []any{res}})
	}
	return res, nil
}

// sendThrough sends m through ch, skipping what it already delivered, and
// records what it delivers now. retry reports a failure that may heal.
func (a *Activities) sendThrough(ctx context.Context, ch Notifier, m Message, done deliveries) (out incident.NotificationChannel, retry bool) {
	name := ch.Channel()
	out.Channel = name
	if _, ok := ch.(Reacher); ok {
		out.To = reached(ch, m.Recipients)
	}
	if done.all(name) {
		out.OK = true
		return out, false
	}
	left := m
	left.Recipients = nil
	for _, r := range m.Recipients {
		if !done.has(name, r.Subject) {
			left.Recipients = append(left.Recipients, r)
		}
	}
	err := ch.Send(ctx, left)
	if err == nil {
		a.markDelivered(ctx, m.Key, name)
		out.OK = true
		return out, false
	}
	var re *RecipientErrors
	if errors.As(err, &re) {
		var ok []string
		for _, s := range reached(ch, left.Recipients) {
			if _, failed := re.Errors[s]; !failed {
				ok = append(ok, s)
			}
		}
		if len(ok) > 0 {
			a.markDelivered(ctx, m.Key, name, ok...)
		}
		out.Failed = re.Subjects()
	}
	out.Error = errorText(err)
	a.logger().WarnContext(ctx, "notification channel failed", "key", m.Key, "case", m.CaseID, "channel", name,
		"final", nonRetryable(err), "err", err)
	return out, !nonRetryable(err)
}

// notifyRecipients returns the subjects to tell: the named ones and, when
// asked, the leaders of the unit; sorted, without duplicates, the system
// or the public.
func (a *Activities) notifyRecipients(ctx context.Context, in NotifyInput) ([]string, error) {
	recipients := slices.Clone(in.Recipients)
	if in.NotifyLeaders && a.Leaders != nil {
		unit := in.LeadersOf
		if unit == "" {
			unit = in.Unit
		}
		leaders, err := a.Leaders(ctx, unit)
		if err != nil {
			return nil, fmt.Errorf("leaders of %s: %w", unit, err)
		}
		recipients = append(recipients, leaders...)
	}
	recipients = slices.DeleteFunc(recipients, func(s string) bool {
		return strings.TrimSpace(s) == "" || s == incident.SystemActor || s == incident.PublicSubject
	})
	slices.Sort(recipients)
	return slices.Compact(recipients), nil
}

// lookUp returns the recipients with their names and addresses (People;
// subjects only without it), and the display names of them and of actor.
func (a *Activities) lookUp(ctx context.Context, subjects []string, actor string) ([]Recipient, map[string]string, error) {
	out := make([]Recipient, len(subjects))
	for i, s := range subjects {
		out[i] = Recipient{Subject: s}
	}
	names := map[string]string{}
	if a.People == nil {
		return out, names, nil
	}
	ask := slices.Clone(subjects)
	if actor != "" && actor != incident.SystemActor && !slices.Contains(ask, actor) {
		ask = append(ask, actor)
	}
	if len(ask) == 0 {
		return out, names, nil
	}
	found, err := a.People(ctx, ask)
	if err != nil {
		return nil, nil, fmt.Errorf("look up the people to tell: %w", err)
	}
	bySubject := make(map[string]Recipient, len(found))
	for _, r := range found {
		bySubject[r.Subject] = r
		if r.Name != "" {
			names[r.Subject] = r.Name
		}
	}
	for i, s := range subjects {
		if r, ok := bySubject[s]; ok {
			out[i] = r
		}
	}
	return out, names, nil
}

// errorText is what a delivery record says of err: an application error's
// message, else the error.
func errorText(err error) string {
	var re *RecipientErrors
	if errors.As(err, &re) {
		return re.Error()
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return err.Error()
}
