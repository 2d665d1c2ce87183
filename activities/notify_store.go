package activities

import (
	"context"
	"fmt"
)

// deliveries are what was already delivered of one notification: by
// channel, the recipients reached ("" for the whole channel).
type deliveries map[string]map[string]bool

// all reports whether channel delivered to everyone.
func (d deliveries) all(channel string) bool { return d[channel][""] }

// has reports whether channel reached subject.
func (d deliveries) has(channel, subject string) bool { return d[channel][""] || d[channel][subject] }

// delivered reads what was delivered of the notification key
// (casetrail_notification_deliveries).
func (a *Activities) delivered(ctx context.Context, key string) (deliveries, error) {
	rows, err := a.Store.Pool().Query(ctx,
		`SELECT channel, recipient FROM casetrail_notification_deliveries WHERE key = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", key, err)
	}
	defer rows.Close()
	out := deliveries{}
	for rows.Next() {
		var ch, to string
		if err := rows.Scan(&ch, &to); err != nil {
			return nil, fmt.Errorf("read deliveries of %s: %w", key, err)
		}
		if out[ch] == nil {
			out[ch] = map[string]bool{}
		}
		out[ch][to] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read deliveries of %s: %w", key, err)
	}
	return out, nil
}

// markDelivered records that channel delivered the notification key to
// the recipients (none: to everyone). A failure is logged, not returned:
// the message went out, and at worst a retry sends it once more.
func (a *Activities) markDelivered(ctx context.Context, key, channel string, recipients ...string) {
	if len(recipients) == 0 {
		recipients = []string{""}
	}
	_, err := a.Store.Pool().Exec(ctx, `INSERT INTO casetrail_notification_deliveries (key, channel, recipient)
		SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, key, channel, recipients)
	if err != nil {
		a.logger().WarnContext(ctx, "record a delivery; a retry may send it again", "key", key, "channel", channel, "err", err)
	}
}
