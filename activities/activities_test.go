package activities_test

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
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"casetrail/activities"
	"casetrail/eventstore"
	"casetrail/eventstore/pgtest"
	"casetrail/incident"
	"casetrail/workflows"
)

// store is the event store of this package's test database.
var store *eventstore.Store

func TestMain(m *testing.M) {
	url, drop, err := pgtest.Create("ct_activities")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer drop()
		ctx := context.Background()
		s, err := eventstore.Open(ctx, url+"&pool_max_conns=6")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer s.Close()
		if err := activities.EnsureSchema(ctx, s.Pool()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		store = s
		return m.Run()
	}()
	os.Exit(code)
}

// appErr returns the ApplicationError in err, failing the test without one.
func appErr(t *testing.T, err error) *temporal.ApplicationError {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		t.Fatalf("want an ApplicationError, got %v", err)
	}
	return app
}

func newEvent(id, typ string, data string) workflows.NewEvent {
	return workflows.NewEvent{ID: id, Type: typ, Data: json.RawMessage(data), Actor: "handler1", CorrelationID: "req:1", CausationID: "triageCase", OccurredAt: time.Date(2026, 11, 27, 1, 2, 3, 456789000, time.UTC)}
}

func TestAppendEvents(t *testing.T) {
	ctx := context.Background()
	a := &activities.Activities{Store: store}
	stream := incident.StreamOf("append-1")
	wfID := workflows.WorkflowID("append-1")
	in := activities.AppendInput{Stream: stream, Events: []workflows.NewEvent{
		newEvent(workflows.EventID(wfID, "req:1", 0), incident.TypeCommentAdded, `{"text":"một"}`),
		newEvent(workflows.EventID(wfID, "req:1", 1), incident.TypeCommentAdded, `{"text":"hai"}`),
	}}
	first, err := a.AppendEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) != 2 || first.Events[0].Version != 1 || first.Events[1].Version != 2 ||
		first.Events[0].Actor != "handler1" || first.Events[1].GlobalPosition <= first.Events[0].GlobalPosition ||
		!first.Events[0].OccurredAt.Equal(in.Events[0].OccurredAt.Truncate(time.Microsecond)) {
		t.Fatalf("stored %+v", first.Events)
	}

	// A retry (the answer was lost) writes nothing and returns the same.
	again, err := a.AppendEvents(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(first.Events, again.Events, func(x, y workflows.StoredEvent) bool {
		return x.ID == y.ID && x.Version == y.Version && x.GlobalPosition == y.GlobalPosition
	}) {
		t.Errorf("retry answered %+v, want %+v", again.Events, first.Events)
	}

	// A stale expected version is a CONFLICT the workflow must not retry.
	_, err = a.AppendEvents(ctx, activities.AppendInput{Stream: stream, ExpectedVersion: 1, Events: []workflows.NewEvent{
		newEvent(workflows.EventID(wfID, "req:2", 0), incident.TypeCommentAdded, `{"text":"ba"}`),
	}})
	if app := appErr(t, err); app.Type() != incident.CodeConflict || !app.NonRetryable() {
		t.Errorf("conflict: type %s non-retryable %v", app.Type(), app.NonRetryable())
	}
	// Events the store refuses are not retried either.
	_, err = a.AppendEvents(ctx, activities.AppendInput{Stream: stream, ExpectedVersion: 2, Events: []workflows.NewEvent{
		newEvent("not-a-uuid", incident.TypeCommentAdded, `{"text":"bốn"}`),
	}})
	if app := appErr(t, err); app.Type() != activities.ErrTypeInvalid || !app.NonRetryable() {
		t.Errorf("invalid: type %s non-retryable %v", app.Type(), app.NonRetryable())
	}

	got, err := a.ReadEvents(ctx, activities.ReadInput{Stream: stream, FromVersion: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Version != 2 || got[0].ID != first.Events[1].ID {
		t.Errorf("read from 2: %+v", got)
	}
	recs, err := store.ReadStream(ctx, stream, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Metadata.CorrelationID != "req:1" || recs[0].Metadata.CausationID != "triageCase" || recs[0].SchemaVersion != 1 {
		t.Errorf("stored records %+v", recs)
	}
	none, err := a.ReadEvents(ctx, activities.ReadInput{Stream: incident.StreamOf("no-such-case"), FromVersion: 1})
	if err != nil || len(none) != 0 {
		t.Errorf("read of a new stream: %v %v", none, err)
	}
}

func TestAllocateCaseNumber(t *testing.T) {
	ctx := context.Background()
	a := &activities.Activities{Store: store}
	year := 2031 // a year no other test numbers in
	got := func(id string, y int) string {
		t.Helper()
		n, err := a.AllocateCaseNumber(ctx, activities.AllocateInput{CaseID: id, Year: y})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := got("case-a", year); n != "VV-2031-000001" {
		t.Errorf("first number %s", n)
	}
	if n := got("case-b", year); n != "VV-2031-000002" {
		t.Errorf("second number %s", n)
	}
	if n := got("case-a", year); n != "VV-2031-000001" {
		t.Errorf("asked again: %s", n)
	}
	if n := got("case-c", year+1); n != "VV-2032-000001" {
		t.Errorf("a new year starts at 1: %s", n)
	}

	// Concurrent callers, some asking for the same case: every case gets one
	// number, and the numbers are 3..N without gaps.
	const cases = 24
	var wg sync.WaitGroup
	var mu sync.Mutex
	numbers := map[string]map[string]bool{}
	errs := make(chan error, 3*cases)
	for i := range 3 * cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("case-%d", i%cases)
			n, err := a.AllocateCaseNumber(ctx, activities.AllocateInput{CaseID: id, Year: year})
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if numbers[id] == nil {
				numbers[id] = map[string]bool{}
			}
			numbers[id][n] = true
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id, ns := range numbers {
		if len(ns) != 1 {
			t.Errorf("%s got %d numbers", id, len(ns))
		}
		for n := range ns {
			if seen[n] {
				t.Errorf("number %s given twice", n)
			}
			seen[n] = true
		}
	}
	for i := 3; i < 3+cases; i++ {
		if n := fmt.Sprintf("VV-2031-%06d", i); !seen[n] {
			t.Errorf("gap: %s was never given", n)
		}
	}

	_, err := a.AllocateCaseNumber(ctx, activities.AllocateInput{CaseID: "", Year: year})
	if app := appErr(t, err); !app.NonRetryable() {
		t.Error("bad input must not be retried")
	}
}

func TestEnsureSchemaConcurrent(t *testing.T) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- activities.EnsureSchema(ctx, store.Pool())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// The application role may take numbers, never rewrite one (the
	// dispatch register's trigger keeps issued rows as they are).
	var counters, allocations, register string
	err := store.Pool().QueryRow(ctx, `SELECT
  (SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants
    WHERE grantee = 'casetrail_app' AND table_name = 'casetrail_counters'),
  (SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants
    WHERE grantee = 'casetrail_app' AND table_name = 'casetrail_allocations'),
  (SELECT string_agg(privilege_type, ',' ORDER BY privilege_type) FROM information_schema.role_table_grants
    WHERE grantee = 'casetrail_app' AND table_name = 'casetrail_dispatch_register')`).Scan(&counters, &allocations, &register)
	if err != nil || counters != "INSERT,SELECT,UPDATE" || allocations != "INSERT,SELECT" || register != "INSERT,SELECT,UPDATE" {
		t.Errorf("grants: counters %q, allocations %q, register %q (%v)", counters, allocations, register, err)
	}
}

// hook is a webhook receiver that checks signatures.
type hook struct {
	t      *testing.T
	secret string
	status int
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := activities.VerifySignature(h.secret, r.Header, body, time.Now()); err != nil {
		h.t.Errorf("signature %q: %v", r.Header.Get(activities.SignatureHeader), err)
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.heads = append(h.heads, r.Header.Clone())
	status := h.status
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusNoContent
	}
	w.WriteHeader(status)
}

func newHook(t *testing.T, status int) (*hook, activities.Webhook) {
	h := &hook{t: t, secret: "s3cret-" + t.Name(), status: status}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, activities.Webhook{URL: srv.URL, Secret: h.secret}
}

func TestSignature(t *testing.T) {
	body := []byte(`{"a":1}`)
	now := time.Unix(1_800_000_000, 0)
	signed := func(ts int64, id string) http.Header {
		h := http.Header{}
		h.Set(activities.TimestampHeader, strconv.FormatInt(ts, 10))
		h.Set(activities.DeliveryHeader, id)
		h.Set(activities.SignatureHeader, activities.Sign("k", ts, id, body))
		return h
	}
	h := signed(now.Unix(), "wf/run/7")
	if sig := h.Get(activities.SignatureHeader); !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("signature %q", sig)
	}
	if err := activities.VerifySignature("k", h, body, now.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh post is refused: %v", err)
	}
	if activities.VerifySignature("other", h, body, now) == nil ||
		activities.VerifySignature("k", h, []byte(`{"a":2}`), now) == nil {
		t.Error("signature does not bind key and body")
	}
	// The delivery id and the timestamp are signed: changing either breaks it.
	moved := h.Clone()
	moved.Set(activities.DeliveryHeader, "wf/run/8")
	if err := activities.VerifySignature("k", moved, body, now); !errors.Is(err, activities.ErrBadSignature) {
		t.Errorf("another delivery id: %v, want ErrBadSignature", err)
	}
	moved = h.Clone()
	moved.Set(activities.TimestampHeader, strconv.FormatInt(now.Unix()+1, 10))
	if err := activities.VerifySignature("k", moved, body, now); !errors.Is(err, activities.ErrBadSignature) {
		t.Errorf("another timestamp: %v, want ErrBadSignature", err)
	}
	// A replay: a genuine post received again after the tolerance.
	old := signed(now.Add(-activities.SignatureTolerance-time.Second).Unix(), "wf/run/7")
	if err := activities.VerifySignature("k", old, body, now); !errors.Is(err, activities.ErrStaleSignature) {
		t.Errorf("replayed post: %v, want ErrStaleSignature", err)
	}
	future := signed(now.Add(activities.SignatureTolerance+time.Second).Unix(), "wf/run/7")
	if err := activities.VerifySignature("k", future, body, now); !errors.Is(err, activities.ErrStaleSignature) {
		t.Errorf("post from the future: %v, want ErrStaleSignature", err)
	}
	// The old scheme: HMAC over the body alone.
	m := hmac.New(sha256.New, []byte("k"))
	m.Write(body)
	bodyOnly := h.Clone()
	bodyOnly.Set(activities.SignatureHeader, "sha256="+hex.EncodeToString(m.Sum(nil)))
	if err := activities.VerifySignature("k", bodyOnly, body, now); !errors.Is(err, activities.ErrBadSignature) {
		t.Errorf("a signature over the body alone: %v, want ErrBadSignature", err)
	}
}

func TestNotify(t *testing.T) {
	ctx := context.Background()
	h, w := newHook(t, 0)
	var logs bytes.Buffer
	a := &activities.Activities{
		Store:         store,
		Logger:        slog.New(slog.NewJSONHandler(&logs, nil)),
		NotifyWebhook: w,
		Leaders: func(_ context.Context, unit string) ([]string, error) {
			if unit != "lai-chau/tan-uyen" {
				t.Errorf("leaders of %q", unit)
			}
			return []string{"leader1", "handler1"}, nil
		},
	}
	in := activities.NotifyInput{
		CaseID: "c1", Number: "VV-2026-000001", Unit: "lai-chau/tan-uyen", Event: workflows.NotifyMissed,
		DeadlineKind: incident.DeadlineTriage, Recipients: []string{"handler1"}, NotifyLeaders: true, Message: "quá hạn",
	}
	// Keys of this run: a key delivered is not sent again.
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	in.Key = "missed-" + run
	if _, err := a.Notify(ctx, in); err != nil {
		t.Fatal(err)
	}
	var n activities.Notification
	if len(h.bodies) != 1 || json.Unmarshal(h.bodies[0], &n) != nil {
		t.Fatalf("posted %q", h.bodies)
	}
	if !slices.Equal(n.Recipients, []string{"handler1", "leader1"}) || n.Event != incident.TypeDeadlineMissed || n.DeadlineKind != "TRIAGE" {
		t.Errorf("notification %+v", n)
	}
	if h.heads[0].Get(activities.EventHeader) != "notification" || h.heads[0].Get(activities.DeliveryHeader) == "" {
		t.Errorf("headers %v", h.heads[0])
	}
	if !strings.Contains(logs.String(), `"msg":"notification"`) || !strings.Contains(logs.String(), `"case":"c1"`) {
		t.Errorf("log %s", logs.String())
	}

	// Reminders do not ask the leaders.
	in.NotifyLeaders = false
	a.Leaders = func(context.Context, string) ([]string, error) { t.Error("leaders asked"); return nil, nil }
	in.Key = "reminder-key-" + run
	if _, err := a.Notify(ctx, in); err != nil {
		t.Fatal(err)
	}

	// A refusing webhook is final, a failing one is retried.
	// (Each with a key of its own: a delivered key is not sent again.)
	h.status = http.StatusUnauthorized
	in.Key = "refused-key-" + run
	if res, err := a.Notify(ctx, in); err != nil || len(res.Channels) != 2 || res.Channels[1].OK || !strings.Contains(res.Channels[1].Error, "401") {
		t.Errorf("401 must not be retried, and is recorded as failed: %+v %v", res, err)
	}
	h.status = http.StatusBadGateway
	in.Key = "failing-key-" + run
	_, err := a.Notify(ctx, in)
	var app *temporal.ApplicationError
	if err == nil || (errors.As(err, &app) && app.NonRetryable()) {
		t.Errorf("502 must be retried: %v", err)
	}

	// Without a webhook, the log is the notification.
	logs.Reset()
	in.Key = "log-only-key-" + run
	if _, err := (&activities.Activities{Store: store, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}).Notify(ctx, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "quá hạn") {
		t.Errorf("log %s", logs.String())
	}
}

func TestSendTakedownRequest(t *testing.T) {
	ctx := context.Background()
	in := activities.TakedownInput{CaseID: "c1", Number: "VV-2026-000001", TakedownID: "TD-1", Platform: incident.TikTok,
		TargetURL: "https://www.tiktok.com/@gia.mao/video/1", Reason: "Giả mạo", DueAt: time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)}

	var logs bytes.Buffer
	manual := &activities.Activities{Store: store, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	res, err := manual.SendTakedownRequest(ctx, in)
	if err != nil || res.Channel != workflows.ChannelManual {
		t.Errorf("without a channel: %+v %v", res, err)
	}
	if !strings.Contains(logs.String(), "to be sent by hand") || !strings.Contains(logs.String(), "TD-1") {
		t.Errorf("log %s", logs.String())
	}

	h, w := newHook(t, 0)
	a := &activities.Activities{Store: store, Takedown: map[incident.Platform]activities.Webhook{incident.TikTok: w}}
	res, err = a.SendTakedownRequest(ctx, in)
	if err != nil || res.Channel != workflows.ChannelWebhook {
		t.Fatalf("webhook: %+v %v", res, err)
	}
	var body activities.TakedownRequest
	if err := json.Unmarshal(h.bodies[0], &body); err != nil || body.TakedownID != "TD-1" || body.TargetURL != in.TargetURL || body.Platform != "TIKTOK" {
		t.Errorf("posted %s", h.bodies[0])
	}

	// A failing channel: the first attempts fail (Temporal retries), the last
	// one hands the request over to be sent by hand.
	h.status = http.StatusServiceUnavailable
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	activities.Register(env, a)
	if _, err := env.ExecuteActivity(workflows.ActivitySendTakedownRequest, in); err == nil {
		t.Error("a failing first attempt must be retried")
	}
	res, err = a.SendTakedownRequest(ctx, in) // outside an activity: the last attempt
	if err != nil || res.Channel != workflows.ChannelManual || !strings.Contains(res.Error, "503") {
		t.Errorf("last attempt: %+v %v", res, err)
	}
}

func TestSendEscalation(t *testing.T) {
	ctx := context.Background()
	h, w := newHook(t, 0)
	a := &activities.Activities{
		Store:      store,
		Escalation: map[string]activities.Webhook{"lai-chau/so-vhttdl": w},
		UnitSymbol: func(_ context.Context, unit string) (string, error) {
			if unit == "dien-bien/so-vhttdl" {
				return "SVHTTDL-ĐB", nil
			}
			return "", nil
		},
	}
	send := func(key, to string) activities.EscalationResult {
		t.Helper()
		res, err := a.SendEscalation(ctx, activities.EscalationInput{CaseID: "c-" + key, Number: "VV-2030-000001", Unit: "lai-chau/tan-uyen", To: to, Reason: "r", ApprovedBy: "leader1", Key: key, Year: 2030})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if r := send("e1", "lai-chau/so-vhttdl"); r.DispatchNumber != "1/SO-VHTTDL" || r.Channel != workflows.ChannelWebhook {
		t.Errorf("first dispatch %+v", r)
	}
	if r := send("e2", "lai-chau/so-vhttdl"); r.DispatchNumber != "2/SO-VHTTDL" {
		t.Errorf("second dispatch %+v", r)
	}
	if r := send("e1", "lai-chau/so-vhttdl"); r.DispatchNumber != "1/SO-VHTTDL" {
		t.Errorf("retried dispatch %+v", r)
	}
	if r := send("e3", "dien-bien/so-vhttdl"); r.DispatchNumber != "1/SVHTTDL-ĐB" || r.Channel != workflows.ChannelManual {
		t.Errorf("other unit %+v", r)
	}
	var letter activities.EscalationLetter
	if err := json.Unmarshal(h.bodies[0], &letter); err != nil || letter.DispatchNumber != "1/SO-VHTTDL" || letter.From != "lai-chau/tan-uyen" || letter.ApprovedBy != "leader1" {
		t.Errorf("letter %s", h.bodies[0])
	}
	if s := activities.DefaultSymbol("lai-chau/so-vhttdl"); s != "SO-VHTTDL" {
		t.Errorf("default symbol %q", s)
	}
}

func TestMatchOfficialAccount(t *testing.T) {
	ctx := context.Background()
	registry := []incident.OfficialAccountRef{
		{ID: "oa-1", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"},
		{ID: "oa-2", Unit: "lai-chau/phong-tho", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndphongtho", DisplayName: "UBND huyện Phong Thổ"},
	}
	a := &activities.Activities{Store: store, OfficialAccounts: func(context.Context) ([]incident.OfficialAccountRef, error) { return registry, nil }}
	subject := func(url, name string) []incident.Subject {
		n, _ := incident.NormalizeURL(url)
		return []incident.Subject{{Platform: incident.Facebook, URL: url, NormalizedURL: n, DisplayName: name}}
	}
	tests := []struct {
		name    string
		in      []incident.Subject
		want    string
		atLeast float64
	}{
		{"display name without diacritics", subject("https://www.facebook.com/profile.php?id=1000", "UBND huyen Tan Uyen"), "oa-1", 0.9},
		{"look-alike URL", subject("https://facebook.com/ubnd.tanuyen.official", ""), "oa-1", 0.75},
		{"the page itself", subject("https://m.facebook.com/ubndphongtho/?fbclid=x", ""), "oa-2", 1},
		{"unrelated", subject("https://facebook.com/banhangonline", "Bán hàng online giá rẻ"), "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := a.MatchOfficialAccount(ctx, activities.MatchInput{Subjects: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if res.Account != nil {
				got = res.Account.ID
			}
			if got != tc.want || res.Similarity < tc.atLeast || res.Similarity > 1 {
				t.Errorf("matched %q with %.2f, want %q with at least %.2f", got, res.Similarity, tc.want, tc.atLeast)
			}
		})
	}
	// An injected similarity replaces the domain's scoring of names.
	exact := &activities.Activities{Store: store, OfficialAccounts: a.OfficialAccounts, Similarity: func(x, y string) float64 {
		if incident.FoldText(x) == incident.FoldText(y) {
			return 1
		}
		return 0
	}}
	res, err := exact.MatchOfficialAccount(ctx, activities.MatchInput{Subjects: subject("https://facebook.com/x", "UBND HUYỆN PHONG THỔ")})
	if err != nil || res.Account == nil || res.Account.ID != "oa-2" || res.Similarity != 1 {
		t.Errorf("injected similarity: %+v %v", res, err)
	}
	res, err = exact.MatchOfficialAccount(ctx, activities.MatchInput{Subjects: tests[1].in})
	if err != nil || res.Account != nil {
		t.Errorf("injected similarity, no exact name: %+v %v", res, err)
	}

	none, err := (&activities.Activities{Store: store}).MatchOfficialAccount(ctx, activities.MatchInput{Subjects: tests[0].in})
	if err != nil || none.Account != nil {
		t.Errorf("without a registry: %+v %v", none, err)
	}
	failing := &activities.Activities{Store: store, OfficialAccounts: func(context.Context) ([]incident.OfficialAccountRef, error) {
		return nil, errors.New("registry down")
	}}
	if _, err := failing.MatchOfficialAccount(ctx, activities.MatchInput{Subjects: tests[0].in}); err == nil {
		t.Error("a failing registry must be an error (the workflow records the analysis without a match)")
	}
}

func TestValidate(t *testing.T) {
	if err := (&activities.Activities{Store: store}).Validate(); err != nil {
		t.Errorf("minimal configuration: %v", err)
	}
	bad := &activities.Activities{
		NotifyWebhook: activities.Webhook{URL: "https://hooks.example/notify"},
		Takedown:      map[incident.Platform]activities.Webhook{incident.Facebook: {Secret: "x"}},
	}
	err := bad.Validate()
	for _, want := range []string{"no event store", "notification webhook", "takedown FACEBOOK"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
}

// TestRegister: every activity the workflow calls is registered under its
// name and answers through Temporal's activity machinery.
func TestRegister(t *testing.T) {
	a := &activities.Activities{Store: store}
	env := (&testsuite.WorkflowTestSuite{}).NewTestActivityEnvironment()
	activities.Register(env, a)
	v, err := env.ExecuteActivity(workflows.ActivityAllocateCaseNumber, activities.AllocateInput{CaseID: "registered", Year: 2040})
	if err != nil {
		t.Fatal(err)
	}
	var n string
	if err := v.Get(&n); err != nil || n != "VV-2040-000001" {
		t.Errorf("AllocateCaseNumber by name: %q %v", n, err)
	}
	for _, name := range []string{
		workflows.ActivityAppendEvents, workflows.ActivityReadEvents, workflows.ActivityNotify,
		workflows.ActivitySendTakedownRequest, workflows.ActivitySendEscalation, workflows.ActivityMatchOfficialAccount,
	} {
		if _, err := env.ExecuteActivity(name, nil); err != nil && strings.Contains(err.Error(), "not registered") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
