package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"

	"casetrail/incident"
)

// caseAPI stands for the in-process executor on the case pages: it answers
// the case page's, the evidence's, verifyCase's and caseAsOf's documents
// from one case, refuses what the subjects may not do, and records the
// mutations with their variables and idempotency keys.
type caseAPI struct {
	*fakeAPI
	mu        sync.Mutex
	c         caseData
	history   []eventData
	forbidden map[string]bool // may not read the case
	noHistory map[string]bool // may read the case, not its history
	mutations []mutationCall
	// fail, when set, answers the next mutation.
	fail  *gqlerrors.FormattedError
	blobs map[string][]byte
	reads int // Blobs calls

	// caseFileCut makes the case file fail after its first bytes
	// (casefile_test.go).
	caseFileCut bool
}

type mutationCall struct {
	subject, name, key string
	vars               map[string]any
}

type keyCtx struct{}

func (a *caseAPI) withKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

func refusal(code, field, msg string) *graphql.Result {
	ext := map[string]any{"code": code}
	if field != "" {
		ext["field"] = field
	}
	return &graphql.Result{Errors: []gqlerrors.FormattedError{{Message: msg, Extensions: ext}}}
}

func asJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func (a *caseAPI) exec(ctx context.Context, subject, query string, vars map[string]any) *graphql.Result {
	if strings.Contains(query, "me {") {
		return a.fakeAPI.exec(ctx, subject, query, vars)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if vars["id"] != a.c.ID {
		return &graphql.Result{Data: map[string]any{"case": nil, "caseAsOf": nil}}
	}
	if a.forbidden[subject] {
		return refusal(incident.CodeForbidden, "", "not allowed")
	}
	switch {
	case strings.HasPrefix(query, "mutation"):
		name := regexp.MustCompile(`\{ (\w+)\(`).FindStringSubmatch(query)[1]
		key, _ := ctx.Value(keyCtx{}).(string)
		a.mutations = append(a.mutations, mutationCall{subject: subject, name: name, key: key, vars: vars})
		if f := a.fail; f != nil {
			a.fail = nil
			return &graphql.Result{Errors: []gqlerrors.FormattedError{*f}}
		}
		return &graphql.Result{Data: map[string]any{name: map[string]any{"id": a.c.ID, "version": a.c.Version + 1}}}
	case strings.Contains(query, "query CasePage"):
		c := asJSON(a.c).(map[string]any)
		if a.noHistory[subject] {
			res := refusal(incident.CodeForbidden, "", "not allowed")
			res.Errors[0].Path = []any{"log", "history"}
			res.Data = map[string]any{"case": c, "log": nil}
			return res
		}
		return &graphql.Result{Data: map[string]any{"case": c, "log": map[string]any{"history": asJSON(a.history)}}}
	case strings.Contains(query, "query CaseEvidence"), strings.Contains(query, "query CaseLetter"),
		strings.Contains(query, "query CaseFile"), strings.Contains(query, "query CaseTakedownLetter"): // casefile_test.go
		return &graphql.Result{Data: map[string]any{"case": asJSON(a.c)}}
	case strings.Contains(query, "query CaseVerify"):
		return &graphql.Result{Data: map[string]any{"verifyCase": map[string]any{
			"ok": true, "eventsChecked": len(a.history), "firstBadVersion": nil, "headHash": a.history[len(a.history)-1].Hash}}}
	case strings.Contains(query, "query CaseAsOf"):
		past := a.c
		past.Status, past.Severity, past.Version, past.Available = "REPORTED", "", 2, nil
		past.Deadlines = []deadlineData{{Kind: "TRIAGE", DueAt: past.ReportedAt.Add(4 * time.Hour), State: "PENDING"}}
		return &graphql.Result{Data: map[string]any{"caseAsOf": asJSON(past)}}
	}
	return refusal(incident.CodeBadUserInput, "", "unexpected document")
}

func (a *caseAPI) blob(_ context.Context, sum string) (string, []byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reads++
	if b, ok := a.blobs[sum]; ok {
		return "image/png", b, nil
	}
	return "", nil, errors.New("no such blob")
}

func (a *caseAPI) calls() []mutationCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]mutationCall(nil), a.mutations...)
}

