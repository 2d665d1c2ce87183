package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// reportAPI stands for the in-process executor of the report form: the
// viewer's grants, the registry's units, reportIncident (one case per
// clientRequestId, as the intake answers) and addEvidence, each recorded
// with its variables and idempotency key.
type reportAPI struct {
	mu      sync.Mutex
	reports []map[string]any
	adds    []reportCall
	cases   map[string]string // clientRequestId -> case id
	// merged answers reportIncident as merged into an open case.
	merged bool
	// failReport and failEvidence, when set, answer the next such mutation.
	failReport, failEvidence *graphql.Result
}

type reportCall struct {
	id, key string
	input   map[string]any
}

type reportKeyCtx struct{}

func (a *reportAPI) withKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, reportKeyCtx{}, key)
}

var reportGrants = map[string][]any{
	"reporter1": {map[string]any{"role": "REPORTER", "unit": map[string]any{"id": "lai-chau/tan-uyen/xa-phuc-khoa", "name": "UBND xã Phúc Khoa"}}},
	"handler1":  {map[string]any{"role": "HANDLER", "unit": map[string]any{"id": "lai-chau/tan-uyen", "name": "Tân Uyên"}}},
	"auditor1":  {map[string]any{"role": "AUDITOR", "unit": map[string]any{"id": "lai-chau", "name": "Tỉnh Lai Châu"}}},
}

func (a *reportAPI) exec(ctx context.Context, subject, query string, vars map[string]any) *graphql.Result {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case strings.Contains(query, "me {"):
		return &graphql.Result{Data: map[string]any{"me": map[string]any{"subject": subject, "roles": reportGrants[subject]}}}
	case strings.Contains(query, "units {"):
		var units []any
		for _, u := range deskUnits {
			row := map[string]any{"id": u.ID, "name": u.Name, "parent": nil}
			if u.Parent != "" {
				row["parent"] = map[string]any{"id": u.Parent}
			}
			units = append(units, row)
		}
		return &graphql.Result{Data: map[string]any{"units": units}}
	case strings.Contains(query, "reportIncident("):
		if f := a.failReport; f != nil {
			a.failReport = nil
			return f
		}
		in := vars["input"].(map[string]any)
		a.reports = append(a.reports, in)
		crid := in["clientRequestId"].(string)
		id, ok := a.cases[crid]
		if !ok {
			id = fmt.Sprintf("case-%d", len(a.cases)+1)
			a.cases[crid] = id
		}
		number := "VV-2026-000123"
		if a.merged {
			number = "VV-2026-000007"
		}
		return &graphql.Result{Data: map[string]any{"reportIncident": map[string]any{"merged": a.merged,
			"case": map[string]any{"id": id, "number": number}}}}
	case strings.Contains(query, "addEvidence("):
		if f := a.failEvidence; f != nil {
			a.failEvidence = nil
			return f
		}
		key, _ := ctx.Value(reportKeyCtx{}).(string)
		in := vars["input"].(map[string]any)
		a.adds = append(a.adds, reportCall{id: vars["id"].(string), key: key, input: in})
		b, _ := base64.StdEncoding.DecodeString(in["contentBase64"].(string))
		sum := sha256.Sum256(b)
		return &graphql.Result{Data: map[string]any{"addEvidence": map[string]any{"id": vars["id"],
			"evidence": []any{map[string]any{"sha256": "0000"}, map[string]any{"sha256": hex.EncodeToString(sum[:])}}}}}
	}
	return refusal("BAD_USER_INPUT", "", "unexpected document")
}

func reportDesk(t *testing.T) (*desk, *reportAPI) {
	t.Helper()
	api := &reportAPI{cases: map[string]string{}}
	d := newDesk(t, func(o *Options) {
		o.Exec = api.exec
		o.IdempotencyKey = api.withKey
	})
	for user, name := range map[string]string{"reporter1": "Lò Thị Mai", "handler1": "Nguyễn Văn Hùng", "auditor1": "Phạm Quốc Bảo"} {
		d.addUser(user, name, goodPassword, false)
	}
	return d, api
}

// upload is a file of a multipart form.
type upload struct {
	name, contentType string
	content           []byte
}

// postMultipart sends fields and files as the report form does.
func (c *client) postMultipart(path string, fields url.Values, files ...upload) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="evidence"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		w, err := mw.CreatePart(h)
		if err != nil {
			c.t.Fatal(err)
		}
		w.Write(f.content)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.d.srv.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", c.d.srv.URL)
	return c.do(req)
}

var requestIDInput = regexp.MustCompile(`<input type="hidden" name="clientRequestId" value="([0-9a-f-]{36})">`)

