package activities_test

import (
	"context"
	"testing"
	"time"

	"casetrail/activities"
	"casetrail/inbox"
)

// TestInboxChannel: the inbox channel stores a message once for each
// recipient subject, address or not, however often it is sent again; a
// message without a key is refused for good.
func TestInboxChannel(t *testing.T) {
	ctx := context.Background()
	if err := inbox.EnsureSchema(ctx, store.Pool()); err != nil {
		t.Fatal(err)
	}
	box := inbox.New(store.Pool())
	var ch activities.Notifier = activities.Inbox{Store: box}
	if ch.Channel() != "inbox" {
		t.Errorf("channel %q", ch.Channel())
	}
	m := activities.Message{Key: "inbox-test/case-9/DeadlineMissed/ANALYSIS", Event: "DeadlineMissed", CaseID: "case-9",
		Number: "VV-2026-000009", Title: "Tin sai sự thật về xã Phúc Khoa",
		Recipients: []activities.Recipient{
			{Subject: "inbox-handler", Name: "Nguyễn Văn Hùng", Email: "hung@tanuyen.gov.vn"},
			{Subject: "inbox-leader", Name: "Trần Thị Lan"}, // no address: the inbox still reaches her
			{Name: "no subject"},
		},
		Subject: "Quá hạn xác minh: VV-2026-000009", Text: "Vụ việc VV-2026-000009 đã quá hạn xác minh lúc 09:25 02/12/2026.",
		Link: "https://casetrail.example/cases/case-9", At: time.Date(2026, 12, 2, 2, 25, 0, 0, time.UTC)}
	for range 3 { // the first send and two retries
		if err := ch.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, sub := range []string{"inbox-handler", "inbox-leader"} {
		list, total, err := box.List(ctx, sub, 1)
		if err != nil || total != 1 {
			t.Fatalf("%s: %d notifications (%v), want 1", sub, total, err)
		}
		n := list[0]
		if n.Headline != m.Subject || n.Text != m.Text || n.CaseID != m.CaseID || n.Number != m.Number || n.Link != m.Link ||
			n.Event != m.Event || !n.At.Equal(m.At) {
			t.Errorf("%s: stored %+v", sub, n)
		}
	}
	err := ch.Send(ctx, activities.Message{Event: "DeadlineMissed", Recipients: m.Recipients})
	if app := appErr(t, err); !app.NonRetryable() {
		t.Errorf("a message without a key: %v is retried", err)
	}
}