var pngBytes = []byte("\x89PNG\r\n\x1a\nnot really an image, but evidence all the same")

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// caseDesk is the interface over caseAPI with a TRIAGED impersonation case
// c1 of Tân Uyên: handler1 and leader1 read it whole, reporter1 without
// its history, outsider not at all.
func caseDesk(t *testing.T) (*desk, *caseAPI) {
	t.Helper()
	reported := time.Date(2026, 12, 2, 2, 25, 0, 0, time.UTC) // 09:25 in Hanoi
	api := &caseAPI{
		fakeAPI:   &fakeAPI{},
		forbidden: map[string]bool{"outsider": true},
		noHistory: map[string]bool{"reporter1": true},
		blobs:     map[string][]byte{sha(pngBytes): pngBytes},
	}
	sim := 0.87
	c := caseData{
		ID: "c1", Number: "VV-2026-000042", Kind: "IMPERSONATION", Status: "ANALYSIS", Severity: "MEDIUM",
		Title: "Trang giả mạo UBND huyện Tân Uyên", Description: "Trang đăng tin sai về giải phóng mặt bằng.",
		Unit: unitRef{ID: "lai-chau/tan-uyen", Name: "Tân Uyên"}, ReportedBy: "reporter1", ReportedAt: reported,
		Assignee: "handler1", UpdatedAt: reported.Add(time.Hour), Version: 9,
		Evidence: []evidenceData{{ID: "EV-1", Description: "anh-chup-trang.png", SHA256: sha(pngBytes), MediaType: "image/png",
			SizeBytes: int64(len(pngBytes)), AddedBy: "reporter1", AddedAt: reported}},
		Analysis: &analysisData{Findings: "Trang mạo danh, dùng ảnh đại diện của UBND.", Verdict: "FALSE", Similarity: &sim,
			RecordedBy: "handler1", RecordedAt: reported.Add(time.Hour)},
		Deadlines: []deadlineData{
			{Kind: "TRIAGE", DueAt: reported.Add(4 * time.Hour), State: "MET", SettledAt: ptr(reported.Add(30 * time.Minute))},
			{Kind: "ANALYSIS", DueAt: time.Now().Add(2*time.Hour + 20*time.Minute), State: "PENDING"},
		},
		Available: []string{"assignCase", "recordAnalysis", "addEvidence", "requestTakedown", "addComment"},
	}
	c.Subjects = append(c.Subjects, struct {
		Platform    string `json:"platform"`
		URL         string `json:"url"`
		DisplayName string `json:"displayName"`
	}{"FACEBOOK", "https://www.facebook.com/tintuc.tanuyen24h", "Tin tức Tân Uyên 24h"})
	c.Analysis.ImpersonatedAccount = &struct {
		Platform    string  `json:"platform"`
		URL         string  `json:"url"`
		DisplayName string  `json:"displayName"`
		Unit        unitRef `json:"unit"`
	}{"FACEBOOK", "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên", unitRef{Name: "Tân Uyên"}}
	api.c = c
	ev := func(v int64, typ, actor string, at time.Time, data string) eventData {
		return eventData{Version: v, GlobalPosition: fmt.Sprint(100 + v), Type: typ, Actor: actor, OccurredAt: at, Data: data,
			Hash: fmt.Sprintf("%064x", v), PrevHash: fmt.Sprintf("%064x", v-1)}
	}
	api.history = []eventData{
		ev(1, "CaseReported", "reporter1", reported, `{"caseId":"c1","number":"VV-2026-000042","kind":"IMPERSONATION","unit":"lai-chau/tan-uyen","title":"Trang giả mạo UBND huyện Tân Uyên","description":"","subjects":[]}`),
		ev(2, "DeadlineSet", "reporter1", reported, `{"deadlineId":"D-1","kind":"TRIAGE","dueAt":"2026-12-02T06:25:00Z"}`),
		ev(3, "DeadlineReminder", "system", reported.Add(2*time.Hour), `{"deadlineId":"D-1","kind":"TRIAGE","fraction":0.5,"dueAt":"2026-12-02T06:25:00Z"}`),
		ev(4, "CaseTriaged", "handler1", reported.Add(3*time.Hour), `{"severity":"MEDIUM","assignee":"handler1","note":"Ưu tiên xử lý"}`),
		ev(5, "DeadlineMet", "handler1", reported.Add(3*time.Hour), `{"deadlineId":"D-1","kind":"TRIAGE"}`),
		ev(6, "AnalysisStarted", "handler1", reported.Add(3*time.Hour), `{}`),
		ev(7, "CommentAdded", "leader1", reported.Add(4*time.Hour), `{"text":"Đề nghị khẩn trương gỡ trang."}`),
		ev(8, "DeadlineMissed", "system", reported.Add(5*time.Hour), `{"deadlineId":"D-9","kind":"TAKEDOWN_RESPONSE","ref":"TD-1"}`),
		ev(9, "AnalysisRecorded", "handler1", reported.Add(6*time.Hour), `{"findings":"Trang mạo danh","verdict":"FALSE"}`),
	}
	d := newDesk(t, func(o *Options) {
		o.Exec = api.exec
		o.IdempotencyKey = api.withKey
		o.Blobs = api.blob
		o.LetterPreview = api.preview // letter_test.go
		o.TakedownLetter = api.takedownLetter
		o.CaseFile = api.caseFile // casefile_test.go
	})
	for _, u := range [][2]string{{"handler1", "Nguyễn Văn Hùng"}, {"reporter1", "Lò Thị Mai"}, {"leader1", "Trần Thị Lan"}, {"outsider", "Hoàng Minh Đức"}} {
		d.addUser(u[0], u[1], goodPassword, false)
	}
	return d, api
}

