//go:build linux

package main

// Browser journeys of the case page (issue 14, J2 to J6): the real server
// (`serve` with the demo seed and a policy of seconds for the platforms'
// answers), the demo users' one-time passwords read from its log, and
// Chromium through web/browsertest, which fails the test if a request
// leaves 127.0.0.1. Every page is checked for catalog keys and raw enum
// values; screenshots go to CASETRAIL_SCREENSHOTS when set.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"casetrail/web/browsertest"
)

// caseJourneyPolicy misses a takedown's answer after 6 seconds (and escalates
// it); every other deadline is hours away.
const caseJourneyPolicy = `
triage: 4h
analysis: 4h
takedownResponse: 6s
escalationApproval: 4h
escalationResponse: 4h
resolution: 48h
reminders: [0.5]
autoEscalateOnTakedownMiss: true
`

// casePasswords returns the one-time passwords serve logged for the demo
// users at its first start.
func casePasswords(t *testing.T, s *server) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range s.logLines("one-time password") {
		var e struct{ Username, Password string }
		if err := json.Unmarshal([]byte(l), &e); err == nil && e.Password != "" {
			out[e.Username] = e.Password
		}
	}
	for _, u := range []string{"reporter1", "handler1", "leader1", "auditor1", "handler2"} {
		if out[u] == "" {
			t.Fatalf("no one-time password logged for %s:\n%s", u, s.logTail(40))
		}
	}
	return out
}

// caseBrowser is a browser on the server's interface, as one user at a time.
type caseBrowser struct {
	t         *testing.T
	b         *browsertest.Browser
	s         *server
	passwords map[string]string
	shots     string // where full-page screenshots go ("" for none)
}

func newCaseBrowser(t *testing.T, s *server, passwords map[string]string) *caseBrowser {
	d := &caseBrowser{t: t, b: browsertest.New(t, browsertest.Options{Timeout: 6 * time.Minute}), s: s, passwords: passwords}
	if root := os.Getenv(browsertest.ScreenshotsEnv); root != "" {
		d.shots = filepath.Join(root, "full-"+regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
		_ = os.RemoveAll(d.shots)
		if err := os.MkdirAll(d.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// login logs user in (after logging out whoever was).
func (d *caseBrowser) login(user string) {
	d.t.Helper()
	if d.b.Exists(".logout button") {
		d.b.Submit(".logout button")
	}
	d.b.Navigate(d.s.url("/login"))
	d.b.Fill("#username", user)
	d.b.Fill("#password", d.passwords[user])
	d.b.Submit("button.primary")
	if !d.b.Exists(".logout button") {
		d.t.Fatalf("%s could not log in: %s", user, d.b.Text("main"))
	}
}

// open shows the case page of id.
func (d *caseBrowser) open(id string) {
	d.t.Helper()
	if resp := d.b.Navigate(d.s.url("/cases/" + id)); resp.Status != http.StatusOK {
		d.t.Fatalf("GET /cases/%s: %d\n%s", id, resp.Status, d.b.Text("main"))
	}
}

// act unfolds the form of action, lets fill enter its fields and sends it;
// it returns the status of the page it leads to.
func (d *caseBrowser) act(action string, fill func()) int64 {
	d.t.Helper()
	if !d.b.Exists("#action-" + action) {
		d.t.Fatalf("the page offers no %s; its actions: %s", action, d.b.Text("#actions"))
	}
	d.b.Do(chromedp.Click(chromedp.CSS("#action-" + action + " > summary")))
	if fill != nil {
		fill()
	}
	return d.b.Submit("#action-" + action + " button.primary").Status
}

// fill puts value into the input, textarea or select sel, as typing
// would (browsertest's Fill clears through the node's text, which an
// empty textarea lacks).
func (d *caseBrowser) fill(sel, value string) {
	d.t.Helper()
	js := fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) { return false; }
		e.focus();
		e.value = %q;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return e.value === %q;
	})()`, sel, value, value)
	ok, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		d.t.Fatalf("fill %s: %v (set: %t)", sel, err, ok)
	}
}

// choose selects value in the select sel.
func (d *caseBrowser) choose(sel, value string) { d.fill(sel, value) }

// text returns the visible text of sel, "" when there is none (read by
// script: chromedp's node ids do not outlive a navigation).
func (d *caseBrowser) text(sel string) string {
	d.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText.trim() : ""; })()`, sel)
	out, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[string](js))
	if err != nil {
		d.t.Fatalf("text of %s: %v", sel, err)
	}
	return out
}

