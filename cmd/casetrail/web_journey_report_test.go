//go:build linux

package main

// Browser journey J1 of issue 14 (Phản ánh mới) and the worklist step of
// J2 (Việc cần làm): the real server (`serve` with the demo seed and the
// shipped deadline policy), the demo users' one-time passwords from its
// log, Chromium through web/browsertest (which fails the test if a request
// leaves 127.0.0.1). Screenshots of every page go to CASETRAIL_SCREENSHOTS
// when set.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"casetrail/web/browsertest"
)

// reportJourney is a browser on the server's interface.
type reportJourney struct {
	t         *testing.T
	b         *browsertest.Browser
	s         *server
	passwords map[string]string
	// full is where whole-page screenshots go (with CASETRAIL_SCREENSHOTS).
	full string
}

// reportJourneyPasswords returns the one-time passwords serve logged for
// the demo users at its first start.
func reportJourneyPasswords(t *testing.T, s *server) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range s.logLines("one-time password") {
		var e struct{ Username, Password string }
		if err := json.Unmarshal([]byte(l), &e); err == nil && e.Password != "" {
			out[e.Username] = e.Password
		}
	}
	for _, u := range []string{"reporter1", "handler1"} {
		if out[u] == "" {
			t.Fatalf("no one-time password logged for %s:\n%s", u, s.logTail(40))
		}
	}
	return out
}

func (j *reportJourney) login(user string) {
	j.t.Helper()
	if j.b.Exists(".logout button") {
		j.b.Submit(".logout button")
	}
	j.b.Navigate(j.s.url("/login"))
	j.b.Fill("#username", user)
	j.b.Fill("#password", j.passwords[user])
	j.b.Submit("button.primary")
	if !j.b.Exists(".logout button") {
		j.t.Fatalf("%s could not log in: %s", user, j.b.Text("main"))
	}
}