func ptr[T any](v T) *T { return &v }

// visibleText is the page's text without tags, scripts or attributes.
func visibleText(body string) string {
	body = regexp.MustCompile(`(?s)<details class="raw">.*?</details>`).ReplaceAllString(body, "")
	return regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
}

// rawEnums are values of the contract's enums a page must never show.
var rawEnums = regexp.MustCompile(`\b(REPORTED|TRIAGED|ANALYSIS|ACTION|ESCALATED|RESOLVED|CLOSED|REJECTED|IMPERSONATION|FALSE_INFORMATION|ACCOUNT_COMPROMISED|MEDIUM|CRITICAL|PENDING|MISSED|TAKEDOWN_RESPONSE|FACEBOOK|PENDING_APPROVAL|CaseReported|DeadlineSet)\b`)

func checkNoRawEnums(t *testing.T, name, body string) {
	t.Helper()
	if m := rawEnums.FindAllString(visibleText(body), -1); len(m) > 0 {
		t.Errorf("%s shows raw enum values %v", name, m)
	}
	for _, m := range catalogKey.FindAllString(visibleText(body), -1) {
		if _, ok := messages[m]; ok {
			t.Errorf("%s shows the catalog key %q", name, m)
		}
	}
}

var keyField = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)

// The case page shows the case in words, its deadlines with the time
// left, its evidence with a download link, its timeline with the system's
// events by "Hệ thống", and a form for each available action only.
func TestCasePage(t *testing.T) {
	d, _ := caseDesk(t)
	c := d.client()
	c.login("handler1", goodPassword)
	r := c.get("/cases/c1")
	wantBody(t, r, http.StatusOK,
		"<h1 id=\"case-title\">Trang giả mạo UBND huyện Tân Uyên</h1>", "VV-2026-000042",
		"Đang xác minh", "Giả mạo cơ quan, cá nhân", "Trung bình", "Tân Uyên", "Lò Thị Mai", "Nguyễn Văn Hùng",
		"09:25 02/12/2026", // reported, in Asia/Ho_Chi_Minh
		"Hạn xác minh", "còn 2 giờ", "Hạn phân loại", "Đúng hạn",
		"Sai sự thật", "UBND huyện Tân Uyên", "87 %", sha(pngBytes), `href="/cases/c1/evidence/`+sha(pngBytes)+`"`,
		"Tin tức Tân Uyên 24h", "https://www.facebook.com/tintuc.tanuyen24h",
		"Tiếp nhận phản ánh «Trang giả mạo UBND huyện Tân Uyên»", "Phân loại: mức độ Trung bình, giao cho Nguyễn Văn Hùng",
		"Nhắc hạn: Hạn phân loại đã qua 50 % thời gian", "Hạn nền tảng phản hồi: quá hạn", "Hệ thống",
		"Đề nghị khẩn trương gỡ trang.", "Trần Thị Lan",
		`href="/cases/c1/audit"`,
		`action="/cases/c1/recordAnalysis"`, `action="/cases/c1/requestTakedown"`, `action="/cases/c1/addComment"`,
		`enctype="multipart/form-data"`, `name="expectedVersion" value="9"`,
		`<label for="f-recordAnalysis-findings">Nội dung xác minh</label>`,
		`value="https://www.facebook.com/tintuc.tanuyen24h"`, // the takedown's target defaults to the subject
	)
	for _, absent := range []string{"/cases/c1/triageCase", "/cases/c1/approveEscalation", "/cases/c1/closeCase", "/cases/c1/startAnalysis"} {
		if strings.Contains(r.body, absent) {
			t.Errorf("the page offers %s, which availableActions does not name", absent)
		}
	}
	checkNoRawEnums(t, "case page", r.body)
	k1 := keyField.FindAllStringSubmatch(r.body, -1)
	k2 := keyField.FindAllStringSubmatch(c.get("/cases/c1").body, -1)
	if len(k1) != 5 || len(k2) != 5 || k1[0][1] == k2[0][1] || k1[0][1] == k1[1][1] {
		t.Errorf("idempotency keys: %v then %v; want one per form, new at each render", k1, k2)
	}

	// English.
	c.post("/lang", url.Values{"lang": {"en"}, "next": {"/cases/c1"}})
	en := c.get("/cases/c1")
	wantBody(t, en, http.StatusOK, "Under verification", "Record the analysis", "System")
	checkNoRawEnums(t, "case page (English)", en.body)
}

