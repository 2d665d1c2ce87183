package activities

import (
	"context"
	"time"
)

// A Notifier is one channel through which people hear about a case: the
// log, the notification webhook, e-mail, the in-app inbox. A further channel
// (Zalo OA / ZNS, SMS) is one more implementation added to
// Activities.Notifiers; the workflow does not change.
type Notifier interface {
	// Channel names the channel in delivery records: "log", "webhook",
	// "email", "inbox", …
	Channel() string
	// Send delivers m to those of m.Recipients the channel can reach (an
	// e-mail channel skips recipients without an address). A returned error
	// is retried by the activity's retry policy unless it is a
	// non-retryable application error (temporal.NewNonRetryableApplicationError).
	// A retry sends the same m (same Key): a channel that keeps state may
	// use Key to deliver once.
	Send(ctx context.Context, m Message) error
}

// Recipient is a person to tell.
type Recipient struct {
	// Subject is the person's user name (the Casbin subject).
	Subject string `json:"subject"`
	// Name is the display name ("" when unknown).
	Name string `json:"name,omitempty"`
	// Email is the address ("" when the person has none).
	Email string `json:"email,omitempty"`
}

// Message is one notification, rendered for people: about a case, or a
// leader's daily digest (Event "Digest", no case).
type Message struct {
	// Key identifies the notification (the same on every retry).
	Key string `json:"key"`
	// Event is what caused it: the event type of the case's history
	// (DeadlineReminder, DeadlineMissed, EscalationRequested, …) or "Digest".
	Event  string `json:"event"`
	CaseID string `json:"caseId,omitempty"`
	Number string `json:"number,omitempty"`
	Title  string `json:"title,omitempty"`
	Unit   string `json:"unit,omitempty"`
	// Recipients are the people to tell, with their addresses.
	Recipients []Recipient `json:"recipients"`
	// Subject is one line (an e-mail's subject), Vietnamese.
	Subject string `json:"subject"`
	// Text is the plain-text body, Vietnamese, times in +07:00.
	Text string `json:"text"`
	// HTML is the HTML body ("" when the channel should send Text only).
	HTML string `json:"html,omitempty"`
	// Link is the URL of the case's page ("" without a configured base URL).
	Link string `json:"link,omitempty"`
	// At is when the notification was decided (the workflow's time).
	At time.Time `json:"at"`
	// Notification is the structured form the webhook channel posts.
	Notification Notification `json:"notification"`
}

// Directory looks up the people to tell: their display names and e-mail
// addresses, by subject. Subjects it does not know come back with the
// subject only.
type Directory func(ctx context.Context, subjects []string) ([]Recipient, error)
