package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
)

// Webhook headers.
const (
	// SignatureHeader carries "sha256=" and the lower-case hex
	// HMAC-SHA256 under the webhook's secret of
	// "<TimestampHeader>.<DeliveryHeader>.<body>" (Sign).
	SignatureHeader = "X-CaseTrail-Signature"
	// TimestampHeader is when the post was signed, in Unix seconds.
	TimestampHeader = "X-CaseTrail-Timestamp"
	// EventHeader names what the post is about (the "type" of the body).
	EventHeader = "X-CaseTrail-Event"
	// DeliveryHeader identifies the delivery: the same on every retry, so
	// a receiver can drop duplicates.
	DeliveryHeader = "X-CaseTrail-Delivery"
)

// SignatureTolerance is how far a post's timestamp may be from the
// receiver's clock; VerifySignature refuses older (replayed) posts.
const SignatureTolerance = 5 * time.Minute

// Errors of VerifySignature.
var (
	ErrBadSignature   = errors.New("webhook signature does not match")
	ErrStaleSignature = errors.New("webhook timestamp outside the tolerance")
)

// Sign returns the SignatureHeader value for a post of body with delivery
// id delivery signed at timestamp (Unix seconds) under secret: the HMAC
// covers "<timestamp>.<delivery>.<body>", so neither the time nor the id
// can be changed, and a replay is recognised by its age.
func Sign(secret string, timestamp int64, delivery string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10) + "." + delivery + "."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature checks a received post: the SignatureHeader of header
// must be Sign over its TimestampHeader, its DeliveryHeader and body under
// secret (compared in constant time), and the timestamp within
// SignatureTolerance of now. It returns ErrBadSignature or
// ErrStaleSignature. Receivers of our webhooks use it (and drop a delivery
// id they have already seen within the tolerance).
func VerifySignature(secret string, header http.Header, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(header.Get(TimestampHeader), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no valid %s", ErrBadSignature, TimestampHeader)
	}
	want := Sign(secret, ts, header.Get(DeliveryHeader), body)
	if !hmac.Equal([]byte(header.Get(SignatureHeader)), []byte(want)) {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SignatureTolerance || d < -SignatureTolerance {
		return fmt.Errorf("%w: signed %v ago", ErrStaleSignature, d.Round(time.Second))
	}
	return nil
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
	id, ts := deliveryID(ctx, event), time.Now().Unix()
	req.Header.Set(SignatureHeader, Sign(w.Secret, ts, id, body))
	req.Header.Set(TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(EventHeader, event)
	req.Header.Set(DeliveryHeader, id)
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