// A reporter reads the case without its history; a user of another unit
// is refused; an unknown case is not found.
func TestCasePageRefusals(t *testing.T) {
	d, api := caseDesk(t)
	rep := d.client()
	rep.login("reporter1", goodPassword)
	r := rep.get("/cases/c1")
	wantBody(t, r, http.StatusOK, "VV-2026-000042", "chỉ hiển thị cho cán bộ xử lý")
	if strings.Contains(r.body, "/audit") || strings.Contains(r.body, "Lịch sử xử lý</h2>") {
		t.Errorf("the reporter is shown the history")
	}
	wantBody(t, rep.get("/cases/c1/audit"), http.StatusForbidden, "Trang kiểm tra chỉ dành cho cán bộ xử lý, lãnh đạo và cán bộ kiểm tra")

	out := d.client()
	out.login("outsider", goodPassword)
	for _, path := range []string{"/cases/c1", "/cases/c1/audit", "/cases/c1/evidence/" + sha(pngBytes)} {
		r := out.get(path)
		wantBody(t, r, http.StatusForbidden, "Không có quyền truy cập", "Bạn không có quyền xem vụ việc này.")
		if strings.Contains(r.body, "VV-2026-000042") || strings.Contains(r.body, "Trang giả mạo") {
			t.Errorf("%s: the refusal shows the case", path)
		}
	}
	r = out.post("/cases/c1/assignCase", url.Values{"expectedVersion": {"9"}, "key": {"k1"}, "assignee": {"outsider"}})
	wantBody(t, r, http.StatusForbidden, "Bạn không có quyền thực hiện thao tác này với vụ việc.")
	if api.reads != 0 {
		t.Errorf("the blob store was read for a refused download")
	}
	wantBody(t, out.get("/cases/nope"), http.StatusNotFound, "Không tìm thấy vụ việc.")
	wantBody(t, out.post("/cases/c1/deleteCase", url.Values{}), http.StatusNotFound)
}