// shot saves the viewport (browsertest) and, with CASETRAIL_SCREENSHOTS,
// the whole page, after checking the page.
func (d *caseBrowser) shot(name string) {
	d.t.Helper()
	d.check(name)
	d.b.Screenshot(name)
	if d.shots == "" {
		return
	}
	img, err := chromedp.Run(d.b.Context(), chromedp.FullScreenshot(100))
	if err != nil {
		d.t.Fatalf("full screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(d.shots, name+".png"), img, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// caseLeakedKey matches a catalog key shown instead of its text; caseRawValue a
// value of the contract's enums or an event type shown as it is.
var (
	caseLeakedKey = regexp.MustCompile(`\b(case|audit|event|action|field|rule|done|status|kind|severity|deadline|deadlineState|takedownStatus|escalationStatus|outcome|verdict|platform|span|due|size|code|error|nav|role)\.[A-Za-z_]+\b`)
	caseRawValue  = regexp.MustCompile(`\b(REPORTED|TRIAGED|ANALYSIS|ACTION|ESCALATED|RESOLVED|CLOSED|REJECTED|IMPERSONATION|FALSE_INFORMATION|ACCOUNT_COMPROMISED|LOW|MEDIUM|HIGH|CRITICAL|PENDING|MET|MISSED|CANCELLED|TRIAGE|TAKEDOWN_RESPONSE|ESCALATION_APPROVAL|ESCALATION_RESPONSE|RESOLUTION|FACEBOOK|PENDING_APPROVAL|APPROVED|SENT|ACKNOWLEDGED|DECLINED|REMOVED|EXPIRED|HANDLER|LEADER|AUDITOR|REPORTER|FORBIDDEN|CONFLICT|[A-Z][a-z]+(Reported|Triaged|Started|Recorded|Added|Requested|Responded|Approved|Declined|Sent|Set|Reminder|Met|Missed|Cancelled|Resolved|Closed|Rejected|Reopened|Merged|Assigned))\b`)
)

// check fails the test when the page shows a catalog key or a raw value,
// or is wider than its viewport.
func (d *caseBrowser) check(name string) {
	d.t.Helper()
	text := d.text("body")
	if m := caseLeakedKey.FindAllString(text, -1); len(m) > 0 {
		d.t.Errorf("%s shows catalog keys %v", name, m)
	}
	if m := caseRawValue.FindAllString(text, -1); len(m) > 0 {
		d.t.Errorf("%s shows raw values %v", name, m)
	}
	vw, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[int]("window.innerWidth"))
	if err != nil {
		d.t.Fatal(err)
	}
	if w := d.b.ScrollWidth(); w > vw {
		d.t.Errorf("%s is %d px wide on a %d px screen", name, w, vw)
	}
}

// until reloads the case page of id until sel shows text containing want.
func (d *caseBrowser) until(id, sel, want string, limit time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		d.open(id)
		if strings.Contains(d.text(sel), want) {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("after %s the case page still shows %q at %s, not %q", limit, d.text(sel), sel, want)
		}
		time.Sleep(time.Second)
	}
}

// caseEvidencePNG is a small real image, the reporter's screenshot.
func caseEvidencePNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for x := range 24 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{uint8(160 + x), 22, uint8(26 + y), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// caseVersion reads the version and status of case id as sub: the version
// of the last event that changed the case (the delivery records of
// notifications, appended in the background, are left out).
func (s *server) caseVersion(t *testing.T, sub, id string) (int, string) {
	t.Helper()
	c := s.readCase(t, sub, id)
	v := 0
	if own := caseEventsOnly(s.history(t, sub, id)); len(own) > 0 {
		v = own[len(own)-1].Version
	}
	return v, c.Status
}

// TestWebCaseJourneys: J2 a handler triages, analyses (and sees the
// impersonated official account), requests a takedown, whose answer is
// missed: the case shows an escalation waiting for approval; J3 the leader
// approves it on a phone and the dispatch number appears; J4 the handler
// records the answer and resolves, the leader closes; J5 the auditor
// verifies the chain, views the case as of version 3 and downloads the
// evidence, whose SHA-256 is the upload's; J6 a stale page gets the
// conflict message and writes nothing, a user of another commune is
// refused, a cross-origin form is refused.
func TestWebCaseJourneys(t *testing.T) {
	s := newServer(t, serverOptions{Policy: caseJourneyPolicy})
	passwords := casePasswords(t, s)
	const (
		commune  = "lai-chau/tan-uyen/xa-phuc-khoa"
		fakePage = "https://www.facebook.com/ubnd.tanuyen.official"
	)
	// The report and its evidence come through the API (the report page
	// has journeys of its own).
	c, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-case-1", Kind: "IMPERSONATION", Unit: commune,
		Title:       "Trang giả mạo UBND huyện Tân Uyên kêu gọi chuyển tiền",
		Description: "Trang dùng tên và ảnh đại diện của UBND huyện, đăng bài kêu gọi ủng hộ vào tài khoản cá nhân.",
		Subjects:    []subjectInput{{Platform: "FACEBOOK", URL: fakePage, DisplayName: "UBND huyện Tân Uyên"}},
	})
	id := c.ID
	shot := caseEvidencePNG(t)
	sum := sha256.Sum256(shot)
	uploaded := hex.EncodeToString(sum[:])
	s.must(t, "reporter1", `mutation($id: ID!, $in: EvidenceInput!) { addEvidence(id: $id, input: $in) { version } }`,
		map[string]any{"id": id, "in": map[string]any{"description": "Ảnh chụp bài đăng kêu gọi chuyển tiền", "mediaType": "image/png",
			"contentBase64": base64.StdEncoding.EncodeToString(shot)}}, nil)

	d := newCaseBrowser(t, s, passwords)
	b := d.b

	// J2: the handler finds the case in the worklist and works it.
	d.login("handler1")
	b.Navigate(s.url("/worklist"))
	row := fmt.Sprintf(`a[href="/cases/%s"]`, id)
	if !b.Exists(row) {
		t.Fatalf("the worklist does not list %s:\n%s", c.Number, d.text("main"))
	}
	if resp := b.Submit(row); resp.Status != http.StatusOK {
		t.Fatalf("the worklist's link to the case: %d", resp.Status)
	}
	if got := d.text(".badges .status"); got != "Mới tiếp nhận" {
		t.Errorf("status badge %q", got)
	}
	d.shot("j2-handler-reported")
	if b.Exists("#action-approveEscalation") || b.Exists("#action-closeCase") || b.Exists("#action-startAnalysis") {
		t.Errorf("a REPORTED case offers the handler more than its state allows: %s", d.text("#actions"))
	}
	d.act("triageCase", func() {
		d.choose("#f-triageCase-severity", "HIGH")
		d.fill("#f-triageCase-note", "Ưu tiên: có dấu hiệu lừa đảo")
	})
	if got := d.text(".flash"); got != "Đã phân loại vụ việc." {
		t.Errorf("after triage: flash %q", got)
	}
	if got := d.text(".badges"); !strings.Contains(got, "Đã phân loại") || !strings.Contains(got, "Cao") {
		t.Errorf("after triage: badges %q", got)
	}
	d.act("startAnalysis", nil)
	d.act("recordAnalysis", func() {
		d.fill("#f-recordAnalysis-findings", "Trang mạo danh UBND huyện: dùng tên, ảnh đại diện; tài khoản nhận tiền là cá nhân.")
		d.choose("#f-recordAnalysis-verdict", "FALSE")
	})
	analysis := d.text("#analysis-title + dl")
	if !strings.Contains(analysis, "Sai sự thật") || !strings.Contains(analysis, "Tài khoản chính thức bị giả mạo") ||
		!strings.Contains(analysis, "UBND huyện Tân Uyên") || !strings.Contains(analysis, "Độ tương đồng") {
		t.Errorf("the analysis does not show the impersonated official account:\n%s", analysis)
	}
	d.shot("j2-handler-analysis")
	d.act("requestTakedown", func() {
		d.fill("#f-requestTakedown-reason", "Mạo danh cơ quan nhà nước để lừa đảo")
		d.fill("#f-requestTakedown-legalBasis", "Nghị định 147/2024/NĐ-CP, Điều 23")
		// The channel (issue 17, §2): the province's department asked for the removal.
		d.choose("#f-requestTakedown-channel", "AUTHORITY_REQUEST")
		d.fill("#f-requestTakedown-authority", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu")
	})
	if got := d.text(".flash"); got != "Đã gửi yêu cầu gỡ bỏ." {
		t.Errorf("after the takedown request: flash %q", got)
	}
	if got := d.text("#takedowns-title + ul"); !strings.Contains(got, "Đã gửi") || !strings.Contains(got, fakePage) ||
		!strings.Contains(got, "Yêu cầu của cơ quan có thẩm quyền") || !strings.Contains(got, "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu") ||
		!strings.Contains(got, "Hạn gỡ bỏ theo quy định") {
		t.Errorf("takedowns: %q", got)
	}
	d.shot("j2-handler-takedown")
	// The platform does not answer within 6 s: the system misses the
	// deadline and asks for an escalation.
	d.until(id, "#escalation-status", "Chờ lãnh đạo duyệt", 90*time.Second)
	if got := d.text("#takedowns-title + ul"); !strings.Contains(got, "Hết hạn không phản hồi") {
		t.Errorf("after the miss, takedowns: %q", got)
	}
	timeline := d.text("#timeline-title + ol")
	for _, want := range []string{"Hạn nền tảng phản hồi: quá hạn", "Đề nghị chuyển cấp trên tới Sở Văn hóa, Thể thao và Du lịch", "Hệ thống",
		"Gửi yêu cầu gỡ bỏ TD-1 tới Facebook", "Nhắc hạn: Hạn nền tảng phản hồi đã qua 50 % thời gian"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	if !regexp.MustCompile(`\d\d:\d\d \d\d/\d\d/\d{4} · Hệ thống`).MatchString(timeline) {
		t.Errorf("the system's events are not dated HH:mm dd/mm/yyyy by Hệ thống:\n%s", timeline)
	}
	if b.Exists("#action-approveEscalation") {
		t.Errorf("the handler is offered the leader's approval")
	}
	d.shot("j2-handler-escalation-pending")

	// J3: the leader approves on a phone.
	b.Viewport(390, 844)
	d.login("leader1")
	d.open(id)
	d.shot("j3-leader-390-pending")
	if got := d.text("#escalation-title + p + dl"); !strings.Contains(got, "hệ thống tự động đề nghị chuyển cấp trên") {
		t.Errorf("the system's reason is not in words: %q", got)
	}
	// The draft of the letter (DỰ THẢO, no number) before approving it.
	preview := "/cases/" + id + "/letters/escalation-preview.pdf"
	if !b.Exists(`#action-approveEscalation a[href="` + preview + `"]`) {
		t.Errorf("the approval form does not link the draft letter %s", preview)
	}
	if got := fetchFile(t, b, preview); got.Status != 200 || got.Type != "application/pdf" || !strings.HasPrefix(got.Head, "%PDF-") {
		t.Errorf("draft letter %+v; want 200, a PDF", got)
	}
	if status := d.act("approveEscalation", func() {
		if got := d.text("#action-approveEscalation .form-context"); !strings.Contains(got, "Sở Văn hóa, Thể thao và Du lịch") {
			t.Errorf("the approval form does not say what is approved: %q", got)
		}
		// Tân Uyên's default signer (the seed) signs unless the leader says otherwise.
		if got := d.value("#f-approveEscalation-signerName"); got != "Trần Thị Lan" {
			t.Errorf("signer %q; want the unit's default, Trần Thị Lan", got)
		}
		if b.Exists("#f-approveEscalation-registerNumber") {
			t.Error("a register number is asked where CaseTrail keeps the register")
		}
		d.shot("j3-leader-390-approve-form")
		d.fill("#f-approveEscalation-note", "Đồng ý chuyển Sở VHTTDL")
	}); status != http.StatusOK {
		t.Fatalf("approve: %d", status)
	}
	if got := d.text(".flash"); !strings.HasPrefix(got, "Đã duyệt chuyển cấp trên.") {
		t.Errorf("after approval: flash %q", got)
	}
	d.until(id, ".dispatch", "/", 60*time.Second)
	// Numbered by the issuing unit (Tân Uyên, which the commune writes
	// through), in its register of the year, with its symbol (Decree
	// 30/2020, Art. 15); the letter itself is downloadable.
	if n := d.text(".dispatch"); !regexp.MustCompile(`^\d{2,}/UBND-VHTT$`).MatchString(n) {
		t.Errorf("dispatch number %q; want e.g. 01/UBND-VHTT", n)
	}
	if got := d.text("#escalation-title ~ dl .letter"); !strings.Contains(got, "KT. Chủ tịch – Phó Chủ tịch Trần Thị Lan") {
		t.Errorf("the letter's signer: %q", got)
	}
	if got := fetchFile(t, b, "/cases/"+id+"/letters/escalation.pdf"); got.Status != 200 || got.Type != "application/pdf" ||
		!strings.HasPrefix(got.Head, "%PDF-") || got.SHA != got.Digest {
		t.Errorf("letter %+v; want 200, a PDF whose SHA-256 is X-Content-SHA256", got)
	}
	if got := d.text("#escalation-status"); got != "Đã gửi" {
		t.Errorf("escalation status %q after dispatch", got)
	}
	d.shot("j3-leader-390-sent")
	b.Viewport(1280, 900)

	// J4: the handler records the answer and resolves; the leader closes.
	d.login("handler1")
	d.open(id)
	d.act("recordEscalationResponse", func() {
		d.fill("#f-recordEscalationResponse-response", "Sở VHTTDL đã phối hợp với Facebook gỡ trang mạo danh.")
		b.Do(chromedp.Click(chromedp.CSS("#f-recordEscalationResponse-resolved")))
	})
	if got := d.text("#escalation-status"); got != "Cấp trên đã xử lý" {
		t.Errorf("escalation after the answer: %q", got)
	}
	d.act("resolveCase", func() {
		d.fill("#f-resolveCase-resolution", "Trang mạo danh đã bị gỡ; đã thông báo trên trang chính thức.")
	})
	if got := d.text(".badges .status"); got != "Đã giải quyết" {
		t.Errorf("after resolving: %q", got)
	}
	d.shot("j4-handler-resolved")
	d.login("leader1")
	d.open(id)
	d.act("closeCase", func() { d.fill("#f-closeCase-note", "Kết quả xử lý đạt yêu cầu.") })
	if got := d.text(".badges .status"); got != "Đã đóng hồ sơ" {
		t.Errorf("after closing: %q", got)
	}
	if b.Exists("#action-closeCase") || b.Exists("#action-resolveCase") {
		t.Errorf("a closed case still offers closing or resolving")
	}
	d.shot("j4-leader-closed")

	// J5: the auditor.
	d.login("auditor1")
	b.Navigate(s.url("/cases/" + id + "/audit"))
	d.b.Submit("#verify-button")
	if got := d.text("#verify-result"); !regexp.MustCompile(`^Chuỗi mã băm toàn vẹn: đã kiểm tra \d+ sự kiện\.$`).MatchString(got) {
		t.Errorf("verify: %q", got)
	}
	d.shot("j5-auditor-verified")
	d.fill("#asof-version", "3")
	b.Submit("#asof-button")
	if got := d.text("#asof-state-title"); got != "Trạng thái vụ việc tại phiên bản 3" {
		t.Errorf("as-of title %q", got)
	}
	if got := d.text("#asof .badges .status"); got != "Mới tiếp nhận" {
		t.Errorf("status at version 3: %q", got)
	}
	if got := d.text("#asof #evidence-title-past + ul"); !strings.Contains(got, uploaded) {
		t.Errorf("evidence at version 3: %q", got)
	}
	d.shot("j5-auditor-as-of-3")
	b.Viewport(390, 844)
	b.Navigate(s.url("/cases/" + id + "/audit?verify=1&version=3"))
	d.shot("j5-auditor-390")
	b.Viewport(1280, 900)
	link := "/cases/" + id + "/evidence/" + uploaded
	if !b.Exists(`a[href="` + link + `"]`) {
		t.Errorf("no download link %s", link)
	}
	type download struct {
		Status          int
		Type, SHA, Disp string
		Nosniff, Digest string
	}
	got, err := chromedp.Run(b.Context(), chromedp.Evaluate[download](fmt.Sprintf(`(async () => {
		const r = await fetch(%q);
		const body = await r.arrayBuffer();
		const digest = await crypto.subtle.digest("SHA-256", body);
		return {Status: r.status, Type: r.headers.get("Content-Type"), SHA: r.headers.get("X-Content-SHA256"),
			Disp: r.headers.get("Content-Disposition"), Nosniff: r.headers.get("X-Content-Type-Options"),
			Digest: Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, "0")).join("")};
	})()`, link), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the evidence: %v", err)
	}
	if got.Status != 200 || got.Digest != uploaded || got.SHA != uploaded || got.Type != "image/png" || got.Nosniff != "nosniff" ||
		!strings.HasPrefix(got.Disp, "attachment") {
		t.Errorf("download %+v; want 200, image/png, nosniff, an attachment whose SHA-256 is %s", got, uploaded)
	}

	// J6: refusals. A stale page: the handler's form of a second case
	// carries a version a leader's assignment has since passed.
	other, _ := s.report(t, "reporter1", reportInput{
		ClientRequestID: "journey-case-2", Kind: "FALSE_INFORMATION", Unit: commune,
		Title: "Tin sai về lịch cắt điện", Description: "Bài đăng nói cả xã mất điện ba ngày.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: "https://www.facebook.com/tin.nong.laichau/posts/9"}},
	})
	d.login("handler1")
	d.open(other.ID)
	// A double submit (two posts of one rendered form, as a double click
	// sends them) adds one comment.
	b.Do(chromedp.Click(chromedp.CSS("#action-addComment > summary")))
	d.fill("#f-addComment-text", "Đã liên hệ Điện lực Lai Châu để xác minh.")
	statuses, err := chromedp.Run(b.Context(), chromedp.Evaluate[[]int](`(async () => {
		const f = document.querySelector("#action-addComment form");
		const send = () => fetch(f.action, {method: "POST", body: new URLSearchParams(new FormData(f)), redirect: "manual"});
		const rs = await Promise.all([send(), send()]);
		return rs.map(r => r.status);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("double submit: %v", err)
	}
	if len(statuses) != 2 || statuses[0] != 0 || statuses[1] != 0 {
		// 0 is the opaque redirect of a success (303 to the case page).
		t.Errorf("double submit answered %v, want two redirects", statuses)
	}
	if n := len(findEvents(s.history(t, "handler1", other.ID), "CommentAdded", "")); n != 1 {
		t.Errorf("a double submit added %d comments, want 1", n)
	}
	d.open(other.ID)
	s.must(t, "leader1", `mutation($id: ID!) { assignCase(id: $id, assignee: "handler1") { version } }`, map[string]any{"id": other.ID}, nil)
	before, _ := s.caseVersion(t, "handler1", other.ID)
	if status := d.act("triageCase", func() { d.choose("#f-triageCase-severity", "LOW") }); status != http.StatusConflict {
		t.Errorf("a stale triage answered %d, want 409", status)
	}
	if got := d.text("#case-alert"); !strings.Contains(got, "Vụ việc vừa được cập nhật — tải lại") {
		t.Errorf("stale page: alert %q", got)
	}
	d.shot("j6-stale-conflict")
	if after, status := s.caseVersion(t, "handler1", other.ID); after != before || status != "REPORTED" {
		t.Errorf("the stale form wrote: version %d → %d, status %s", before, after, status)
	}

	// A user of another commune opens the case: refused, nothing written.
	before, _ = s.caseVersion(t, "auditor1", id)
	d.login("handler2")
	if resp := b.Navigate(s.url("/cases/" + id)); resp.Status != http.StatusForbidden {
		t.Errorf("handler2 opening the case: %d, want 403", resp.Status)
	}
	if got := d.text("main"); !strings.Contains(got, "Bạn không có quyền xem vụ việc này.") || strings.Contains(got, c.Number) {
		t.Errorf("refusal page: %q", got)
	}
	d.shot("j6-other-commune-refused")

	// A form of another site (another origin on this machine) posting to
	// the case as the logged-in handler1: refused before anything runs.
	d.login("handler1")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Khuyến mãi</title><form method="post" action="%s">`+
			`<input type="hidden" name="text" value="Bình luận giả"><input type="hidden" name="key" value="evil-1">`+
			`<button type="submit">Nhận quà</button></form>`, s.url("/cases/"+id+"/addComment"))
	}))
	defer evil.Close()
	b.Navigate(evil.URL)
	if resp := b.Submit("button"); resp.Status != http.StatusForbidden {
		t.Errorf("cross-origin POST: %d, want 403", resp.Status)
	}
	if got := d.text("main"); !strings.Contains(got, "Yêu cầu bị từ chối: biểu mẫu được gửi từ một trang khác.") {
		t.Errorf("cross-origin refusal: %q", got)
	}
	d.shot("j6-cross-origin-refused")
	if after, _ := s.caseVersion(t, "auditor1", id); after != before {
		t.Errorf("refused requests wrote: version %d → %d", before, after)
	}
}

// fetched is a file fetched by the browser as the logged-in user.
type fetched struct {
	Status                  int
	Type, SHA, Digest, Head string
}

// fetchFile fetches path in the browser: its status, type, X-Content-SHA256,
// the SHA-256 of its body and its first bytes.
func fetchFile(t *testing.T, b *browsertest.Browser, path string) fetched {
	t.Helper()
	got, err := chromedp.Run(b.Context(), chromedp.Evaluate[fetched](fmt.Sprintf(`(async () => {
		const r = await fetch(%q);
		const body = await r.arrayBuffer();
		const digest = await crypto.subtle.digest("SHA-256", body);
		return {Status: r.status, Type: r.headers.get("Content-Type") || "", SHA: r.headers.get("X-Content-SHA256") || "",
			Digest: Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, "0")).join(""),
			Head: String.fromCharCode(...new Uint8Array(body.slice(0, 5)))};
	})()`, path), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	return got
}

// value returns the value of the input sel, "" when there is none.
func (d *caseBrowser) value(sel string) string {
	d.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.value : ""; })()`, sel)
	out, err := chromedp.Run(d.b.Context(), chromedp.Evaluate[string](js))
	if err != nil {
		d.t.Fatalf("value of %s: %v", sel, err)
	}
	return out
}
