package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"casetrail/incident"
)

// fakePublic stands for the public service (package public, tested on
// PostgreSQL there and end to end in cmd/casetrail): it answers from
// fixed data and records what the pages sent.
type fakePublic struct {
	mu      sync.Mutex
	reports []incident.PublicReport
	clients []string
	fail    error
}

func (f *fakePublic) Check(_ context.Context, u string) (incident.PublicCheck, error) {
	switch {
	case strings.Contains(u, "ubndtanuyen"):
		return incident.PublicCheck{Result: "OFFICIAL", Unit: "Tân Uyên", Platform: incident.Facebook, DisplayName: "UBND huyện Tân Uyên"}, nil
	case strings.Contains(u, "gia-mao"):
		return incident.PublicCheck{Result: "KNOWN_IMPERSONATOR", CaseNumber: "VV-2026-000007"}, nil
	case !strings.HasPrefix(u, "http"):
		return incident.PublicCheck{}, incident.BadInput("url", "is not an absolute http(s) link")
	}
	return incident.PublicCheck{Result: "UNKNOWN"}, nil
}

func (f *fakePublic) ReportUnits(context.Context) ([]incident.Unit, error) {
	return []incident.Unit{{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa"}, {ID: "lai-chau/xa-sin-ho", Name: "UBND xã Sìn Hồ"}}, nil
}

func (f *fakePublic) Report(_ context.Context, r incident.PublicReport, client string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", false, f.fail
	}
	f.reports = append(f.reports, r)
	f.clients = append(f.clients, client)
	return "7KQ2MXP4RT", len(f.reports) > 1, nil
}

func (f *fakePublic) Track(_ context.Context, code string) (string, time.Time, error) {
	if c, _ := incident.CleanTrackingCode(code); c == "7KQ2MXP4RT" {
		return incident.PublicInProgress, time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC), nil
	}
	return "", time.Time{}, incident.Errorf(incident.CodeNotFound, "no report has this tracking code")
}

func (f *fakePublic) ContactRetention() time.Duration { return 180 * 24 * time.Hour }

func (f *fakePublic) sent() []incident.PublicReport {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reports)
}

func newPublicDesk(t *testing.T, edit func(*Options)) (*desk, *fakePublic) {
	t.Helper()
	f := &fakePublic{}
	d := newDesk(t, func(o *Options) {
		o.Public = f
		if edit != nil {
			edit(o)
		}
	})
	return d, f
}