// An action runs as the user with the page's version and the form's key,
// then goes back to the case with a message; a double submit sends the
// same key; a form without a version is refused before the API.
func TestCaseAction(t *testing.T) {
	d, api := caseDesk(t)
	c := d.client()
	c.login("handler1", goodPassword)
	page := c.get("/cases/c1").body
	key := regexp.MustCompile(`action="/cases/c1/recordAnalysis"[^>]*>\s*<input type="hidden" name="expectedVersion" value="9">\s*<input type="hidden" name="key" value="([0-9a-f]+)">`).FindStringSubmatch(page)
	if key == nil {
		t.Fatalf("no recordAnalysis form with version and key:\n%s", page)
	}
	form := url.Values{"expectedVersion": {"9"}, "key": {key[1]}, "findings": {"Trang mạo danh UBND"}, "verdict": {"FALSE"}, "legalBasis": {""}}
	for range 2 {
		wantRedirect(t, c.post("/cases/c1/recordAnalysis", form), http.StatusSeeOther, "/cases/c1")
	}
	wantBody(t, c.get("/cases/c1"), http.StatusOK, `<p class="flash" role="status">Đã ghi kết quả xác minh.</p>`)
	calls := api.calls()
	if len(calls) != 2 || calls[0].key != key[1] || calls[1].key != key[1] || calls[0].subject != "handler1" || calls[0].name != "recordAnalysis" {
		t.Fatalf("mutations %+v; want recordAnalysis twice as handler1 with the form's key", calls)
	}
	want := map[string]any{"id": "c1", "expectedVersion": 9, "input": map[string]any{"findings": "Trang mạo danh UBND", "verdict": "FALSE"}}
	if fmt.Sprint(calls[0].vars) != fmt.Sprint(want) {
		t.Errorf("variables %v, want %v (an empty optional field is not sent)", calls[0].vars, want)
	}

	wantBody(t, c.post("/cases/c1/recordAnalysis", url.Values{"findings": {"x"}}), http.StatusBadRequest, "Biểu mẫu không hợp lệ")
	wantBody(t, c.post("/cases/c1/requestTakedown", url.Values{"expectedVersion": {"9"}, "platform": {"MYSPACE"}, "targetUrl": {"https://x.example"}, "reason": {"r"}}),
		http.StatusBadRequest, "Nền tảng: chọn một giá trị trong danh sách.")
	if n := len(api.calls()); n != 2 {
		t.Errorf("%d mutations; a refused form reached the API", n)
	}
	// A comment has no version (the contract's addComment takes none).
	wantRedirect(t, c.post("/cases/c1/addComment", url.Values{"key": {"c-1"}, "text": {"Đã liên hệ Facebook"}}), http.StatusSeeOther, "/cases/c1")
	if last := api.calls()[2]; fmt.Sprint(last.vars) != fmt.Sprint(map[string]any{"id": "c1", "text": "Đã liên hệ Facebook"}) {
		t.Errorf("addComment variables %v", last.vars)
	}
}

