package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"casetrail/activities"
	"casetrail/inbox"
	"casetrail/incident"
	"casetrail/web/browsertest"
)

// In Chromium on a phone (390 px): a reminder stored through the inbox
// channel (the Notifier the worker sends through) shows in handler1's
// header as 1 unread; the list shows it; opening it goes to its case, and
// the count drops to 0. Another user's header stays untouched.
func TestBrowserNotification(t *testing.T) {
	var box *inbox.Store
	d := newLiveDesk(t, func(o *Options) {
		if err := inbox.EnsureSchema(context.Background(), o.Pool); err != nil {
			t.Fatal(err)
		}
		box = inbox.New(o.Pool)
		o.Inbox = box
	})
	now := time.Now()
	s := d.seed("reporter1", now.Add(-3*time.Hour), incident.Report{Unit: "lai-chau/tan-uyen",
		Title: "Trang Facebook giả mạo UBND huyện Tân Uyên kêu gọi quyên góp"})
	d.project()

	var ch activities.Notifier = activities.Inbox{Store: box}
	m := activities.Message{Key: s.c.ID + "/DeadlineReminder/TRIAGE/0.8", Event: "DeadlineReminder", CaseID: s.c.ID,
		Number: s.c.Number, Title: s.c.Title, Unit: "lai-chau/tan-uyen",
		Recipients: []activities.Recipient{{Subject: "handler1", Name: "Nguyễn Văn Hùng"}},
		Subject:    "Nhắc hạn phân loại: " + s.c.Number + " — còn 48 phút",
		Text:       "Vụ việc " + s.c.Number + " «" + s.c.Title + "» cần được phân loại trước " + NewPrinter(Vietnamese).Time(now.Add(48*time.Minute)) + ".",
		At:         now}
	for range 2 { // sent, and retried: stored once
		if err := ch.Send(d.ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	b := browsertest.New(t, browsertest.Options{Width: 390, Height: 844})
	b.Navigate(d.srv.URL + "/login")
	b.Fill("#username", "handler1")
	b.Fill("#password", goodPassword)
	b.Submit("button.primary")
	if got := b.Text("#bell-count"); got != "1" {
		t.Fatalf("the header's unread count is %q, want 1", got)
	}
	if got := b.Text("#bell"); !strings.Contains(got, "Thông báo") {
		t.Errorf("the bell reads %q", got)
	}
	checkPage(t, b, "home with a notification")
	if w := b.ScrollWidth(); w > 390 {
		t.Errorf("the home page is %d px wide on a 390 px phone", w)
	}
	b.Screenshot("home-1-unread")

	b.Do(chromedp.Click(chromedp.CSS("#bell")), chromedp.WaitVisible(chromedp.CSS("ol.notes")))
	if !strings.HasSuffix(b.Location(), "/notifications") {
		t.Fatalf("the bell leads to %s", b.Location())
	}
	if got := b.Text("h1"); got != "Thông báo" {
		t.Errorf("list heading %q", got)
	}
	item := b.Text("ol.notes li.note.unread")
	for _, want := range []string{"Mới", m.Subject, s.c.Number, s.c.Title, "cần được phân loại trước"} {
		if !strings.Contains(item, want) {
			t.Errorf("the notification reads %q, lacking %q", item, want)
		}
	}
	if n := strings.Count(b.Text("ol.notes"), m.Subject); n != 1 {
		t.Errorf("the notification is listed %d times", n)
	}
	checkPage(t, b, "notifications")
	if w := b.ScrollWidth(); w > 390 {
		t.Errorf("the list is %d px wide on a 390 px phone", w)
	}
	b.Screenshot("notifications-phone")

	b.Do(chromedp.Click(chromedp.CSS("ol.notes a.note-open")), chromedp.WaitVisible(chromedp.CSS("h1")))
	if want := "/cases/" + s.c.ID; !strings.HasSuffix(b.Location(), want) {
		t.Fatalf("opening the notification leads to %s, want %s", b.Location(), want)
	}
	if got := b.Text("main"); !strings.Contains(got, s.c.Number) {
		t.Errorf("the case page does not show %s", s.c.Number)
	}
	if b.Exists("#bell-count") {
		t.Errorf("the case page still shows an unread count %q", b.Text("#bell-count"))
	}
	unread, err := chromedp.Run(b.Context(), chromedp.Evaluate[string](`document.querySelector("#bell").dataset.unread`))
	if err != nil || unread != "0" {
		t.Errorf("the bell's count is %q (%v), want 0", unread, err)
	}
	b.Screenshot("case-after-open")

	b.Navigate(d.srv.URL + "/notifications")
	if b.Exists("ol.notes li.note.unread") || !b.Exists("ol.notes li.note") {
		t.Error("the opened notification is not listed as read")
	}
	if b.Exists("#notes-read-all") {
		t.Error("the mark-all button shows with nothing unread")
	}
	b.Screenshot("notifications-read")

	// The other user was told nothing.
	w := b.Window(1280, 900)
	w.Navigate(d.srv.URL + "/login")
	w.Fill("#username", "auditor1")
	w.Fill("#password", goodPassword)
	w.Submit("button.primary")
	if w.Exists("#bell-count") {
		t.Errorf("auditor1 has an unread count %q", w.Text("#bell-count"))
	}
	w.Navigate(d.srv.URL + "/notifications")
	if !w.Exists("#notes-empty") {
		t.Error("auditor1's list is not empty")
	}
	w.Screenshot("notifications-empty-desktop")
}
