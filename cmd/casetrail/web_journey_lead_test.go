//go:build linux

package main

// Browser journey of the leaders' pages (issue 15): on the real server with
// the demo seed, a leader of Tân Uyên on a phone finds an escalation in
// Chờ duyệt, opens the case's approval form from it and approves; Theo dõi
// lists a case whose triage was missed; Tổng quan shows for Tân Uyên the
// figures stats gives for the same unit and period. Screenshots go to
// CASETRAIL_SCREENSHOTS when set.

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// leadJourneyPolicy misses a triage after 8 seconds; every other deadline
// is hours away.
const leadJourneyPolicy = `
triage: 8s
analysis: 4h
takedownResponse: 4h
escalationApproval: 4h
escalationResponse: 4h
resolution: 48h
reminders: [0.5]
autoEscalateOnTakedownMiss: true
`

// leadLeakedKey matches a key of the leaders' catalog shown instead of its text.
var leadLeakedKey = regexp.MustCompile(`\b(approvals|overview|watch|nav)\.[A-Za-z]+\b`)

// leadCheck is caseBrowser.check plus the leaders' catalog keys.
func (d *caseBrowser) leadCheck(name string) {
	d.t.Helper()
	if m := leadLeakedKey.FindAllString(d.text("body"), -1); len(m) > 0 {
		d.t.Errorf("%s shows catalog keys %v", name, m)
	}
}

// fillRequired puts a value into every required field of sel's form left
// empty (the approval may ask for the signer: whatever the form asks, the
// journey answers).
func (d *caseBrowser) fillRequired(sel string) {
	d.t.Helper()
	js := fmt.Sprintf(`(() => {
		let n = 0;
		for (const e of document.querySelectorAll(%q + " [required]")) {
			if (e.value) { continue; }
			if (e.tagName === "SELECT") {
				const o = Array.from(e.options).find(o => o.value);
				if (o) { e.value = o.value; }
			} else if (e.type === "checkbox") {
				e.checked = true;
			} else {
				e.value = "Trần Thị Lan";
			}
			e.dispatchEvent(new Event("change", {bubbles: true}));
			n++;
		}
		return n;
	})()`, sel)
	if _, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[int](js)); err != nil {
		d.t.Fatalf("fill the required fields of %s: %v", sel, err)
	}
}

// pageFigures returns the figures the page shows: data-fig → data-value.
func (d *caseBrowser) pageFigures() map[string]string {
	d.t.Helper()
	out, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[map[string]string](
		`Object.fromEntries(Array.from(document.querySelectorAll("[data-fig]")).map(e => [e.dataset.fig, e.dataset.value]))`))
	if err != nil {
		d.t.Fatalf("figures: %v", err)
	}
	return out
}

// statsFigures returns stats of unit over the page's period as sub asks
// the API, by the overview's figure names.
func (s *server) statsFigures(t *testing.T, sub, unit string, from, to time.Time) map[string]string {
	t.Helper()
	var d struct {
		Stats struct {
			Total, Open, Overdue, Missed int
			MedianHoursToResolve         *float64
			DeadlineMetRatio             *float64
			ByStatus                     []struct {
				Status string
				Count  int
			}
			ByKind []struct {
				Kind  string
				Count int
			}
			ReportedByWeek []struct {
				WeekStart, Kind string
				Count           int
			}
			TakedownsByPlatform []struct {
				Platform, Status string
				Count            int
			}
			SubUnits []struct {
				Unit                  struct{ ID string }
				Open, Overdue, Missed int
				DeadlineMetRatio      *float64
			}
		}
	}
	s.must(t, sub, `query($unit: ID, $from: DateTime, $to: DateTime) { stats(unit: $unit, from: $from, to: $to) {
		total open overdue missed medianHoursToResolve deadlineMetRatio
		byStatus { status count } byKind { kind count } reportedByWeek { weekStart kind count }
		takedownsByPlatform { platform status count } subUnits { unit { id } open overdue missed deadlineMetRatio } } }`,
		map[string]any{"unit": unit, "from": from.Format(time.RFC3339), "to": to.Format(time.RFC3339)}, &d)
	st := d.Stats
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	out := map[string]string{
		"total": strconv.Itoa(st.Total), "open": strconv.Itoa(st.Open), "overdue": strconv.Itoa(st.Overdue), "missed": strconv.Itoa(st.Missed),
		"deadlineMetRatio": f(st.DeadlineMetRatio), "medianHoursToResolve": f(st.MedianHoursToResolve),
	}
	for _, x := range st.ByStatus {
		out["status:"+x.Status] = strconv.Itoa(x.Count)
	}
	for _, x := range st.ByKind {
		out["kind:"+x.Kind] = strconv.Itoa(x.Count)
	}
	vn := time.FixedZone("+07", 7*3600)
	weeks := map[string]int{}
	for _, x := range st.ReportedByWeek {
		at, err := time.Parse(time.RFC3339, x.WeekStart)
		if err != nil {
			t.Fatal(err)
		}
		key := at.In(vn).Format("2006-01-02")
		out["week:"+key+":"+x.Kind] = strconv.Itoa(x.Count)
		weeks[key] += x.Count
	}
	for k, n := range weeks {
		out["week:"+k] = strconv.Itoa(n)
	}
	platforms := map[string]int{}
	for _, x := range st.TakedownsByPlatform {
		out["takedown:"+x.Platform+":"+x.Status] = strconv.Itoa(x.Count)
		platforms[x.Platform] += x.Count
	}
	for k, n := range platforms {
		out["takedown:"+k] = strconv.Itoa(n)
	}
	for _, x := range st.SubUnits {
		out["sub:"+x.Unit.ID+":open"] = strconv.Itoa(x.Open)
		out["sub:"+x.Unit.ID+":overdue"] = strconv.Itoa(x.Overdue)
		out["sub:"+x.Unit.ID+":missed"] = strconv.Itoa(x.Missed)
		out["sub:"+x.Unit.ID+":deadlineMetRatio"] = f(x.DeadlineMetRatio)
	}
	return out
}