// formRequestID returns the request id of a report form page.
func formRequestID(t *testing.T, body string) string {
	t.Helper()
	m := requestIDInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no clientRequestId in the form:\n%.2000s", body)
	}
	return m[1]
}

// The form: a fresh request id each time it is shown, the kinds and
// platforms in Vietnamese, the units of the user's reporting grants (one
// is chosen for the user), a label on every input; nothing for a role that
// may not report.
func TestReportForm(t *testing.T) {
	d, _ := reportDesk(t)
	c := d.client()
	c.login("reporter1", goodPassword)
	r := c.get("/report")
	wantBody(t, r, http.StatusOK, "<h1>Phản ánh mới</h1>", `aria-current="page">Phản ánh mới`, `enctype="multipart/form-data"`,
		`<option value="IMPERSONATION">Giả mạo cơ quan, cá nhân</option>`, `<option value="ACCOUNT_COMPROMISED">Tài khoản chính thức bị chiếm quyền</option>`,
		`<option value="lai-chau/tan-uyen/xa-phuc-khoa" selected>UBND xã Phúc Khoa</option>`, `<option value="">Tự nhận diện</option>`,
		`<option value="WEBSITE">Trang web</option>`, `name="subject.1.url"`, `type="file" multiple`, ">Gửi phản ánh</button>",
		"tối đa 10 tệp, mỗi tệp không quá 10 MiB", ">Thêm đường dẫn</button>")
	wlWantNoRaw(t, "the report form", r.body)
	for _, id := range regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"`).FindAllStringSubmatch(r.body, -1) {
		if !strings.Contains(r.body, `<label for="`+id[1]+`">`) {
			t.Errorf("input %s has no label", id[1])
		}
	}
	if formRequestID(t, r.body) == formRequestID(t, c.get("/report").body) {
		t.Errorf("two forms share a request id")
	}

	h := d.client()
	h.login("handler1", goodPassword)
	wantBody(t, h.get("/report"), http.StatusOK, `<option value="">— Chọn đơn vị —</option>`, `<option value="lai-chau/tan-uyen">Tân Uyên</option>`,
		`<option value="lai-chau/tan-uyen/xa-trung-dong">— UBND xã Trung Đồng</option>`)

	a := d.client()
	a.login("auditor1", goodPassword)
	r = a.get("/report")
	wantBody(t, r, http.StatusOK, "Bạn chưa được giao vai trò phản ánh ở đơn vị nào.")
	if strings.Contains(r.body, "<form class=\"card stack report\"") || strings.Contains(r.body, `href="/report"`) {
		t.Errorf("an auditor is offered the report form")
	}
}

// reportFields is a filled report form of request id crid.
func reportFields(crid string) url.Values {
	return url.Values{
		"clientRequestId":    {crid},
		"kind":               {"IMPERSONATION"},
		"unit":               {"lai-chau/tan-uyen/xa-phuc-khoa"},
		"title":              {"Trang Facebook giả mạo UBND xã Phúc Khoa"},
		"description":        {"Trang dùng logo của xã để kêu gọi quyên góp."},
		"subject.0.url":      {"https://m.facebook.com/ubnd.phuckhoa.gia?fbclid=abc"},
		"subject.0.platform": {""},
		"subject.0.name":     {"UBND xã Phúc Khoa"},
		"subject.1.url":      {""},
		"subject.1.platform": {""},
		"subject.2.url":      {"https://tin-nong-lai-chau.example.vn/bai-viet/1"},
		"subject.2.platform": {""},
		"subject.3.url":      {"https://vt.tiktok.com/ZS123/"},
		"subject.3.platform": {"OTHER"}, // the user's choice stands
	}
}

