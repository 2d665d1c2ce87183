package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"casetrail/inbox"
)

// inboxDesk is the interface with the inbox over a fresh database, and
// the users handler1 and leader1.
func inboxDesk(t *testing.T) (*desk, *inbox.Store) {
	t.Helper()
	var box *inbox.Store
	d := newDesk(t, func(o *Options) {
		if err := inbox.EnsureSchema(context.Background(), o.Pool); err != nil {
			t.Fatal(err)
		}
		box = inbox.New(o.Pool)
		o.Inbox = box
	})
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	d.addUser("leader1", "Trần Thị Lan", goodPassword, false)
	return d, box
}

func (d *desk) loginAs(user string) *client {
	d.t.Helper()
	c := d.client()
	wantRedirect(d.t, c.login(user, goodPassword), http.StatusSeeOther, "/")
	return c
}

var (
	bellRe  = regexp.MustCompile(`id="bell"[^>]*data-unread="(\d+)"`)
	countRe = regexp.MustCompile(`<span class="unread-count" id="bell-count">([^<]*)</span>`)
	noteRe  = regexp.MustCompile(`<li class="note( unread)?" id="note-(\d+)">`)
)

// bell returns the header's unread count and the badge's text ("" when
// there is no badge).
func bell(t *testing.T, r response) (string, string) {
	t.Helper()
	m := bellRe.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the page has no bell\n%.1500s", r.body)
	}
	badge := ""
	if c := countRe.FindStringSubmatch(r.body); c != nil {
		badge = html.UnescapeString(c[1])
	}
	return m[1], badge
}

func addNote(t *testing.T, box *inbox.Store, e inbox.Entry, subjects ...string) {
	t.Helper()
	if e.Event == "" {
		e.Event = "DeadlineReminder"
	}
	if _, err := box.Add(context.Background(), e, subjects); err != nil {
		t.Fatal(err)
	}
}

// noteID returns the id of subject's notification with key.
func noteID(t *testing.T, box *inbox.Store, subject, key string) int64 {
	t.Helper()
	list, _, err := box.List(context.Background(), subject, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if n.Key == key {
			return n.ID
		}
	}
	t.Fatalf("%s has no notification %s", subject, key)
	return 0
}