// serve runs one request through the handler from addr, with header
// pairs.
func serve(h http.Handler, method, target, addr string, body url.Values, header ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(body.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.RemoteAddr = addr
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestPublicFlood: a flood of 200 requests from one address is answered
// 429 with Retry-After and a clear message once its bucket is empty, while
// another address is still served; behind a trusted proxy the address is
// the one X-Forwarded-For names, and an untrusted peer cannot choose it.
func TestPublicFlood(t *testing.T) {
	d, _ := newPublicDesk(t, func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	flood := func(addr string, header ...string) (ok, limited int, first *httptest.ResponseRecorder) {
		for range 200 {
			w := serve(d.h, http.MethodGet, "/public/check?url=https://facebook.com/x", addr, nil, header...)
			switch w.Code {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				limited++
				if first == nil {
					first = w
				}
			default:
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
		return ok, limited, first
	}
	ok, limited, first := flood("192.0.2.10:4000")
	// The burst (30) and at most a token or two refilled while it ran.
	if ok < 30 || ok > 35 || limited != 200-ok {
		t.Fatalf("one address: %d served, %d limited", ok, limited)
	}
	if ra, err := strconv.Atoi(first.Header().Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", first.Header().Get("Retry-After"))
	}
	var body struct {
		Error, Message string
		RetryAfter     int
	}
	if err := json.Unmarshal(first.Body.Bytes(), &body); err != nil || body.Error != "RATE_LIMITED" ||
		!strings.Contains(body.Message, "Thao tác quá nhanh") || body.RetryAfter < 1 || first.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("429 body %s %+v", first.Body, body)
	}
	// The page says it too, in the visitor's language.
	w := serve(d.h, http.MethodGet, "/check", "192.0.2.10:4001", nil, "Accept-Language", "en")
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many requests. Please try again in") || w.Header().Get("Retry-After") == "" {
		t.Errorf("the page: %d %s", w.Code, w.Body)
	}
	// Another address is served.
	if w := serve(d.h, http.MethodGet, "/public/check?url=https://facebook.com/x", "198.51.100.20:4000", nil); w.Code != http.StatusOK {
		t.Errorf("another address: %d", w.Code)
	}
	// IPv6: a subscriber's /64 is one client.
	if ok, _, _ := flood("[2001:db8:1:2::5]:4000"); ok > 35 {
		t.Fatalf("IPv6 address: %d served", ok)
	}
	if w := serve(d.h, http.MethodGet, "/check", "[2001:db8:1:2::99]:4000", nil); w.Code != http.StatusTooManyRequests {
		t.Errorf("the same /64: %d", w.Code)
	}
	if w := serve(d.h, http.MethodGet, "/check", "[2001:db8:1:3::5]:4000", nil); w.Code != http.StatusOK {
		t.Errorf("another /64: %d", w.Code)
	}

	// Behind the trusted proxy: each client its own bucket.
	ok, _, _ = flood("10.1.2.3:5000", "X-Forwarded-For", "203.0.113.5")
	if ok > 35 {
		t.Fatalf("client behind the proxy: %d served", ok)
	}
	if w := serve(d.h, http.MethodGet, "/check", "10.1.2.3:5000", nil, "X-Forwarded-For", "203.0.113.6"); w.Code != http.StatusOK {
		t.Errorf("another client behind the proxy: %d", w.Code)
	}
	// A client cannot pick its address by sending the header itself: an
	// untrusted peer is its own address, and a proxy's chain counts from
	// its right end.
	if w := serve(d.h, http.MethodGet, "/check", "192.0.2.10:4002", nil, "X-Forwarded-For", "203.0.113.99"); w.Code != http.StatusTooManyRequests {
		t.Errorf("spoofed header from an untrusted peer: %d", w.Code)
	}
	if w := serve(d.h, http.MethodGet, "/check", "10.1.2.3:5000", nil, "X-Forwarded-For", "203.0.113.77, 203.0.113.5"); w.Code != http.StatusTooManyRequests {
		t.Errorf("spoofed head of a proxy's chain: %d", w.Code)
	}
}

// TestPublicReportLimits: the reports of one address have their own,
// smaller bucket; every address together has one too.
func TestPublicReportLimits(t *testing.T) {
	d, f := newPublicDesk(t, func(o *Options) {
		o.PublicLimits = PublicLimits{ReportsPerHour: 1, ReportBurst: 3, AllReportsPerMinute: 1, AllReportBurst: 5}
	})
	form := url.Values{"unit": {"lai-chau/xa-sin-ho"}, "kind": {"IMPERSONATION"}, "url.0": {"https://facebook.com/gia"}}
	var codes []int
	for i := range 5 {
		codes = append(codes, serve(d.h, http.MethodPost, "/public/report", fmt.Sprintf("192.0.2.1:%d", 4000+i), form).Code)
	}
	if !slices.Equal(codes, []int{200, 200, 200, 429, 429}) {
		t.Errorf("one address: %v", codes)
	}
	codes = nil
	for i := range 4 {
		codes = append(codes, serve(d.h, http.MethodPost, "/public/report", fmt.Sprintf("198.51.100.%d:4000", i+1), form).Code)
	}
	if !slices.Equal(codes, []int{200, 200, 429, 429}) {
		t.Errorf("every address together: %v", codes)
	}
	if n := len(f.sent()); n != 5 {
		t.Errorf("%d reports sent, want 5", n)
	}
}

// TestPublicPages: the public pages need no login and open no session,
// speak the visitor's language, are CSP-clean and never cached; the check
// page says its answer in words.
func TestPublicPages(t *testing.T) {
	d, _ := newPublicDesk(t, nil)
	c := d.client()
	for _, tc := range []struct {
		path   string
		status int
		texts  []string
	}{
		{"/check", 200, []string{"Kiểm tra trang chính thức", `action="/check"`, `href="/public/report"`}},
		{"/check?url=https://www.facebook.com/ubndtanuyen", 200, []string{"Tài khoản chính thức của Tân Uyên", "UBND huyện Tân Uyên trên Facebook"}},
		{"/check?url=https://facebook.com/gia-mao", 200, []string{"Trang giả mạo đã được xác nhận (vụ việc số VV-2026-000007)"}},
		{"/check?url=https://facebook.com/ai-do", 200, []string{"Chưa có thông tin", `href="/public/report?url=https%3A%2F%2Ffacebook.com%2Fai-do"`}},
		{"/check?url=facebook.com", 400, []string{"Đường dẫn phải là địa chỉ http(s) đầy đủ"}},
		{"/public/track", 200, []string{"Tra cứu phản ánh"}},
		{"/public/track?code=7kq2m-xp4rt", 200, []string{"Đang xử lý", "Cập nhật lần cuối: <time>02/12/2026</time>"}},
		{"/public/track?code=ABCDE-FGHJK", 404, []string{"Không tìm thấy phản ánh có mã này"}},
		{"/public/report?url=https://facebook.com/ai-do", 200, []string{"Phản ánh của người dân", `value="https://facebook.com/ai-do"`,
			"UBND xã Sìn Hồ", "Nghị định 13/2023/NĐ-CP", "bị xóa sau 180 ngày", `name="extra_info"`, `value="FALSE_INFORMATION" checked`}},
	} {
		r := c.get(tc.path)
		wantBody(t, r, tc.status, tc.texts...)
		if r.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s sets a cookie: %s", tc.path, r.Header.Get("Set-Cookie"))
		}
		if r.Header.Get("Content-Security-Policy") != PageCSP || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: CSP %q, Cache-Control %q", tc.path, r.Header.Get("Content-Security-Policy"), r.Header.Get("Cache-Control"))
		}
		if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
			t.Errorf("%s has inline script or style", tc.path)
		}
	}
	if r := c.get("/check?url=https://facebook.com/gia-mao", "Accept-Language", "en-GB,en"); !strings.Contains(r.body, "A confirmed impersonating page (case VV-2026-000007)") {
		t.Errorf("English: %.500s", r.body)
	}
	if got := d.api.asked(); len(got) != 0 {
		t.Errorf("the public pages ran GraphQL as %v", got)
	}

	// The JSON: the whitelisted answer, never cached, open to any site.
	r := c.get("/public/check?url=https://www.facebook.com/ubndtanuyen")
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json; charset=utf-8" || r.Header.Get("Cache-Control") != "no-store" ||
		r.Header.Get("Access-Control-Allow-Origin") != "*" ||
		strings.TrimSpace(r.body) != `{"result":"OFFICIAL","unit":"Tân Uyên","platform":"FACEBOOK","displayName":"UBND huyện Tân Uyên"}` {
		t.Errorf("JSON: %d %v %s", r.StatusCode, r.Header, r.body)
	}
	if r := c.get("/public/check?url=ftp%3A%2F%2Fx"); r.StatusCode != 400 || !strings.Contains(r.body, `"error":"BAD_USER_INPUT"`) {
		t.Errorf("bad url: %d %s", r.StatusCode, r.body)
	}
	if r := c.get("/public/check?url=" + strings.Repeat("a", maxPublicQuery)); r.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("a long query: %d", r.StatusCode)
	}
}