var (
	pngFile = upload{"anh chup màn hình.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 3000)...)}
	pdfFile = upload{`C:\Users\mai\bien-ban.pdf`, "application/octet-stream", []byte("%PDF-1.4 biên bản")}
)

// A filled form: the report with the platforms detected from the URLs
// (the user's choice kept), each file added to the case under a key of the
// form's request id and its index, then the case page with the number and
// each file's SHA-256. Sent twice, it asks for the same case and the same
// keys, so the API answers the first sending's results.
func TestReportSubmit(t *testing.T) {
	d, api := reportDesk(t)
	c := d.client()
	c.login("reporter1", goodPassword)
	crid := formRequestID(t, c.get("/report").body)
	r := c.postMultipart("/report", reportFields(crid), pngFile, pdfFile)
	wantRedirect(t, r, http.StatusSeeOther, "/cases/case-1")

	if len(api.reports) != 1 {
		t.Fatalf("%d reports", len(api.reports))
	}
	in := api.reports[0]
	if in["clientRequestId"] != crid || in["kind"] != "IMPERSONATION" || in["unit"] != "lai-chau/tan-uyen/xa-phuc-khoa" ||
		in["title"] != "Trang Facebook giả mạo UBND xã Phúc Khoa" {
		t.Errorf("report input %v", in)
	}
	wantSubjects := fmt.Sprint([]any{
		map[string]any{"platform": "FACEBOOK", "url": "https://m.facebook.com/ubnd.phuckhoa.gia?fbclid=abc", "displayName": "UBND xã Phúc Khoa"},
		map[string]any{"platform": "WEBSITE", "url": "https://tin-nong-lai-chau.example.vn/bai-viet/1"},
		map[string]any{"platform": "OTHER", "url": "https://vt.tiktok.com/ZS123/"},
	})
	if got := fmt.Sprint(in["subjects"]); got != wantSubjects {
		t.Errorf("subjects\n got %s\nwant %s", got, wantSubjects)
	}
	if len(api.adds) != 2 {
		t.Fatalf("%d evidence added, want 2", len(api.adds))
	}
	for i, want := range []struct{ name, mediaType string }{{"anh chup màn hình.png", "image/png"}, {"bien-ban.pdf", "application/pdf"}} {
		a := api.adds[i]
		if a.id != "case-1" || a.key != fmt.Sprintf("report/%s/evidence/%d", crid, i) ||
			a.input["description"] != want.name || a.input["mediaType"] != want.mediaType {
			t.Errorf("evidence %d: %s %s %v %v", i, a.id, a.key, a.input["description"], a.input["mediaType"])
		}
	}

	pngSum := sha256.Sum256(pngFile.content)
	home := c.get("/")
	wantBody(t, home, http.StatusOK, "Đã tiếp nhận phản ánh. Số vụ việc VV-2026-000123.",
		"Đã lưu chứng cứ «anh chup màn hình.png» (2,9 KB), SHA-256: "+hex.EncodeToString(pngSum[:]),
		"Đã lưu chứng cứ «bien-ban.pdf» (")
	if strings.Contains(c.get("/").body, "Đã tiếp nhận phản ánh") {
		t.Errorf("the flash showed twice")
	}

	// The same form again (a double click, a resend): the same request id
	// and the same keys, so the API gives back the same case and adds
	// nothing twice.
	r = c.postMultipart("/report", reportFields(crid), pngFile, pdfFile)
	wantRedirect(t, r, http.StatusSeeOther, "/cases/case-1")
	if len(api.reports) != 2 || api.reports[1]["clientRequestId"] != crid || len(api.adds) != 4 ||
		api.adds[2].key != api.adds[0].key || api.adds[3].key != api.adds[1].key {
		t.Errorf("the resent form asked differently: %d reports, %d evidence", len(api.reports), len(api.adds))
	}
	// A new form is a new report.
	r = c.postMultipart("/report", reportFields(formRequestID(t, c.get("/report").body)))
	wantRedirect(t, r, http.StatusSeeOther, "/cases/case-2")

	// A report merged into an open case of the same subject says which.
	api.merged = true
	r = c.postMultipart("/report", reportFields(formRequestID(t, c.get("/report").body)))
	wantRedirect(t, r, http.StatusSeeOther, "/cases/case-3")
	wantBody(t, c.get("/"), http.StatusOK, "Phản ánh đã được gộp vào vụ việc VV-2026-000007")
}

// Problems show next to their fields, with everything the user typed
// kept, and nothing is sent: the rules of the contract checked on the
// form, the API's BAD_USER_INPUT mapped back to the input it names.
func TestReportErrors(t *testing.T) {
	d, api := reportDesk(t)
	c := d.client()
	c.login("reporter1", goodPassword)
	crid := formRequestID(t, c.get("/report").body)

	f := reportFields(crid)
	f.Set("kind", "")
	f.Set("title", "   ")
	f.Set("subject.2.url", "tin-nong-lai-chau/khong-phai-url")
	f.Set("description", "Mô tả <b>giữ nguyên</b>")
	r := c.postMultipart("/report", f, upload{"rong.png", "image/png", nil})
	wantBody(t, r, http.StatusBadRequest, "Chưa gửi được phản ánh. Vui lòng sửa các mục được đánh dấu bên dưới.",
		`<p class="error" id="kind-error">Loại vụ việc: vui lòng chọn một loại.</p>`,
		`<p class="error" id="title-error">Tiêu đề: từ 1 đến 300 ký tự.</p>`,
		`<p class="error" id="s2-url-error">Đường dẫn: phải là địa chỉ http(s) đầy đủ`,
		`<p class="error" id="evidence-error">Chứng cứ «rong.png»: tệp rỗng.</p>`,
		`value="tin-nong-lai-chau/khong-phai-url"`, "Mô tả &lt;b&gt;giữ nguyên&lt;/b&gt;</textarea>",
		`value="https://m.facebook.com/ubnd.phuckhoa.gia?fbclid=abc"`, `<p class="hint">Nhận diện: Facebook</p>`,
		`<option value="OTHER" selected>Khác</option>`,
		`value="`+crid+`"`, "Trình duyệt không giữ tệp đã chọn khi tải lại trang", `aria-invalid="true"`)
	if len(api.reports) != 0 || len(api.adds) != 0 {
		t.Fatalf("an invalid form was sent to the API")
	}

	big := upload{"video.mp4", "video/mp4", bytes.Repeat([]byte{1}, incident.MaxEvidence+1)}
	wantBody(t, c.postMultipart("/report", reportFields(crid), pngFile, big), http.StatusBadRequest,
		"Chứng cứ «video.mp4»: lớn hơn 10 MiB.")
	many := make([]upload, maxEvidenceFiles+1)
	for i := range many {
		many[i] = upload{fmt.Sprintf("anh-%d.png", i), "image/png", []byte{1, 2, 3}}
	}
	wantBody(t, c.postMultipart("/report", reportFields(crid), many...), http.StatusBadRequest, "Chứng cứ: nhiều nhất 10 tệp mỗi lần gửi.")
	f = reportFields(crid)
	f.Set("unit", "lai-chau/phuong-tan-phong")
	wantBody(t, c.postMultipart("/report", f), http.StatusBadRequest, `id="unit-error">Đơn vị tiếp nhận: vui lòng chọn một đơn vị bạn được phản ánh.`)
	if len(api.reports) != 0 {
		t.Fatalf("an invalid form was sent to the API")
	}

	// The API's refusals, by the argument they name.
	for _, tc := range []struct {
		code, field string
		status      int
		want        string
	}{
		{"BAD_USER_INPUT", "subjects[1].url", http.StatusBadRequest, `<p class="error" id="s2-url-error">Đường dẫn: phải là địa chỉ http(s) đầy đủ`},
		{"BAD_USER_INPUT", "subjects[2].displayName", http.StatusBadRequest, `id="s3-name-error">Tên trang, tài khoản: nhiều nhất 500 ký tự.`},
		{"BAD_USER_INPUT", "title", http.StatusBadRequest, `<p class="error" id="title-error">Tiêu đề: từ 1 đến 300 ký tự.</p>`},
		{"NOT_FOUND", "unit", http.StatusBadRequest, `id="unit-error">Đơn vị tiếp nhận: không có đơn vị này.`},
		{"FORBIDDEN", "", http.StatusForbidden, `id="unit-error">Đơn vị tiếp nhận: bạn không được gửi phản ánh tới đơn vị này.`},
		{"RATE_LIMITED", "", http.StatusTooManyRequests, `id="form-error">Chưa gửi được phản ánh: Thao tác quá nhanh. Vui lòng thử lại sau ít giây.`},
		{"INTERNAL", "", http.StatusInternalServerError, "Chưa gửi được phản ánh: Đã có lỗi xảy ra."},
	} {
		api.failReport = refusal(tc.code, tc.field, "refused")
		r := c.postMultipart("/report", reportFields(crid))
		wantBody(t, r, tc.status, tc.want, `value="Trang Facebook giả mạo UBND xã Phúc Khoa"`)
		wlWantNoRaw(t, tc.code, r.body)
	}

	// An evidence file the API refuses after the report: the case is
	// there, the page says which file is missing.
	api.failEvidence = refusal("BAD_USER_INPUT", "input.contentBase64", "evidence storage quota exceeded")
	wantRedirect(t, c.postMultipart("/report", reportFields(crid), pngFile), http.StatusSeeOther, "/cases/case-1")
	wantBody(t, c.get("/"), http.StatusOK, "Đã tiếp nhận phản ánh.", `<p class="error" role="alert">Chưa lưu được chứng cứ «anh chup màn hình.png»: Dữ liệu nhập chưa hợp lệ.`)

	// A role that may report but not add evidence (a leader) is told so.
	api.failEvidence = refusal("FORBIDDEN", "", "not allowed")
	wantRedirect(t, c.postMultipart("/report", reportFields(crid), pngFile), http.StatusSeeOther, "/cases/case-1")
	wantBody(t, c.get("/"), http.StatusOK, "Chưa lưu chứng cứ «anh chup màn hình.png»: vai trò của bạn không được thêm chứng cứ vào vụ việc này.")

	// "Thêm đường dẫn" shows the form with one more row, sends nothing.
	before := len(api.reports)
	f = reportFields(crid)
	f.Set("op", "more")
	r = c.postMultipart("/report", f)
	wantBody(t, r, http.StatusOK, `name="subject.4.url"`, `value="https://vt.tiktok.com/ZS123/"`)
	if strings.Contains(r.body, `name="subject.5.url"`) || len(api.reports) != before {
		t.Errorf("more rows: one row to add, nothing to send")
	}
	// A request id the form did not give.
	f = reportFields("not-a-uuid")
	r = c.postMultipart("/report", f)
	wantBody(t, r, http.StatusBadRequest, "Biểu mẫu không hợp lệ.")
	if formRequestID(t, r.body) == "not-a-uuid" || len(api.reports) != before {
		t.Errorf("a made-up request id was used")
	}
	// From another site: refused before anything runs.
	r = c.post("/report", reportFields(crid), "Sec-Fetch-Site", "cross-site")
	wantBody(t, r, http.StatusForbidden, "Yêu cầu bị từ chối")
	if len(api.reports) != before {
		t.Errorf("a cross-site form was sent")
	}
}

// Platforms from the URL's domain (subdomains included), a WEBSITE for any
// other site.
func TestDetectPlatform(t *testing.T) {
	for raw, want := range map[string]incident.Platform{
		"https://www.facebook.com/ubndtanuyen":    incident.Facebook,
		"https://m.facebook.com/story.php?id=1":   incident.Facebook,
		"http://fb.com/abc":                       incident.Facebook,
		"https://fb.watch/xyz/":                   incident.Facebook,
		"https://vt.tiktok.com/ZS123/":            incident.TikTok,
		"https://www.tiktok.com/@phuongtanphong":  incident.TikTok,
		"https://youtu.be/abc":                    incident.YouTube,
		"https://www.youtube.com/watch?v=1":       incident.YouTube,
		"https://zalo.me/ubndxaphuckhoa":          incident.Zalo,
		"https://www.instagram.com/laichau":       incident.Instagram,
		"https://twitter.com/x":                   incident.X,
		"https://x.com/laichau":                   incident.X,
		"https://t.me/kenh":                       incident.Telegram,
		"https://laichau.gov.vn/tin-tuc":          incident.Website,
		"https://notfacebook.com/x":               incident.Website,
		"https://facebook.com.evil.example/x":     incident.Website,
		"facebook.com/abc":                        incident.Other,
		"ftp://facebook.com/abc":                  incident.Other,
		"https://tanuyen.laichau.gov.vn/tin-tuc/": incident.Website,
	} {
		if got := detectPlatform(raw); got != want {
			t.Errorf("detectPlatform(%q) = %s, want %s", raw, got, want)
		}
	}
}

// The form's subject rows and the API's argument paths.
func TestReportFormFields(t *testing.T) {
	f := readReportForm(url.Values{"subject.4.url": {" https://x.com/a "}, "subject.0.name": {"Tên"}, "subject.25.url": {"https://x.com/b"},
		"subject.x.url": {"https://x.com/c"}, "title": {"T"}})
	if len(f.Subjects) != 5 || f.Subjects[4].URL != "https://x.com/a" || f.Subjects[0].Name != "Tên" || f.Title != "T" {
		t.Errorf("form %+v", f)
	}
	if got := f.filled(); len(got) != 1 || got[0] != 4 {
		t.Errorf("filled %v", got)
	}
	if n := len(readReportForm(url.Values{}).Subjects); n != minSubjectRows {
		t.Errorf("an empty form has %d rows", n)
	}
	sent := []int{0, 2, 3}
	for arg, want := range map[string]string{
		"subjects[1].url": "subject.2.url", "input.subjects[2].platform": "subject.3.platform", "subjects[0].displayName": "subject.0.name",
		"subjects[7].url": "subjects", "title": "title", "input.unit": "unit", "clientRequestId": "", "": "",
	} {
		if got := fieldOfAPI(arg, sent); got != want {
			t.Errorf("fieldOfAPI(%q) = %q, want %q", arg, got, want)
		}
	}
	for name, want := range map[string]string{`C:\Users\mai\a.png`: "a.png", "../../etc/passwd": "passwd", "": "tep-1", " \x01x.pdf ": "x.pdf"} {
		if got := evidenceName(name, 0); got != want {
			t.Errorf("evidenceName(%q) = %q, want %q", name, got, want)
		}
	}
}
