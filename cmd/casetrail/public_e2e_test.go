//go:build linux

package main

// The public's two doors (issue 18) on the real server: `serve` with the
// demo seed (the subject public granted PUBLIC on Tân Uyên and two
// communes), 127.0.0.1 as a trusted proxy so that each part of the test
// is its own client address (X-Forwarded-For), and a browser on a 390 px
// phone filing a report and following its tracking code.

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"casetrail/web/browsertest"
)

// publicDo sends method path (with form, when not nil) from client (as
// X-Forwarded-For names it) and returns the answer read whole.
func (s *server) publicDo(t testing.TB, method, path, client string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, s.url(path), body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", client)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// publicCheck asks GET /public/check for link from client and returns the
// answer's fields and its JSON keys, sorted.
func (s *server) publicCheck(t testing.TB, link, client string) (map[string]any, []string) {
	t.Helper()
	resp, body := s.publicDo(t, http.MethodGet, "/public/check?"+url.Values{"url": {link}}.Encode(), client, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("check %s: %d %v %s", link, resp.StatusCode, resp.Header, body)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("check %s: %v %s", link, err, body)
	}
	return m, slices.Sorted(maps.Keys(m))
}

var trackingCode = regexp.MustCompile(`id="tracking-code">([2-9A-Z]{5}-[2-9A-Z]{5})<`)

// TestPublicDoors: the public check answers only its whitelisted keys for
// each kind of answer (and tells of an impersonator only once its case is
// resolved); a citizen's report lands in the commune's worklist marked as
// a public report, its tracking code tells the status in words before and
// after the handler rejects it, and its contact is the unit's handlers'
// and leaders' alone; a flood from one address is answered 429 while
// another address is served.
func TestPublicDoors(t *testing.T) {
	s := newServer(t, serverOptions{Env: []string{"CASETRAIL_TRUSTED_PROXIES=127.0.0.1"}})

	t.Run("check", func(t *testing.T) {
		const client = "203.0.113.10"
		m, keys := s.publicCheck(t, "https://m.facebook.com/ubndtanuyen?fbclid=x", client)
		if !slices.Equal(keys, []string{"displayName", "platform", "result", "unit"}) || m["result"] != "OFFICIAL" ||
			m["unit"] != "Tân Uyên" || m["platform"] != "FACEBOOK" || m["displayName"] != "UBND huyện Tân Uyên" {
			t.Errorf("official: %v", m)
		}
		if m, keys := s.publicCheck(t, "https://www.facebook.com/khong-ai-biet", client); !slices.Equal(keys, []string{"result"}) || m["result"] != "UNKNOWN" {
			t.Errorf("unknown: %v", m)
		}

		// An impersonation case: unknown to the public while it is open,
		// its verdict recorded; known, with its number, once resolved.
		fake := "https://www.facebook.com/ubnd.phuckhoa.that"
		c, _ := s.report(t, "reporter1", reportInput{ClientRequestID: "pub-imp-1", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
			Title: "Trang mạo danh UBND xã Phúc Khoa", Subjects: []subjectInput{{Platform: "FACEBOOK", URL: fake}}})
		vars := map[string]any{"id": c.ID}
		s.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, "($id: ID!)", vars)
		s.mutate(t, "handler1", `startAnalysis(id: $id)`, "($id: ID!)", vars)
		s.mutate(t, "handler1", `recordAnalysis(id: $id, input: {findings: "Mạo danh UBND xã", verdict: FALSE})`, "($id: ID!)", vars)
		if m, keys := s.publicCheck(t, fake, client); !slices.Equal(keys, []string{"result"}) || m["result"] != "UNKNOWN" {
			t.Errorf("open impersonation case: %v", m)
		}
		var logged struct {
			CheckAccount struct{ Result, CaseNumber string }
		}
		s.must(t, "handler1", `query($u: String!) { checkAccount(url: $u) { result caseNumber } }`, map[string]any{"u": fake}, &logged)
		if logged.CheckAccount.Result != "KNOWN_IMPERSONATOR" {
			t.Errorf("the logged-in check of the open case: %+v", logged)
		}
		s.mutate(t, "handler1", `resolveCase(id: $id, resolution: "Nền tảng đã gỡ trang")`, "($id: ID!)", vars)
		m, keys = s.publicCheck(t, fake, client)
		if !slices.Equal(keys, []string{"caseNumber", "result"}) || m["result"] != "KNOWN_IMPERSONATOR" || m["caseNumber"] != c.Number {
			t.Errorf("resolved impersonation case: %v", m)
		}
		// The page says it in words.
		_, page := s.publicDo(t, http.MethodGet, "/check?"+url.Values{"url": {fake}}.Encode(), client, nil)
		if !strings.Contains(page, "Trang giả mạo đã được xác nhận (vụ việc số "+c.Number+")") {
			t.Errorf("check page: %.2000s", page)
		}
	})

	t.Run("report", func(t *testing.T) {
		const client = "203.0.113.20"
		link := "https://www.facebook.com/tin.sai.phuc.khoa/posts/42"
		form := url.Values{"unit": {"lai-chau/tan-uyen/xa-phuc-khoa"}, "kind": {"FALSE_INFORMATION"}, "url.0": {link},
			"description": {"Bài đăng nói sai về việc đóng cửa trường học."}, "name": {"Lò Văn Dũng"}, "phone": {"0912 345 678"}, "consent": {"1"}}
		resp, page := s.publicDo(t, http.MethodPost, "/public/report", client, form)
		m := trackingCode.FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("report: %d cookie %q\n%.3000s", resp.StatusCode, resp.Header.Get("Set-Cookie"), page)
		}
		code := m[1]

		// The commune's worklist, as the district's handler.
		var wl struct {
			Worklist struct {
				Edges []struct {
					Node struct {
						ID, Number, Status, ReportedBy, Title, Description string
						Unit                                               struct{ ID string }
						PublicReports                                      int
					}
				}
			}
		}
		s.must(t, "handler1", `{ worklist(filter: {unit: "lai-chau/tan-uyen/xa-phuc-khoa"}, first: 50) { edges { node {
			id number status reportedBy title description unit { id } publicReports } } } }`, nil, &wl)
		var id, number string
		for _, e := range wl.Worklist.Edges {
			if e.Node.PublicReports > 0 {
				if id != "" {
					t.Fatalf("two public reports in the worklist: %+v", wl)
				}
				n := e.Node
				id, number = n.ID, n.Number
				if n.Status != "REPORTED" || n.ReportedBy != "public" || n.Unit.ID != "lai-chau/tan-uyen/xa-phuc-khoa" ||
					!strings.HasPrefix(n.Title, "Phản ánh của người dân: facebook.com/tin.sai.phuc.khoa") || !strings.Contains(n.Description, "đóng cửa trường học") {
					t.Errorf("the public report's case: %+v", n)
				}
			}
		}
		if id == "" {
			t.Fatalf("no public report in the worklist: %+v", wl)
		}

		track := func(want string) {
			t.Helper()
			resp, page := s.publicDo(t, http.MethodGet, "/public/track?code="+url.QueryEscape(strings.ToLower(code)), client, nil)
			// The day of the last change: today in +07:00 (or yesterday, should
			// midnight have passed since).
			now := time.Now().In(time.FixedZone("ICT", 7*3600))
			today, yesterday := now.Format("02/01/2006"), now.AddDate(0, 0, -1).Format("02/01/2006")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, ">"+want+"</span>") ||
				!strings.Contains(page, "Cập nhật lần cuối: <time>"+today) && !strings.Contains(page, "Cập nhật lần cuối: <time>"+yesterday) {
				t.Errorf("track %s: %d, want %q\n%.3000s", code, resp.StatusCode, want, page)
			}
			for _, secret := range []string{number, id, "handler1", "Lò Văn Dũng", "0912345678", link} {
				if strings.Contains(page, secret) {
					t.Errorf("the tracking page tells %q", secret)
				}
			}
		}
		track("Mới tiếp nhận")

		// The contact: the unit's handlers and leaders, no one else.
		q := `query($id: ID!) { case(id: $id) { publicReporters { name phone consentAt } } }`
		for _, who := range []string{"handler1", "leader1"} {
			var d struct {
				Case struct {
					PublicReporters []struct{ Name, Phone, ConsentAt string }
				}
			}
			s.must(t, who, q, map[string]any{"id": id}, &d)
			if p := d.Case.PublicReporters; len(p) != 1 || p[0].Name != "Lò Văn Dũng" || p[0].Phone != "0912345678" || p[0].ConsentAt == "" {
				t.Errorf("%s reads %+v", who, p)
			}
		}
		for _, who := range []string{"handler2", "auditor1", "reporter1"} {
			s.refused(t, who, q, map[string]any{"id": id}, "FORBIDDEN")
		}
		// Nor does the case's history hold it.
		r := s.gql(t, "auditor1", `query($id: ID!) { case(id: $id) { history { type data } } }`, map[string]any{"id": id})
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "CaseReported") || !strings.Contains(string(r.Data), `\"channel\":\"PUBLIC\"`) {
			t.Errorf("history: %s %+v", r.Data, r.Errors)
		}
		for _, secret := range []string{"Lò Văn Dũng", "0912", code} {
			if strings.Contains(string(r.Data), secret) {
				t.Errorf("the history holds %q", secret)
			}
		}

		// The same report again from the same address: the same code; from
		// another address: merged into the same case, a code of its own.
		if _, again := s.publicDo(t, http.MethodPost, "/public/report", client, form); !strings.Contains(again, code) || !strings.Contains(again, "vừa được gửi") {
			t.Errorf("the same report again: %.2000s", again)
		}
		form.Del("name")
		form.Del("phone")
		_, other := s.publicDo(t, http.MethodPost, "/public/report", "203.0.113.21", form)
		m2 := trackingCode.FindStringSubmatch(other)
		if m2 == nil || m2[1] == code {
			t.Fatalf("from another address: %.2000s", other)
		}
		var merged struct {
			Case struct{ MergedReports, PublicReports int }
		}
		s.must(t, "handler1", `query($id: ID!) { case(id: $id) { mergedReports publicReports } }`, map[string]any{"id": id}, &merged)
		if merged.Case.MergedReports != 1 || merged.Case.PublicReports != 2 {
			t.Errorf("after the second citizen: %+v", merged)
		}

		// The handler rejects it: the tracking page says so.
		s.mutate(t, "handler1", `rejectCase(id: $id, reason: "Thông tin đã được cơ quan chức năng đính chính")`, "($id: ID!)", map[string]any{"id": id})
		track("Không thụ lý")
		if _, p := s.publicDo(t, http.MethodGet, "/public/track?code="+m2[1], "203.0.113.21", nil); !strings.Contains(p, ">Không thụ lý</span>") {
			t.Errorf("the second code after the rejection: %.2000s", p)
		}
		if resp, _ := s.publicDo(t, http.MethodGet, "/public/track?code=ABCDE-FGHJK", client, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown code: %d", resp.StatusCode)
		}
	})

	t.Run("flood", func(t *testing.T) {
		var served, limited int
		var first *http.Response
		for range 200 {
			resp, body := s.publicDo(t, http.MethodGet, "/public/check?url=https%3A%2F%2Fa.vn", "198.51.100.66", nil)
			switch resp.StatusCode {
			case http.StatusOK:
				served++
			case http.StatusTooManyRequests:
				limited++
				if first == nil {
					first = resp
					if !strings.Contains(body, `"error":"RATE_LIMITED"`) || !strings.Contains(body, "Thao tác quá nhanh") {
						t.Errorf("429 body %s", body)
					}
				}
			default:
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
		}
		t.Logf("one address: %d served, %d answered 429", served, limited)
		if served < 30 || limited == 0 || served+limited != 200 {
			t.Fatalf("one address: %d served, %d limited", served, limited)
		}
		if ra, err := strconv.Atoi(first.Header.Get("Retry-After")); err != nil || ra < 1 {
			t.Errorf("Retry-After %q", first.Header.Get("Retry-After"))
		}
		if resp, _ := s.publicDo(t, http.MethodGet, "/public/check?url=https%3A%2F%2Fa.vn", "198.51.100.67", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("another address: %d", resp.StatusCode)
		}
		// The report form of the flooded address is refused too, the
		// other's not.
		if resp, _ := s.publicDo(t, http.MethodGet, "/public/report", "198.51.100.66", nil); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the flooded address's form: %d", resp.StatusCode)
		}
	})

	t.Run("browser", func(t *testing.T) { publicJourney(t, s) })
}

