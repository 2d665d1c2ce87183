package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Webhook headers.
const (
	// SignatureHeader carries "sha256=" and the lower-case hex
	// HMAC-SHA256 of the request body under the webhook's secret.
	SignatureHeader = "X-CaseTrail-Signature"
	// EventHeader names what the post is about (the "type" of the body).
	EventHeader = "X-CaseTrail-Event"
	// DeliveryHeader identifies the delivery: the same on every retry, so
	// a receiver can drop duplicates.
	DeliveryHeader = "X-CaseTrail-Delivery"
)

// Sign returns the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is the signature of body under
// secret, in constant time. Receivers of our webhooks use it.
func VerifySignature(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// errStatus is a webhook answer that is not 2xx.
type errStatus struct {
	code int
	body string
}

func (e *errStatus) Error() string {
	return fmt.Sprintf("webhook answered %d %s", e.code, e.body)
}

// post sends payload as signed JSON to w. The delivery id is derived from the
// activity, so retries of one activity carry the same id.
func (a *Activities) post(ctx context.Context, w Webhook, event string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("encode webhook body: "+err.Error(), ErrTypeInvalid, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return temporal.NewNonRetryableApplicationError("webhook request: "+err.Error(), ErrTypeInvalid, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "CaseTrail")
	req.Header.Set(SignatureHeader, Sign(w.Secret, body))
	req.Header.Set(EventHeader, event)
	req.Header.Set(DeliveryHeader, deliveryID(ctx, event))
	resp, err := a.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", event, err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &errStatus{code: resp.StatusCode, body: strings.TrimSpace(string(snippet))}
}

// permanent reports whether a webhook error will not heal by retrying: a 4xx
// other than 408 (timeout) and 429 (rate limited).
func permanent(err error) bool {
	s, ok := err.(*errStatus)
	return ok && s.code/100 == 4 && s.code != http.StatusRequestTimeout && s.code != http.StatusTooManyRequests
}

// deliveryID is "<workflow id>/<activity id>" inside an activity, else event.
func deliveryID(ctx context.Context, event string) string {
	if !activity.IsActivity(ctx) {
		return event
	}
	info := activity.GetInfo(ctx)
	return info.WorkflowExecution.ID + "/" + info.WorkflowExecution.RunID + "/" + info.ActivityID
}