// fill types value into the input or textarea sel, as a user would, after
// emptying it (chromedp's SetValue reports a failure when it sets "").
func (j *reportJourney) fill(sel, value string) {
	j.t.Helper()
	if _, err := chromedp.Run(j.b.Context(), chromedp.Evaluate[bool](fmt.Sprintf(`(document.querySelector(%q).value = "") === ""`, sel))); err != nil {
		j.t.Fatalf("empty %s: %v", sel, err)
	}
	j.b.Do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

func (j *reportJourney) choose(sel, value string) {
	j.t.Helper()
	j.b.Do(chromedp.SetValue(chromedp.CSS(sel), value))
}

var (
	// reportLeakedKey matches a catalog key shown instead of its text.
	reportLeakedKey = regexp.MustCompile(`\b(report|worklist|home|flash|kind|status|severity|platform|deadline|due|span|size|number|code|error|nav|role)\.[A-Za-z_.]+\b`)
	// reportRawValue matches a value of the contract's enums shown as it is.
	reportRawValue = regexp.MustCompile(`\b(REPORTED|TRIAGED|ANALYSIS|ACTION|ESCALATED|RESOLVED|CLOSED|REJECTED|IMPERSONATION|FALSE_INFORMATION|ACCOUNT_COMPROMISED|LOW|MEDIUM|HIGH|CRITICAL|PENDING|MISSED|TRIAGE|TAKEDOWN_RESPONSE|RESOLUTION|FACEBOOK|TIKTOK|ZALO|WEBSITE|HANDLER|LEADER|AUDITOR|REPORTER|FORBIDDEN|BAD_USER_INPUT)\b`)
)

// shot checks the page (no catalog key, no raw value, nothing wider than
// the screen) and saves its screenshot.
func (j *reportJourney) shot(name string) {
	j.t.Helper()
	text := j.b.Text("body")
	if m := reportLeakedKey.FindAllString(text, -1); len(m) > 0 {
		j.t.Errorf("%s shows catalog keys %v", name, m)
	}
	if m := reportRawValue.FindAllString(text, -1); len(m) > 0 {
		j.t.Errorf("%s shows raw values %v", name, m)
	}
	vw, err := chromedp.Run(j.b.Context(), chromedp.Evaluate[int]("window.innerWidth"))
	if err != nil {
		j.t.Fatal(err)
	}
	if w := j.b.ScrollWidth(); w > vw {
		j.t.Errorf("%s is %d px wide on a %d px screen", name, w, vw)
	}
	path := j.b.Screenshot(name)
	if j.full == "" {
		return
	}
	img, err := chromedp.Run(j.b.Context(), chromedp.FullScreenshot(100))
	if err != nil {
		j.t.Fatalf("full screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(j.full, filepath.Base(path)), img, 0o644); err != nil {
		j.t.Fatal(err)
	}
}

// reportJourneyPNG is the reporter's screenshot of the fake page: a small
// real PNG image.
func reportJourneyPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 20))
	for x := range 32 {
		for y := range 20 {
			img.Set(x, y, color.RGBA{uint8(30 + 6*x), uint8(90 + 3*y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWebReportJourney: J1 a reporter logs in and files an impersonation
// report with an image; the form is sent twice (a double submit), which
// gives one case with the image once; the case number and the
// image's SHA-256 are shown. Then a handler of the district finds the case
// first in the worklist (its triage is the nearest deadline), also by a
// search without diacritics, on a desktop and on a 390 px phone.
func TestWebReportJourney(t *testing.T) {
	s := newServer(t, serverOptions{})
	j := &reportJourney{t: t, s: s, passwords: reportJourneyPasswords(t, s),
		b: browsertest.New(t, browsertest.Options{Timeout: 4 * time.Minute})}
	if root := os.Getenv(browsertest.ScreenshotsEnv); root != "" {
		j.full = filepath.Join(root, "full-"+t.Name())
		_ = os.RemoveAll(j.full)
		if err := os.MkdirAll(j.full, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// Two earlier cases of the district, triaged: their next deadlines
	// (analysis, 24 and 72 hours) are later than a new report's triage (4
	// hours), though they were reported first.
	for i, sev := range []string{"MEDIUM", "LOW"} { // analysis due in 24 and 72 hours
		c, _ := s.report(t, "reporter1", reportInput{ClientRequestID: "j1-earlier-" + sev, Kind: "FALSE_INFORMATION",
			Unit: "lai-chau/tan-uyen/xa-phuc-khoa", Title: fmt.Sprintf("Tin đồn thất thiệt về giá chè búp tươi (%d)", i+1),
			Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tin.don.che." + string(rune('a'+i))}}})
		s.mutate(t, "handler1", `triageCase(id: $id, severity: `+sev+`, assignee: "handler1")`, "($id: ID!)", map[string]any{"id": c.ID})
	}

	j.login("reporter1")
	if !j.b.Exists(`nav a[href="/report"]`) {
		t.Fatalf("the reporter is not offered Phản ánh mới: %s", j.b.Text("nav"))
	}
	j.shot("reporter-home")
	j.b.Navigate(s.url("/report"))
	if got := j.b.Text("h1"); got != "Phản ánh mới" {
		t.Fatalf("report page heading %q", got)
	}
	j.shot("report-form")

	// A first try with no title and a URL that is not one: each message
	// next to its field, what was typed kept.
	j.choose("#kind", "IMPERSONATION")
	j.fill("#s0-url", "facebook.com/ubnd.phuckhoa.gia.mao")
	j.b.Submit("button.primary")
	if got := j.b.Text("#title-error"); got != "Tiêu đề: từ 1 đến 300 ký tự." {
		t.Errorf("title error %q", got)
	}
	if got := j.b.Text("#s0-url-error"); !strings.HasPrefix(got, "Đường dẫn: phải là địa chỉ http(s) đầy đủ") {
		t.Errorf("URL error %q", got)
	}
	j.shot("report-errors")

	// The report, with the image.
	const title = "Trang Facebook giả mạo UBND xã Phúc Khoa kêu gọi quyên góp"
	j.fill("#title", title)
	j.fill("#description", "Trang dùng logo và tên của UBND xã, đăng số tài khoản cá nhân để nhận tiền ủng hộ đồng bào vùng lũ.")
	j.fill("#s0-url", "https://www.facebook.com/ubnd.phuckhoa.gia.mao?fbclid=IwAR0")
	j.fill("#s0-name", "UBND xã Phúc Khoa")
	img := reportJourneyPNG(t)
	imgPath := filepath.Join(t.TempDir(), "trang-gia-mao.png")
	if err := os.WriteFile(imgPath, img, 0o600); err != nil {
		t.Fatal(err)
	}
	j.b.Do(chromedp.SetUploadFiles(chromedp.CSS("#evidence"), []string{imgPath}))
	j.shot("report-filled")

	// The same form sent twice: first by the page's own fetch (as a
	// double click or a resend after a lost answer would), then by the
	// button; both carry the form's request id and the image.
	status, err := chromedp.Run(j.b.Context(), chromedp.Evaluate[int](
		`fetch("/report", {method: "POST", body: new FormData(document.querySelector("form.report"))}).then(r => r.status)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	resp := j.b.Submit("button.primary")
	if resp.Status != http.StatusOK || status != http.StatusOK {
		t.Fatalf("the two sendings ended %d and %d at %s\n%s", status, resp.Status, j.b.Location(), j.b.Text("main"))
	}
	loc := j.b.Location()
	m := regexp.MustCompile(`/cases/([^/?#]+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after sending: %s\n%s", loc, j.b.Text("main"))
	}
	caseID := m[1]
	notes := j.b.Text("main")
	number := regexp.MustCompile(`Số vụ việc (VV-\d{4}-\d{6})\.`).FindStringSubmatch(notes)
	if number == nil {
		t.Fatalf("the case page does not say the case number:\n%s", notes)
	}
	sum := sha256.Sum256(img)
	if !strings.Contains(notes, "Đã lưu chứng cứ «trang-gia-mao.png»") || !strings.Contains(notes, hex.EncodeToString(sum[:])) {
		t.Errorf("the page does not show the image's SHA-256 %x:\n%s", sum, notes)
	}
	if !strings.Contains(notes, number[1]) || !strings.Contains(notes, title) {
		t.Errorf("the case page lacks its number or title:\n%.1500s", notes)
	}
	j.shot("case-after-report")

	// One case, the image once, the platform detected from the URL.
	var found struct {
		Cases struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Number string
					Evidence   []struct{ Sha256, Description, MediaType string }
					Subjects   []struct{ Platform, DisplayName string }
				}
			}
		}
	}
	s.must(t, "handler1", `query($f: CaseFilter) { cases(filter: $f) { totalCount edges { node { id number
		evidence { sha256 description mediaType } subjects { platform displayName } } } } }`,
		map[string]any{"f": map[string]any{"text": "gia mao phuc khoa quyen gop"}}, &found)
	if found.Cases.TotalCount != 1 {
		t.Fatalf("the form sent twice made %d cases", found.Cases.TotalCount)
	}
	n := found.Cases.Edges[0].Node
	if n.ID != caseID || n.Number != number[1] {
		t.Errorf("case %s %s, the page said %s %s", n.ID, n.Number, caseID, number[1])
	}
	if len(n.Evidence) != 1 || n.Evidence[0].Sha256 != hex.EncodeToString(sum[:]) || n.Evidence[0].MediaType != "image/png" ||
		n.Evidence[0].Description != "trang-gia-mao.png" {
		t.Errorf("evidence %+v, want the image once", n.Evidence)
	}
	if len(n.Subjects) != 1 || n.Subjects[0].Platform != "FACEBOOK" || n.Subjects[0].DisplayName != "UBND xã Phúc Khoa" {
		t.Errorf("subjects %+v", n.Subjects)
	}

	// The form on a phone.
	j.b.Viewport(390, 844)
	j.b.Navigate(s.url("/report"))
	j.shot("report-form-390px")
	j.b.Viewport(1280, 900)

	// J2's first step: the district's handler finds it first in the worklist.
	j.login("handler1")
	j.b.Navigate(s.url("/worklist"))
	if got := j.b.Text("table.worklist tbody tr th"); got != number[1] {
		t.Errorf("the worklist's first case is %q, want the new report %s (nearest deadline)", got, number[1])
	}
	if got := j.b.Text("#count"); got != "3 vụ việc" {
		t.Errorf("count %q", got)
	}
	if got := j.b.Text("table.worklist tbody tr td.due"); !strings.Contains(got, "Hạn phân loại") || !strings.Contains(got, "còn 3 giờ") {
		t.Errorf("the first case's deadline reads %q", got)
	}
	j.shot("worklist")
	j.fill("#f-q", "gia mao phuc khoa")
	j.b.Submit(".filters button.primary")
	if got := j.b.Text("#count"); got != "1 vụ việc" {
		t.Errorf("search without diacritics: %q", got)
	}
	j.shot("worklist-search")
	j.b.Viewport(390, 844)
	j.b.Navigate(s.url("/worklist"))
	j.shot("worklist-390px")
	j.b.Submit("table.worklist tbody tr th a")
	if !strings.HasSuffix(j.b.Location(), "/cases/"+caseID) {
		t.Errorf("the number links to %s", j.b.Location())
	}
	j.shot("case-from-worklist-390px")
}