// publicJourney: a citizen on a 390 px phone checks a page, files a report
// with a contact, reads the tracking code and opens the tracking page; the
// district's handler then finds the report marked on the case page with
// the contact beside it.
func publicJourney(t *testing.T, s *server) {
	j := &reportJourney{t: t, s: s, passwords: reportJourneyPasswords(t, s),
		b: browsertest.New(t, browsertest.Options{Width: 390, Height: 844, Timeout: 4 * time.Minute})}
	if root := os.Getenv(browsertest.ScreenshotsEnv); root != "" {
		j.full = filepath.Join(root, "full-"+strings.ReplaceAll(t.Name(), "/", "-"))
		_ = os.RemoveAll(j.full)
		if err := os.MkdirAll(j.full, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	j.b.Navigate(s.url("/check"))
	j.fill("#url", "https://www.tiktok.com/@phuongtanphong")
	j.b.Submit("button.primary")
	if got := j.b.Text("#answer .verdict"); got != "Tài khoản chính thức của UBND phường Tân Phong" {
		t.Errorf("check answer %q", got)
	}
	j.shot("public-check")

	j.b.Navigate(s.url("/public/report"))
	if got := j.b.Text("h1"); got != "Phản ánh của người dân" {
		t.Fatalf("report page heading %q", got)
	}
	j.shot("public-report-form")
	// First without consent: the form says so by its field.
	j.choose("#unit", "lai-chau/xa-sin-ho")
	j.b.Do(chromedp.Click(chromedp.CSS("#kind-IMPERSONATION")))
	j.fill("#url-0", "https://www.facebook.com/ubnd.xa.sinho.gia")
	j.fill("#url-1", "https://zalo.me/0999888777")
	j.fill("#description", "Trang này tự xưng UBND xã Sìn Hồ, kêu gọi nộp tiền hỗ trợ.")
	j.fill("#name", "Giàng Thị Mai")
	j.fill("#phone", "0987 654 321")
	j.b.Submit("button.primary")
	if got := j.b.Text("#consent-error"); !strings.Contains(got, "đánh dấu đồng ý") {
		t.Errorf("consent error %q", got)
	}
	j.shot("public-report-consent")
	j.b.Do(chromedp.Click(chromedp.CSS("#consent")))
	j.b.Submit("button.primary")
	code := j.b.Text("#tracking-code")
	if !regexp.MustCompile(`^[2-9A-Z]{5}-[2-9A-Z]{5}$`).MatchString(code) {
		t.Fatalf("tracking code %q: %s", code, j.b.Text("main"))
	}
	j.shot("public-report-receipt")

	j.b.Submit("#track-link")
	if got := j.b.Text("#status .verdict"); got != "Mới tiếp nhận" {
		t.Errorf("tracking status %q", got)
	}
	if loc := j.b.Location(); !strings.Contains(loc, "/public/track?code="+url.QueryEscape(code)) {
		t.Errorf("tracking page at %s", loc)
	}
	j.shot("public-track")
	if got := j.b.ExternalRequests(); len(got) > 0 {
		t.Errorf("requests left the machine: %v", got)
	}

	// The report is Sìn Hồ's: the province's auditor reads the case, the
	// district's handler may not read its contact.
	var found struct {
		Cases struct {
			Edges []struct{ Node struct{ ID, Number string } }
		}
	}
	s.must(t, "auditor1", `{ cases(filter: {unit: "lai-chau/xa-sin-ho"}, first: 5) { edges { node { id number } } } }`, nil, &found)
	if len(found.Cases.Edges) != 1 {
		t.Fatalf("the report's case: %+v", found)
	}
	s.refused(t, "handler1", `query($id: ID!) { case(id: $id) { publicReporters { name } } }`,
		map[string]any{"id": found.Cases.Edges[0].Node.ID}, "FORBIDDEN")

	// A report to a commune of the district, filed in the browser, is on
	// handler1's case page, marked, with the contact beside it.
	j.b.Navigate(s.url("/public/report"))
	j.choose("#unit", "lai-chau/tan-uyen/xa-trung-dong")
	j.fill("#url-0", "https://www.facebook.com/tin.don.trung.dong/posts/7")
	j.fill("#phone", "0912000111")
	j.b.Do(chromedp.Click(chromedp.CSS("#consent")))
	j.b.Submit("button.primary")
	if !j.b.Exists("#tracking-code") {
		t.Fatalf("second report: %s", j.b.Text("main"))
	}
	s.must(t, "handler1", `{ cases(filter: {unit: "lai-chau/tan-uyen/xa-trung-dong"}, first: 5) { edges { node { id number } } } }`, nil, &found)
	if len(found.Cases.Edges) != 1 {
		t.Fatalf("the second report's case: %+v", found)
	}
	j.login("handler1")
	j.b.Navigate(s.url("/cases/" + found.Cases.Edges[0].Node.ID))
	if got := j.b.Text(".badge.public-report"); got != "Phản ánh của người dân" {
		t.Errorf("case badge %q", got)
	}
	if got := j.b.Text("#public-contacts"); !strings.Contains(got, "0912000111") || !strings.Contains(got, "Nghị định 13/2023/NĐ-CP") {
		t.Errorf("contacts on the case page: %q", got)
	}
	j.shot("public-case-handler")
}
