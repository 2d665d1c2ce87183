package web

import (
	"strings"
	"testing"

	"casetrail/incident"
)

// TestDeliveryTimeline: the history says who was told what through which
// channel, in Vietnamese, naming people by their names, and a failed
// delivery with its error.
func TestDeliveryTimeline(t *testing.T) {
	sent := incident.NotificationSent{
		Key: "k1", Cause: incident.TypeDeadlineMissed, Recipients: []string{"handler1", "leader1"},
		Subject: "[CaseTrail] Quá hạn: Hạn phân loại vụ việc VV-2026-000042",
		Channels: []incident.NotificationChannel{
			{Channel: "log", OK: true},
			{Channel: "email", OK: true, To: []string{"handler1"}},
		},
	}
	failed := sent
	failed.Channels = []incident.NotificationChannel{
		{Channel: "log", OK: true},
		{Channel: "email", To: []string{"handler1"}, Failed: []string{"handler1"}, Error: "dial failed: connection refused"},
		{Channel: "zalo", Error: "no account"},
	}
	var events []eventData
	for i, p := range []incident.Payload{sent, incident.NotificationRecord(failed)} {
		raw, err := incident.EncodePayload(p)
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, eventData{Version: int64(i + 1), Type: p.EventType(), Actor: incident.SystemActor, Data: string(raw)})
	}
	names := map[string]string{"handler1": "Nguyễn Văn An", "leader1": "Trần Thị Bình"}
	got := timeline(NewPrinter(Vietnamese), events, names, nil)
	want := []struct{ text, detail string }{
		{"Đã gửi thông báo “[CaseTrail] Quá hạn: Hạn phân loại vụ việc VV-2026-000042” tới Nguyễn Văn An, Trần Thị Bình",
			"nhật ký hệ thống: đã gửi\nthư điện tử: đã gửi tới Nguyễn Văn An"},
		{"Gửi thông báo “[CaseTrail] Quá hạn: Hạn phân loại vụ việc VV-2026-000042” tới Nguyễn Văn An, Trần Thị Bình không thành công",
			"nhật ký hệ thống: đã gửi\nthư điện tử: không gửi được tới Nguyễn Văn An (dial failed: connection refused)\nzalo: không gửi được (no account)"},
	}
	for i, w := range want {
		if got[i].Text != w.text || got[i].Detail != w.detail || !got[i].System {
			t.Errorf("entry %d:\n got %q\n     %q\nwant %q\n     %q", i, got[i].Text, got[i].Detail, w.text, w.detail)
		}
	}
	en := timeline(NewPrinter(English), events[:1], names, nil)
	if !strings.HasPrefix(en[0].Text, "Notification “") || !strings.Contains(en[0].Detail, "e-mail: sent to Nguyễn Văn An") {
		t.Errorf("English: %+v", en[0])
	}
	// The recipients are among the people the page names.
	c := &caseData{History: events}
	if ps := people(c); !strings.Contains(strings.Join(ps, ","), "leader1") {
		t.Errorf("people %v", ps)
	}
}