// A stale page gets the conflict message with the case as it is now and
// what the user typed; a refused field gets its rule next to it; a refused
// transition names the status.
func TestCaseActionRefused(t *testing.T) {
	d, api := caseDesk(t)
	c := d.client()
	c.login("handler1", goodPassword)

	api.fail = &gqlerrors.FormattedError{Message: "expected version 8, the case is at 9", Extensions: map[string]any{"code": "CONFLICT"}}
	r := c.post("/cases/c1/recordAnalysis", url.Values{"expectedVersion": {"8"}, "key": {"k"}, "findings": {"Nội dung tôi đã gõ"}})
	wantBody(t, r, http.StatusConflict, "Vụ việc vừa được cập nhật — tải lại", `<a class="button-link" href="/cases/c1">Tải lại trang</a>`,
		"Nội dung tôi đã gõ", `name="expectedVersion" value="9"`, `id="action-recordAnalysis" open`)
	checkNoRawEnums(t, "conflict page", r.body)

	api.fail = &gqlerrors.FormattedError{Message: "findings: is required", Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "findings"}}
	r = c.post("/cases/c1/recordAnalysis", url.Values{"expectedVersion": {"9"}, "key": {"k2"}, "findings": {" "}})
	wantBody(t, r, http.StatusBadRequest, `<p class="error" id="f-recordAnalysis-findings-error">Nội dung xác minh: bắt buộc nhập.</p>`,
		`aria-invalid="true" aria-describedby="f-recordAnalysis-findings-error"`)

	api.fail = &gqlerrors.FormattedError{Message: "input.targetUrl: \"x\" is not an absolute http(s) URL", Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "input.targetUrl"}}
	r = c.post("/cases/c1/requestTakedown", url.Values{"expectedVersion": {"9"}, "key": {"k3"}, "platform": {"FACEBOOK"}, "targetUrl": {"x"}, "reason": {"Mạo danh"}})
	wantBody(t, r, http.StatusBadRequest, "Đường dẫn cần gỡ: phải là đường dẫn đầy đủ, bắt đầu bằng http:// hoặc https://.", `value="x"`)

	api.fail = &gqlerrors.FormattedError{Message: "resolveCase is not allowed", Extensions: map[string]any{"code": "INVALID_TRANSITION"}}
	r = c.post("/cases/c1/resolveCase", url.Values{"expectedVersion": {"9"}, "key": {"k4"}, "resolution": {"Đã gỡ"}})
	wantBody(t, r, http.StatusConflict, "Vụ việc đang ở trạng thái «Đang xác minh», không thể «Kết thúc xử lý».")
}

// Evidence is downloaded through the API's view of the case: the bytes
// of the blob store, as an attachment of its type, never sniffed, with
// its SHA-256 in a header; a hash the case does not hold is not found.
func TestEvidenceDownload(t *testing.T) {
	d, api := caseDesk(t)
	c := d.client()
	c.login("reporter1", goodPassword)
	sum := sha(pngBytes)
	r := c.get("/cases/c1/evidence/" + sum)
	if r.StatusCode != http.StatusOK || r.body != string(pngBytes) {
		t.Fatalf("download: %d %q", r.StatusCode, r.body)
	}
	h := r.Header
	_, params, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Content-SHA256") != sum ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || params["filename"] != "anh-chup-trang.png" {
		t.Errorf("headers %v", h)
	}
	if got := sha([]byte(r.body)); got != sum {
		t.Errorf("downloaded SHA-256 %s", got)
	}
	wantBody(t, c.get("/cases/c1/evidence/"+strings.Repeat("0", 64)), http.StatusNotFound)
	if api.reads != 1 {
		t.Errorf("blob reads %d, want 1", api.reads)
	}
	if got := downloadName("Ảnh chụp màn hình trang giả mạo", sum, "image/png"); got != sum+".png" {
		t.Errorf("downloadName without a file name: %q", got)
	}
	if got := downloadName(`C:\Users\mai\anh.jpg`, sum, "image/jpeg"); got != sum+".jpg" {
		t.Errorf("downloadName of a path: %q", got)
	}
}

// Evidence is uploaded as a file: sent as base64 with the browser's media
// type; the description defaults to the file's name.
func TestAddEvidenceUpload(t *testing.T) {
	d, api := caseDesk(t)
	c := d.client()
	c.login("reporter1", goodPassword)
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("key", "ev-key")
	_ = mw.WriteField("description", "")
	hdr := map[string][]string{"Content-Disposition": {`form-data; name="file"; filename="trang-gia-mao.png"`}, "Content-Type": {"image/png"}}
	part, _ := mw.CreatePart(hdr)
	_, _ = part.Write(pngBytes)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, d.srv.URL+"/cases/c1/addEvidence", strings.NewReader(body.String()))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	wantRedirect(t, c.do(req), http.StatusSeeOther, "/cases/c1")
	calls := api.calls()
	if len(calls) != 1 || calls[0].key != "ev-key" {
		t.Fatalf("mutations %+v", calls)
	}
	in := calls[0].vars["input"].(map[string]any)
	if in["mediaType"] != "image/png" || in["description"] != "trang-gia-mao.png" || in["contentBase64"] == "" {
		t.Errorf("evidence input %v", in)
	}
}