// diffFigures lists the figures of the page that differ from stats (a
// figure stats has no row for is 0), and those of stats the page lacks.
func diffFigures(page, stats map[string]string) []string {
	var out []string
	for k, v := range page {
		w, ok := stats[k]
		if !ok {
			w = "0"
		}
		if v != w {
			out = append(out, fmt.Sprintf("%s: page %q, stats %q", k, v, w))
		}
	}
	for k, w := range stats {
		if _, ok := page[k]; !ok && w != "0" && w != "" {
			out = append(out, fmt.Sprintf("%s: stats %q, not on the page", k, w))
		}
	}
	return out
}

// TestWebLeadJourney: a leader approves from the inbox on a phone; the
// watch list shows a missed triage; the overview's figures equal stats.
func TestWebLeadJourney(t *testing.T) {
	s := newServer(t, serverOptions{Policy: leadJourneyPolicy})
	passwords := casePasswords(t, s)
	const commune = "lai-chau/tan-uyen/xa-phuc-khoa"

	// The handler escalates a case through the API.
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-lead-1", Kind: "IMPERSONATION", Unit: commune,
		Title:       "Trang giả mạo UBND xã Phúc Khoa kêu gọi quyên góp",
		Description: "Trang dùng tên và ảnh của UBND xã, kêu gọi chuyển tiền ủng hộ vào tài khoản cá nhân.",
		Subjects:    []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/ubnd.phuckhoa.quyengop"}},
	})
	vars := map[string]any{"id": c.ID}
	s.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `recordAnalysis(id: $id, input: {findings: "Trang mạo danh UBND xã, tài khoản nhận tiền là cá nhân.", verdict: FALSE})`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `requestTakedown(id: $id, input: {platform: FACEBOOK, targetUrl: "https://www.facebook.com/ubnd.phuckhoa.quyengop", reason: "Mạo danh cơ quan nhà nước"})`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `requestTakedown(id: $id, input: {platform: TIKTOK, targetUrl: "https://www.tiktok.com/@phuckhoa.quyengop", reason: "Mạo danh cơ quan nhà nước"})`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `recordTakedownResponse(id: $id, input: {takedownId: "TD-2", outcome: REJECTED, platformReference: "TT-8812"})`, `($id: ID!)`, vars)
	s.mutate(t, "handler1", `requestEscalation(id: $id, reason: "Đối tượng ở ngoài tỉnh, vượt thẩm quyền của huyện.")`, `($id: ID!)`, vars)
	// Another case nobody triages: its 8 seconds run out.
	late, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-lead-2", Kind: "FALSE_INFORMATION", Unit: commune,
		Title: "Tin sai về lịch nghỉ học do mưa lũ", Description: "Bài đăng nói các trường trong xã nghỉ học cả tuần.",
		Subjects: []subjectInput{{Platform: "ZALO", URL: "https://zalo.me/g/tin-nghi-hoc"}},
	})

	d := newCaseBrowser(t, s, passwords)
	b := d.b

	// On a phone: the inbox, the case's approval form, the approval.
	b.Viewport(390, 844)
	d.login("leader1")
	nav := d.text("header nav")
	for _, want := range []string{"Chờ duyệt", "Tổng quan", "Theo dõi"} {
		if !strings.Contains(nav, want) {
			t.Errorf("the leader's navigation lacks %s: %q", want, nav)
		}
	}
	if resp := b.Navigate(s.url("/approvals")); resp.Status != http.StatusOK {
		t.Fatalf("GET /approvals: %d", resp.Status)
	}
	item := "#approval-" + c.ID
	if !b.Exists(item) {
		t.Fatalf("the inbox does not list %s:\n%s", c.Number, d.text("main"))
	}
	row := d.text(item)
	for _, want := range []string{c.Number, "Trang giả mạo UBND xã Phúc Khoa", "Hạn lãnh đạo duyệt", "còn 3 giờ", "Sở Văn hóa, Thể thao và Du lịch",
		"vượt thẩm quyền của huyện", "Nguyễn Văn Hùng", "Xem và duyệt"} {
		if !strings.Contains(row, want) {
			t.Errorf("the inbox's row lacks %q:\n%s", want, row)
		}
	}
	d.leadCheck("lead-390-approvals")
	d.shot("lead-390-approvals")
	if resp := b.Submit(item + " .approval-act a"); resp.Status != http.StatusOK {
		t.Fatalf("the inbox's link: %d", resp.Status)
	}
	if loc := b.Location(); !strings.HasSuffix(loc, "/cases/"+c.ID+"#action-approveEscalation") {
		t.Errorf("the link leads to %s", loc)
	}
	if status := d.act("approveEscalation", func() {
		d.fill("#f-approveEscalation-note", "Đồng ý chuyển Sở VHTTDL xử lý.")
		d.fillRequired("#action-approveEscalation")
		d.shot("lead-390-approve-form")
	}); status != http.StatusOK {
		t.Fatalf("approve: %d\n%s", status, d.text("main"))
	}
	if got := d.text(".flash"); !strings.HasPrefix(got, "Đã duyệt chuyển cấp trên.") {
		t.Errorf("after approval: flash %q; page:\n%s", got, d.text("main"))
	}
	d.shot("lead-390-approved")
	b.Navigate(s.url("/approvals"))
	if b.Exists(item) || !b.Exists("#approvals-empty") {
		t.Errorf("the approved escalation is still in the inbox:\n%s", d.text("main"))
	}
	d.leadCheck("lead-390-approvals-empty")
	d.shot("lead-390-approvals-empty")

	// Theo dõi: the untriaged case, once its triage is missed.
	deadline := time.Now().Add(90 * time.Second)
	for {
		b.Navigate(s.url("/watch"))
		if b.Exists(`a[href="/cases/` + late.ID + `"]`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watch list does not show %s:\n%s", late.Number, d.text("main"))
		}
		time.Sleep(time.Second)
	}
	if got := d.text("table.watch tbody"); !strings.Contains(got, "Hạn phân loại") || !strings.Contains(got, "quá hạn") || strings.Contains(got, c.Number) {
		t.Errorf("the watch list: %q", got)
	}
	d.leadCheck("lead-390-watch")
	d.shot("lead-390-watch")

	// Tổng quan of Tân Uyên: the figures are stats'.
	overview := func(name string) {
		t.Helper()
		var diffs []string
		for try := 0; try < 3; try++ {
			if resp := b.Navigate(s.url("/overview?unit=lai-chau/tan-uyen")); resp.Status != http.StatusOK {
				t.Fatalf("GET /overview: %d", resp.Status)
			}
			page := d.pageFigures()
			var from, to time.Time
			vn := time.FixedZone("+07", 7*3600)
			for sel, at := range map[string]*time.Time{"#ov-from": &from, "#ov-to": &to} {
				v, err := chromedp.Run(b.Context(), chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
				if err != nil {
					t.Fatal(err)
				}
				if *at, err = time.ParseInLocation("02/01/2006", v, vn); err != nil {
					t.Fatalf("%s = %q: %v", sel, v, err)
				}
			}
			diffs = diffFigures(page, s.statsFigures(t, "leader1", "lai-chau/tan-uyen", from, to.AddDate(0, 0, 1)))
			if len(page) < 20 {
				t.Fatalf("only %d figures on the overview", len(page))
			}
			if len(diffs) == 0 {
				break
			}
			time.Sleep(time.Second) // a deadline moved between the page and stats: again
		}
		if len(diffs) > 0 {
			t.Errorf("%s: the overview differs from stats:\n  %s", name, strings.Join(diffs, "\n  "))
		}
		if got := d.text(".tile-missed .tile-value"); got != "1" {
			t.Errorf("%s: missed %q, want 1 (the untriaged case)", name, got)
		}
		text := d.text("main")
		for _, want := range []string{"Tân Uyên, từ", "Vụ việc tiếp nhận theo tuần và loại", "Trạng thái hiện nay", "UBND xã Phúc Khoa", "UBND xã Trung Đồng",
			"Kết quả yêu cầu gỡ bỏ theo nền tảng", "Facebook", "TikTok", "Nền tảng từ chối"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
		d.leadCheck(name)
		d.shot(name)
	}
	overview("lead-390-overview")
	for _, part := range []string{"chart-weekly-h", "chart-status-h", "chart-takedowns-h", "sub-units-title"} {
		b.Do(chromedp.ScrollIntoView(chromedp.CSS("#" + part)))
		b.Screenshot("lead-390-overview-" + part)
	}
	b.Viewport(1280, 900)
	overview("lead-1280-overview")
	// The numbers of a chart, opened.
	b.Do(chromedp.Click(chromedp.CSS("#chart-weekly-h ~ details > summary")))
	d.shot("lead-1280-overview-table")
}
