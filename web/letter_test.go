package web

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql/gqlerrors"
)

var (
	previewBytes = []byte("%PDF-1.7 the draft, DỰ THẢO")
	letterPDF    = []byte("%PDF-1.7 the letter 05/UBND-VHTT")
	letterDOCX   = []byte("PK the letter as Word")
)

// preview stands for the draft's rendering (Options.LetterPreview).
func (a *caseAPI) preview(_ context.Context, caseID string) ([]byte, error) {
	if caseID != a.c.ID {
		return nil, fmt.Errorf("no case %s", caseID)
	}
	return previewBytes, nil
}

// escalate puts c1 in ESCALATED, awaiting leader1's approval; its letter's
// issuer numbers by hand when manual.
func escalate(api *caseAPI, manual bool) {
	api.mu.Lock()
	defer api.mu.Unlock()
	numbering := "AUTO"
	if manual {
		numbering = "MANUAL"
	}
	e := &escalationData{Status: "PENDING_APPROVAL", Reason: "Nền tảng không phản hồi", To: unitRef{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch"},
		RequestedBy: "handler1", RequestedAt: api.c.ReportedAt.Add(30 * time.Hour), PreviewURL: "/cases/c1/letters/escalation-preview.pdf"}
	e.Issuer = &struct {
		unitRef
		Numbering     string      `json:"numbering"`
		DefaultSigner *signerData `json:"defaultSigner"`
	}{unitRef{ID: "lai-chau/tan-uyen", Name: "Tân Uyên"}, numbering, &signerData{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Trần Thị Lan"}}
	api.c.Status, api.c.Escalation = "ESCALATED", e
	api.c.Available = []string{"approveEscalation", "declineEscalation", "addComment"}
}

// send records c1's letter as sent.
func send(api *caseAPI) {
	api.mu.Lock()
	defer api.mu.Unlock()
	e := api.c.Escalation
	e.Status, e.PreviewURL, e.DispatchNumber = "SENT", "", "05/UBND-VHTT"
	e.Letter = &letterData{Number: 5, Symbol: "UBND-VHTT", DispatchNumber: "05/UBND-VHTT", IssuedAt: api.c.ReportedAt.Add(31 * time.Hour),
		SHA256: sha(letterPDF), DOCXSHA256: sha(letterDOCX), PDFURL: "/cases/c1/letters/escalation.pdf", DOCXURL: "/cases/c1/letters/escalation.docx",
		Issuer: unitRef{ID: "lai-chau/tan-uyen", Name: "Tân Uyên"}, Signer: signerData{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Trần Thị Lan"}}
	api.c.Available = []string{"recordEscalationResponse", "addComment"}
	api.blobs[sha(letterPDF)], api.blobs[sha(letterDOCX)] = letterPDF, letterDOCX
}

// TestLetterBeforeApproval: the leader's approval form links the draft,
// asks for the register number where the clerk numbers by hand, and
// offers the issuing unit's signer; the draft is served as a PDF to whoever
// may read the case, the final letter not yet.
func TestLetterBeforeApproval(t *testing.T) {
	d, api := caseDesk(t)
	escalate(api, true)
	c := d.client()
	c.login("leader1", goodPassword)
	page := c.get("/cases/c1")
	wantBody(t, page, http.StatusOK,
		`<p class="form-preview"><a class="button-link download" href="/cases/c1/letters/escalation-preview.pdf" download>Xem dự thảo công văn (PDF)</a></p>`,
		`id="letter-preview" href="/cases/c1/letters/escalation-preview.pdf"`,
		`<input id="f-approveEscalation-registerNumber" name="registerNumber" type="number" min="1" step="1" inputmode="numeric" value="" required`,
		`name="signerName" type="text" value="Trần Thị Lan"`, `name="signerTitle" type="text" value="Phó Chủ tịch"`,
		`<option value="KT." selected>KT. (ký thay người đứng đầu)</option>`)
	checkNoRawEnums(t, "case page", page.body)

	r := c.get("/cases/c1/letters/escalation-preview.pdf")
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if r.StatusCode != http.StatusOK || r.body != string(previewBytes) || r.Header.Get("Content-Type") != "application/pdf" ||
		params["filename"] != "du-thao-cong-van-VV-2026-000042.pdf" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("preview: %d %q %v", r.StatusCode, r.body, r.Header)
	}
	wantBody(t, c.get("/cases/c1/letters/escalation.pdf"), http.StatusNotFound)
	wantBody(t, c.get("/cases/c1/letters/other.pdf"), http.StatusNotFound)
	o := d.client()
	o.login("outsider", goodPassword)
	wantBody(t, o.get("/cases/c1/letters/escalation-preview.pdf"), http.StatusForbidden)

	// The form's number and signer go as approveEscalation's arguments.
	key := regexp.MustCompile(`action="/cases/c1/approveEscalation"[^>]*>\s*<input type="hidden" name="expectedVersion" value="9">\s*<input type="hidden" name="key" value="([0-9a-f]+)">`).FindStringSubmatch(page.body)
	if key == nil {
		t.Fatal("no approveEscalation form")
	}
	form := url.Values{"expectedVersion": {"9"}, "key": {key[1]}, "note": {"Đồng ý"}, "registerNumber": {"abc"},
		"signerName": {"Trần Thị Lan"}, "signerTitle": {"Phó Chủ tịch"}, "signerPrefix": {"KT."}}
	wantBody(t, c.post("/cases/c1/approveEscalation", form), http.StatusBadRequest, "Số công văn trong sổ đăng ký văn bản đi: nhập một số nguyên dương.")
	form.Set("registerNumber", "7")
	form.Set("signerName", "")
	wantBody(t, c.post("/cases/c1/approveEscalation", form), http.StatusBadRequest, "Người ký công văn: bắt buộc nhập.")
	form.Set("signerName", "Trần Thị Lan")
	wantRedirect(t, c.post("/cases/c1/approveEscalation", form), http.StatusSeeOther, "/cases/c1")
	calls := api.calls()
	want := map[string]any{"id": "c1", "expectedVersion": 9, "note": "Đồng ý", "registerNumber": 7,
		"signer": map[string]any{"name": "Trần Thị Lan", "title": "Phó Chủ tịch", "prefix": "KT."}}
	if len(calls) != 1 || fmt.Sprint(calls[0].vars) != fmt.Sprint(want) || !strings.Contains(calls[0].name, "approveEscalation") {
		t.Fatalf("mutations %+v; want approveEscalation with %v", calls, want)
	}

	// The API's refusals land next to their fields.
	api.fail = &gqlerrors.FormattedError{Message: "number 07 of 2026 is already used in the register of Ủy ban nhân dân huyện Tân Uyên (07/UBND-VHTT)",
		Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "registerNumber"}}
	wantBody(t, c.post("/cases/c1/approveEscalation", form), http.StatusBadRequest,
		`<p class="error" id="f-approveEscalation-registerNumber-error">Số công văn trong sổ đăng ký văn bản đi: số này đơn vị đã dùng trong năm nay`, `value="7"`)
	api.fail = &gqlerrors.FormattedError{Message: "signer.title: is required when signing KT.", Extensions: map[string]any{"code": "BAD_USER_INPUT", "field": "signer.title"}}
	wantBody(t, c.post("/cases/c1/approveEscalation", form), http.StatusBadRequest,
		`<p class="error" id="f-approveEscalation-signerTitle-error">Chức vụ người ký: bắt buộc nhập.</p>`)

	// Where CaseTrail keeps the register, no number is asked.
	escalate(api, false)
	if body := c.get("/cases/c1").body; strings.Contains(body, `name="registerNumber"`) {
		t.Error("a register number is asked where CaseTrail numbers")
	}
}

// TestLetterDownload: once sent, the case page shows the letter (number,
// issuer, date, signer, SHA-256) with links to its PDF and DOCX, served
// from the blob store under the recorded SHA-256; the draft is gone.
func TestLetterDownload(t *testing.T) {
	d, api := caseDesk(t)
	escalate(api, false)
	send(api)
	c := d.client()
	c.login("reporter1", goodPassword)
	page := c.get("/cases/c1")
	wantBody(t, page, http.StatusOK, `<strong class="dispatch">05/UBND-VHTT</strong>`, "Do Tân Uyên ban hành lúc 16:25 03/12/2026",
		"Người ký: KT. Chủ tịch – Phó Chủ tịch <strong>Trần Thị Lan</strong>", sha(letterPDF),
		`<a class="button-link download" id="letter-pdf" href="/cases/c1/letters/escalation.pdf" download>Tải công văn (PDF)</a>`,
		`id="letter-docx" href="/cases/c1/letters/escalation.docx"`)
	if strings.Contains(page.body, "escalation-preview") {
		t.Error("a sent letter still offers its draft")
	}
	for _, tc := range []struct {
		file, typ, name string
		body            []byte
	}{
		{"escalation.pdf", "application/pdf", "cong-van-05-UBND-VHTT.pdf", letterPDF},
		{"escalation.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "cong-van-05-UBND-VHTT.docx", letterDOCX},
	} {
		r := c.get("/cases/c1/letters/" + tc.file)
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
		if r.StatusCode != http.StatusOK || r.body != string(tc.body) || r.Header.Get("Content-Type") != tc.typ || params["filename"] != tc.name ||
			r.Header.Get("X-Content-SHA256") != sha(tc.body) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("%s: %d %q %v", tc.file, r.StatusCode, r.body, r.Header)
		}
	}
	wantBody(t, c.get("/cases/c1/letters/escalation-preview.pdf"), http.StatusNotFound)
	o := d.client()
	o.login("outsider", goodPassword)
	wantBody(t, o.get("/cases/c1/letters/escalation.pdf"), http.StatusForbidden)
}
