package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestCountText: a list's count in the language's numbers, with "+" when
// more cases match than were counted.
func TestCountText(t *testing.T) {
	vi, en := NewPrinter(Vietnamese), NewPrinter(English)
	for _, tc := range []struct {
		p    *Printer
		n    int
		more bool
		want string
	}{
		{vi, 39, false, "39 vụ việc"},
		{vi, 1000, false, "1.000 vụ việc"},
		{vi, 1000, true, "1.000+ vụ việc"},
		{vi, 0, false, "0 vụ việc"},
		{en, 1000, true, "1,000+ cases"},
	} {
		if got := countText(tc.p, tc.n, tc.more); got != tc.want {
			t.Errorf("countText(%d, %v) = %q, want %q", tc.n, tc.more, got, tc.want)
		}
	}
}

// withCountLimit sets listCountLimit for one test.
func withCountLimit(t *testing.T, n int) {
	old := listCountLimit
	listCountLimit = n
	t.Cleanup(func() { listCountLimit = old })
}

// TestWorklistCountCapped: the worklist counts its cases up to
// listCountLimit; beyond, it says "N+ vụ việc", at the limit the number.
// (html/template writes the "+" as &#43;.)
func TestWorklistCountCapped(t *testing.T) {
	d := newLiveDesk(t, nil)
	seedWorklist(d) // 39 cases of handler1's
	c := d.loggedIn("handler1")
	for _, tc := range []struct {
		limit int
		want  string
	}{
		{30, "<strong>30&#43; vụ việc</strong>"},
		{38, "<strong>38&#43; vụ việc</strong>"},
		{39, "<strong>39 vụ việc</strong>"},
		{1000, "<strong>39 vụ việc</strong>"},
	} {
		withCountLimit(t, tc.limit)
		r := c.get("/worklist")
		wantBody(t, r, http.StatusOK, tc.want)
		if len(wlRows(r.body)) != worklistPageSize {
			t.Errorf("limit %d: %d rows, want a page of %d", tc.limit, len(wlRows(r.body)), worklistPageSize)
		}
	}
}

// TestWatchCountCapped: the watch list counts as the worklist does.
func TestWatchCountCapped(t *testing.T) {
	d := leadDesk(t)
	now := time.Now()
	for _, title := range []string{"Tin sai về dịch bệnh", "Tin đồn giá điện", "Video cắt ghép"} {
		d.seed("reporter1", now.Add(-6*time.Hour), incident.Report{Unit: "lai-chau/tan-uyen", Title: title}).tick(now)
	}
	d.project()
	c := d.loggedIn("leader1")
	withCountLimit(t, 2)
	r := c.get("/watch")
	wantBody(t, r, http.StatusOK, "<strong>2&#43; vụ việc</strong>")
	if n := len(wlRows(r.body)); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
	withCountLimit(t, 3)
	if r := c.get("/watch"); !strings.Contains(r.body, "<strong>3 vụ việc</strong>") {
		t.Errorf("at the limit: no \"3 vụ việc\" in the page")
	}
}