// The audit page lists every event with its hash and previous hash,
// verifies the chain on demand and shows the case as of a version.
func TestAuditPage(t *testing.T) {
	d, _ := caseDesk(t)
	c := d.client()
	c.login("leader1", goodPassword)
	r := c.get("/cases/c1/audit?verify=1&version=2")
	wantBody(t, r, http.StatusOK, "Kiểm tra vụ việc VV-2026-000042", fmt.Sprintf("%064x", 9), fmt.Sprintf("%064x", 8),
		"Chuỗi mã băm toàn vẹn: đã kiểm tra 9 sự kiện.", "Trạng thái vụ việc tại phiên bản 2", "Mới tiếp nhận",
		`href="/cases/c1/audit?version=3#asof"`, `<label for="asof-at">`)
	checkNoRawEnums(t, "audit page", r.body)
	wantBody(t, c.get("/cases/c1/audit?version=abc"), http.StatusOK, "Phiên bản phải là số từ 1 trở lên")
	wantBody(t, c.get("/cases/c1/audit?at="+url.QueryEscape("02/12/2026 10:00")), http.StatusOK, "Trạng thái vụ việc lúc 10:00 02/12/2026")
	if at, ok := parseAsOf("02/12/2026"); !ok || at.In(zone).Format("02/01/2006 15:04") != "02/12/2026 23:59" {
		t.Errorf("a day alone: %v %v", at, ok)
	}
}

// The words of every value the case pages show are in the catalog, in
// both languages, and no file gave a key other words.
func TestCaseCatalog(t *testing.T) {
	if len(catalogDuplicates) > 0 {
		t.Errorf("keys defined twice with different words: %v", catalogDuplicates)
	}
	want := []string{}
	add := func(prefix string, values ...string) {
		for _, v := range values {
			want = append(want, prefix+"."+v)
		}
	}
	for _, s := range incident.Statuses {
		add("status", string(s))
	}
	for _, k := range incident.Kinds {
		add("kind", string(k))
	}
	for _, s := range incident.Severities {
		add("severity", string(s))
	}
	for _, p := range incident.Platforms {
		add("platform", string(p))
	}
	for _, k := range incident.DeadlineKinds {
		add("deadline", string(k))
	}
	add("deadlineState", "PENDING", "MET", "MISSED", "CANCELLED")
	add("takedownStatus", "SENT", "ACKNOWLEDGED", "REMOVED", "REJECTED", "EXPIRED", "WITHDRAWN")
	add("outcome", outcomes...)
	add("escalationStatus", "PENDING_APPROVAL", "APPROVED", "SENT", "ACKNOWLEDGED", "RESOLVED", "DECLINED")
	add("verdict", verdicts...)
	add("event", incident.EventTypes()...)
	for name, spec := range actionSpecs {
		add("action", name)
		add("done", name)
		for _, f := range spec.fields {
			add("field", f.name)
		}
	}
	for _, k := range want {
		if _, ok := messages[k]; !ok {
			t.Errorf("no words for %s", k)
		}
	}
	// Every command a person sends on a case has its form.
	for _, a := range incident.Actions() {
		if _, isCommand := actionSpecs[a]; !isCommand && a != incident.CmdReportIncident && !strings.HasPrefix(a, "read") &&
			// The administration's actions have their forms on the admin pages (admin_*.go).
			!slices.Contains([]string{incident.ActionRegisterOfficialAccount, incident.ActionManageUnits, incident.ActionManageUsers}, a) &&
			// A report joins an open case through the intake, not by a form.
			a != incident.ActionJoinCase {
			t.Errorf("command %s has no form on the case page", a)
		}
	}
	if p := keyPrefixes(); !p["case"] || !p["audit"] || !p["event"] || !p["rule"] {
		t.Errorf("the case pages' keys are not in the catalog the catalog test scans: %v", p)
	}
}
