package incident

// Delivery records (issue 18): each notification the workflow sends about a
// case — a reminder, a miss, an approval request, the dispatch, the
// reporter's answer, an assignment — ends in ONE event of the case's
// history saying who was told, what, through which channels and how each
// went, so an auditor sees who was told what and when. The events record a
// delivery; they do not change the case (Apply only counts their version).

// Event types of the delivery records.
const (
	// TypeNotificationSent: every channel delivered the notification.
	TypeNotificationSent = "NotificationSent"
	// TypeNotificationFailed: at least one channel failed for good (a
	// permanent refusal, or a failure that outlasted the retries); the
	// channels that delivered are listed as such.
	TypeNotificationFailed = "NotificationFailed"
)

// NotificationChannel is how one channel delivered a notification.
type NotificationChannel struct {
	// Channel names the channel: "log", "webhook", "email", "inbox", …
	Channel string `json:"channel"`
	// OK is true when the channel delivered to everyone it could reach.
	OK bool `json:"ok"`
	// To lists the recipients (subjects) the channel reaches, when the
	// channel says so (an e-mail channel reaches only people with an
	// address); nil when it reaches them all.
	To []string `json:"to,omitempty"`
	// Failed lists the recipients the channel failed to reach, when the
	// channel could tell them apart (nil: all of To, or the whole channel).
	Failed []string `json:"failed,omitempty"`
	// Error is the last error of a failed channel.
	Error string `json:"error,omitempty"`
}

// NotificationSent records a notification every channel delivered.
type NotificationSent struct {
	// Key identifies the notification: the id of the event that caused it
	// (also the delivery record's causation id).
	Key string `json:"key"`
	// Cause is the type of the event that caused it (DeadlineReminder,
	// DeadlineMissed, EscalationRequested, EscalationSent, CaseResolved,
	// CaseRejected, CaseTriaged, CaseAssigned).
	Cause string `json:"cause"`
	// Recipients are the people told (subjects), after the leaders of the
	// unit were added when asked.
	Recipients []string `json:"recipients"`
	// Subject is the notification's one line (an e-mail's subject), as sent.
	Subject string `json:"subject,omitempty"`
	// Channels says how each channel went.
	Channels []NotificationChannel `json:"channels"`
}

// NotificationFailed records a notification at least one channel did not
// deliver; it has the fields of NotificationSent.
type NotificationFailed NotificationSent

// EventType implementations.
func (NotificationSent) EventType() string   { return TypeNotificationSent }
func (NotificationFailed) EventType() string { return TypeNotificationFailed }

// NotificationRecord returns the delivery record of a notification: a
// NotificationSent when every channel delivered (or none was tried), else a
// NotificationFailed.
func NotificationRecord(n NotificationSent) Payload {
	for _, ch := range n.Channels {
		if !ch.OK {
			return NotificationFailed(n)
		}
	}
	return n
}

// IsDeliveryRecord reports whether events of type typ only record a
// delivery: they leave the case as it was (AtVersion accepts the version
// before them).
func IsDeliveryRecord(typ string) bool {
	return typ == TypeNotificationSent || typ == TypeNotificationFailed
}

func init() {
	payloadTypes[TypeNotificationSent] = decoder[NotificationSent]()
	payloadTypes[TypeNotificationFailed] = decoder[NotificationFailed]()
}

// AtVersion reports whether a command sent with expectedVersion v may be
// applied to c: v is the case's version, or a version the case had before
// only delivery records were added (a notification recorded while the
// sender looked at the case did not change what they saw).
func (c *Case) AtVersion(v int64) bool {
	if v == c.Version {
		return true
	}
	return c.ChangedVersion > 0 && v >= c.ChangedVersion && v < c.Version
}