// TestPublicReportForm: the form's answers: its rules by field, a code
// shown once, the same report again, a honeypot answered like a success
// without sending anything, a body too large.
func TestPublicReportForm(t *testing.T) {
	d, f := newPublicDesk(t, func(o *Options) { o.PublicLimits = PublicLimits{ReportsPerHour: 1, ReportBurst: 100} })
	c := d.client()

	// Problems by field, the form as typed.
	r := c.post("/public/report", url.Values{"unit": {""}, "kind": {"FALSE_INFORMATION"}, "url.0": {""}, "url.2": {"facebook.com/x"},
		"name": {"Lò Văn A"}, "description": {"Tin sai"}})
	wantBody(t, r, http.StatusBadRequest, "Phản ánh chưa được gửi", "Xã, phường: chọn một đơn vị", `id="url-2-error"`,
		"cần đánh dấu đồng ý", `value="Lò Văn A"`, ">Tin sai</textarea>")
	if len(f.sent()) != 0 {
		t.Fatalf("sent: %+v", f.sent())
	}
	r = c.post("/public/report", url.Values{"unit": {"lai-chau/xa-sin-ho"}, "kind": {"FALSE_INFORMATION"}})
	wantBody(t, r, http.StatusBadRequest, "Đường dẫn: nhập từ 1 đến 5 đường dẫn")

	// A report: the code, once, and its tracking link.
	form := url.Values{"unit": {"lai-chau/xa-sin-ho"}, "kind": {"IMPERSONATION"}, "url.1": {"https://facebook.com/gia"},
		"url.3": {"https://tiktok.com/@gia"}, "description": {"Trang mạo danh UBND xã"}, "name": {"Lò Văn A"}, "phone": {"0912 345 678"}, "consent": {"1"}}
	r = c.post("/public/report", form)
	wantBody(t, r, http.StatusOK, "Đã gửi phản ánh", `<p class="tracking-code" id="tracking-code">7KQ2M-XP4RT</p>`,
		`href="/public/track?code=7KQ2M-XP4RT"`, "mã chỉ hiển thị một lần")
	if r.Header.Get("Set-Cookie") != "" {
		t.Errorf("the report set a cookie")
	}
	sent := f.sent()
	want := incident.PublicReport{Unit: "lai-chau/xa-sin-ho", Kind: incident.Impersonation, URLs: []string{"https://facebook.com/gia", "https://tiktok.com/@gia"},
		Description: "Trang mạo danh UBND xã", Name: "Lò Văn A", Phone: "0912 345 678", Consent: true, ConsentVersion: publicConsentVersion}
	if len(sent) != 1 || fmt.Sprint(sent[0]) != fmt.Sprint(want) || f.clients[0] != "127.0.0.1" {
		t.Fatalf("sent %+v from %v", sent, f.clients)
	}
	// The same again: the service says so.
	wantBody(t, c.post("/public/report", form), http.StatusOK, "vừa được gửi từ thiết bị của bạn", "7KQ2M-XP4RT")

	// The honeypot: a success page, nothing sent.
	trap := url.Values{"unit": {"lai-chau/xa-sin-ho"}, "kind": {"IMPERSONATION"}, "url.0": {"https://facebook.com/gia"}, publicHoneypot: {"http://spam.example"}}
	r = c.post("/public/report", trap)
	wantBody(t, r, http.StatusOK, "Đã gửi phản ánh", `id="tracking-code"`)
	if len(f.sent()) != 2 {
		t.Errorf("the honeypot sent a report: %d", len(f.sent()))
	}
	if strings.Contains(r.body, "7KQ2M-XP4RT") {
		t.Errorf("the honeypot's code is a real one")
	}

	// Too large a body.
	big := url.Values{"unit": {"lai-chau/xa-sin-ho"}, "description": {strings.Repeat("x", maxPublicForm)}}
	wantBody(t, c.post("/public/report", big), http.StatusRequestEntityTooLarge, "Nội dung gửi lên quá lớn")

	// A refusal of the service's own (the unit) is shown by its field.
	f.fail = incident.BadInput("unit", "does not take citizens' reports")
	wantBody(t, c.post("/public/report", form), http.StatusBadRequest, "Xã, phường: chọn một đơn vị")
	f.fail = fmt.Errorf("database down")
	wantBody(t, c.post("/public/report", form), http.StatusInternalServerError, "Chưa gửi được phản ánh do lỗi hệ thống")

	// From another site: refused like every form.
	r = c.post("/public/report", form, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site report: %d", r.StatusCode)
	}
}

// TestPublicOff: without a public service the public pages do not exist.
func TestPublicOff(t *testing.T) {
	d := newDesk(t, nil)
	for _, p := range []string{"/check", "/public/check?url=https://a.vn", "/public/report", "/public/track"} {
		if r := d.client().get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

// TestPublicReportPageEscapes: what the visitor typed comes back escaped.
func TestPublicReportPageEscapes(t *testing.T) {
	d, _ := newPublicDesk(t, nil)
	r := d.client().get("/check?url=" + url.QueryEscape(`https://a.vn/"><script>alert(1)</script>`))
	if strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, html.EscapeString(`"><script>`)) {
		t.Errorf("not escaped: %.800s", r.body)
	}
}