// TestNotifications: the header of every page shows the user's unread
// count; the list shows the user's own notifications only, newest first;
// opening one marks it read and goes to its case; another person's is not
// found and stays unread; "Đánh dấu tất cả đã đọc" reads them all.
func TestNotifications(t *testing.T) {
	d, box := inboxDesk(t)
	now := time.Now()
	addNote(t, box, inbox.Entry{Key: "c1/reminder", CaseID: "case-1", Number: "VV-2026-000001", Title: "Trang giả mạo UBND xã",
		Headline: "Nhắc hạn phân loại: VV-2026-000001", Text: "Còn 2 giờ 15 phút.", At: now.Add(-3 * time.Hour)}, "handler1")
	addNote(t, box, inbox.Entry{Key: "c2/missed", Event: "DeadlineMissed", CaseID: "case-2", Number: "VV-2026-000002",
		Headline: "Quá hạn xác minh: VV-2026-000002", At: now.Add(-2 * time.Hour)}, "handler1", "leader1")
	addNote(t, box, inbox.Entry{Key: "digest/2026-12-02", Event: "Digest", Headline: "Tổng hợp hằng ngày",
		Link: "https://casetrail.example/watch?unit=lai-chau", At: now.Add(-time.Hour)}, "handler1")
	addNote(t, box, inbox.Entry{Key: "c3/approval", Event: "EscalationRequested", CaseID: "case-3",
		Headline: "Chờ lãnh đạo duyệt: VV-2026-000003", At: now}, "leader1")

	c := d.loginAs("handler1")
	for _, path := range []string{"/", "/password", "/notifications"} {
		r := c.get(path)
		if n, badge := bell(t, r); n != "3" || badge != "3" {
			t.Errorf("%s: bell %s badge %q, want 3", path, n, badge)
		}
	}
	r := c.get("/notifications")
	wantBody(t, r, http.StatusOK, "Thông báo", "3 thông báo", "3 chưa đọc", "Đánh dấu tất cả đã đọc",
		"Nhắc hạn phân loại: VV-2026-000001", "Trang giả mạo UBND xã", "Còn 2 giờ 15 phút.", "Quá hạn xác minh", "Tổng hợp hằng ngày")
	if strings.Contains(r.body, "Chờ lãnh đạo duyệt") {
		t.Error("handler1's list shows leader1's notification")
	}
	// Newest first.
	if i, j, k := strings.Index(r.body, "Tổng hợp hằng ngày"), strings.Index(r.body, "Quá hạn xác minh"), strings.Index(r.body, "Nhắc hạn phân loại"); !(i < j && j < k) {
		t.Errorf("not newest first: %d %d %d", i, j, k)
	}
	if got := len(noteRe.FindAllString(r.body, -1)); got != 3 {
		t.Errorf("%d notifications listed, want 3", got)
	}

	// Another person's notification: not found, and it stays unread.
	theirs := noteID(t, box, "leader1", "c3/approval")
	wantBody(t, c.get(fmt.Sprintf("/notifications/%d/open", theirs)), http.StatusNotFound, "Không tìm thấy thông báo này")
	wantBody(t, c.post(fmt.Sprintf("/notifications/%d/open", theirs), nil), http.StatusNotFound)
	shared := noteID(t, box, "leader1", "c2/missed")
	wantBody(t, c.get(fmt.Sprintf("/notifications/%d/open", shared)), http.StatusNotFound)
	if n, _ := box.Unread(context.Background(), "leader1", 0); n != 2 {
		t.Errorf("leader1 has %d unread after handler1's attempts, want 2", n)
	}
	wantBody(t, c.get("/notifications/abc/open"), http.StatusNotFound)

	// Opening one: read, and on to its case.
	mine := noteID(t, box, "handler1", "c2/missed")
	wantRedirect(t, c.get(fmt.Sprintf("/notifications/%d/open", mine)), http.StatusSeeOther, "/cases/case-2")
	r = c.get("/notifications")
	if n, badge := bell(t, r); n != "2" || badge != "2" {
		t.Errorf("after opening one: bell %s badge %q, want 2", n, badge)
	}
	if !strings.Contains(r.body, fmt.Sprintf(`<li class="note" id="note-%d">`, mine)) {
		t.Error("the opened notification is not shown read")
	}
	// By POST too; a digest goes to its link's page on this site.
	digest := noteID(t, box, "handler1", "digest/2026-12-02")
	wantRedirect(t, c.post(fmt.Sprintf("/notifications/%d/open", digest), nil), http.StatusSeeOther, "/watch?unit=lai-chau")

	// Mark all read: handler1's only.
	wantRedirect(t, c.post("/notifications/read", url.Values{}), http.StatusSeeOther, "/notifications")
	r = c.get("/notifications")
	wantBody(t, r, http.StatusOK, "Đã đánh dấu tất cả thông báo là đã đọc.")
	if n, badge := bell(t, r); n != "0" || badge != "" {
		t.Errorf("after marking all read: bell %s badge %q, want 0 and no badge", n, badge)
	}
	if strings.Contains(r.body, `id="notes-read-all"`) {
		t.Error("the mark-all button shows with nothing unread")
	}
	if n, _ := box.Unread(context.Background(), "leader1", 0); n != 2 {
		t.Errorf("leader1 has %d unread after handler1 marked all read, want 2", n)
	}

	// leader1 sees their own two.
	l := d.loginAs("leader1")
	r = l.get("/notifications")
	wantBody(t, r, http.StatusOK, "Chờ lãnh đạo duyệt: VV-2026-000003", "Quá hạn xác minh")
	if strings.Contains(r.body, "Nhắc hạn phân loại") || strings.Contains(r.body, "Tổng hợp hằng ngày") {
		t.Error("leader1's list shows handler1's notifications")
	}
	if n, _ := bell(t, r); n != "2" {
		t.Errorf("leader1's bell %s, want 2", n)
	}

	// Cross-site forms are refused.
	wantBody(t, l.post("/notifications/read", nil, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
	if n, _ := box.Unread(context.Background(), "leader1", 0); n != 2 {
		t.Errorf("a cross-site form marked leader1's notifications read")
	}
	// Anonymous: to the login page.
	wantRedirect(t, d.client().get("/notifications"), http.StatusSeeOther, "/login?m=required&next=%2Fnotifications")
}

// TestNotificationsPaged: 120 notifications come 50 a page, newest first,
// and the header stops counting at 99.
func TestNotificationsPaged(t *testing.T) {
	d, box := inboxDesk(t)
	base := time.Now().Add(-5 * time.Hour)
	for i := range 120 {
		addNote(t, box, inbox.Entry{Key: fmt.Sprint("k", i), Headline: fmt.Sprintf("Thông báo số %03d", i),
			At: base.Add(time.Duration(i) * time.Minute)}, "handler1")
	}
	c := d.loginAs("handler1")
	r := c.get("/notifications")
	if n, badge := bell(t, r); n != "100" || badge != "99+" {
		t.Errorf("bell %s badge %q, want 100 counted and 99+ shown", n, badge)
	}
	wantBody(t, r, http.StatusOK, "120 thông báo", "Thông báo số 119", "Thông báo số 070", "Trang 1 / 3", `href="/notifications?page=2"`)
	if strings.Contains(r.body, "Thông báo số 069") {
		t.Error("page 1 holds a 51st notification")
	}
	if got := len(noteRe.FindAllString(r.body, -1)); got != 50 {
		t.Errorf("page 1: %d notifications", got)
	}
	r = c.get("/notifications?page=3")
	wantBody(t, r, http.StatusOK, "Thông báo số 019", "Thông báo số 000", "Trang 3 / 3", `href="/notifications?page=2"`)
	if got := len(noteRe.FindAllString(r.body, -1)); got != 20 {
		t.Errorf("page 3: %d notifications", got)
	}
	if strings.Contains(r.body, `rel="next"`) {
		t.Error("the last page links to a next one")
	}
}

// TestNotificationsOff: without an inbox there is no bell and no list.
func TestNotificationsOff(t *testing.T) {
	d := newDesk(t, nil)
	d.addUser("handler1", "Nguyễn Văn Hùng", goodPassword, false)
	c := d.loginAs("handler1")
	r := c.get("/")
	if strings.Contains(r.body, `id="bell"`) {
		t.Error("a bell without an inbox")
	}
	wantBody(t, c.get("/notifications"), http.StatusNotFound)
	wantBody(t, c.get("/notifications/1/open"), http.StatusNotFound)
}

// TestNoteTarget: opening goes to the case, else to the link's path on
// this site (the link is the case desk's own URL), never elsewhere.
func TestNoteTarget(t *testing.T) {
	for _, tc := range []struct {
		n    inbox.Notification
		want string
	}{
		{inbox.Notification{Entry: inbox.Entry{CaseID: "6f1c-x", Link: "https://evil.example/x"}}, "/cases/6f1c-x"},
		{inbox.Notification{Entry: inbox.Entry{CaseID: "a/b?c"}}, "/cases/a%2Fb%3Fc"},
		{inbox.Notification{Entry: inbox.Entry{Link: "https://casetrail.example/overview?unit=lai-chau#x"}}, "/overview?unit=lai-chau"},
		{inbox.Notification{Entry: inbox.Entry{Link: "//evil.example/x"}}, "/x"}, // its path, on this site
		{inbox.Notification{Entry: inbox.Entry{Link: "javascript:alert(1)"}}, "/notifications"},
		{inbox.Notification{Entry: inbox.Entry{Link: "https://casetrail.example"}}, "/notifications"},
		{inbox.Notification{}, "/notifications"},
	} {
		if got := noteTarget(tc.n); got != tc.want {
			t.Errorf("noteTarget(%+v) = %q, want %q", tc.n.Entry, got, tc.want)
		}
	}
}
