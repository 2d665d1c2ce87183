package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"casetrail/inbox"
)

// ChannelInbox is the Channel of Inbox.
const ChannelInbox = "inbox"

// Inbox is the in-app channel (issue 18): it stores each message for each
// recipient subject in the notifications table (package inbox), where the
// web interface shows it with the unread count in every page's header.
// Every recipient with a subject is reached, address or not. A retried
// Send stores nothing twice (one row per message Key and subject).
type Inbox struct {
	Store *inbox.Store
}

// Channel names the channel: "inbox".
func (Inbox) Channel() string { return ChannelInbox }

// Send stores m for each of its recipients' subjects. A message without a
// Key cannot be stored once and is refused for good; a database error is
// retried.
func (i Inbox) Send(ctx context.Context, m Message) error {
	if i.Store == nil {
		return temporal.NewNonRetryableApplicationError("inbox: no store", "INBOX_UNCONFIGURED", nil)
	}
	if m.Key == "" {
		return temporal.NewNonRetryableApplicationError("inbox: a message without a key", "INBOX_NO_KEY", nil)
	}
	subjects := make([]string, 0, len(m.Recipients))
	for _, r := range m.Recipients {
		if r.Subject != "" {
			subjects = append(subjects, r.Subject)
		}
	}
	if len(subjects) == 0 {
		return nil
	}
	_, err := i.Store.Add(ctx, inbox.Entry{Key: m.Key, Event: m.Event, CaseID: m.CaseID, Number: m.Number, Title: m.Title,
		Headline: m.Subject, Text: m.Text, Link: m.Link, At: m.At}, subjects)
	if err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}
