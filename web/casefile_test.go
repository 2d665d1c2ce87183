package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"
)

// caseFileBytes stand for a case file (Options.CaseFile).
var caseFileBytes = []byte("PK\x03\x04 the case file of VV-2026-000042")

// caseFile stands for the case file's making: it writes caseFileBytes, or
// cuts them short when caseFileCut is set.
func (a *caseAPI) caseFile(_ context.Context, caseID string) (string, func(context.Context, io.Writer) error, error) {
	if caseID != a.c.ID {
		return "", nil, fmt.Errorf("no case %s", caseID)
	}
	a.mu.Lock()
	cut := a.caseFileCut
	a.mu.Unlock()
	return "ho-so-" + a.c.Number + ".zip", func(_ context.Context, w io.Writer) error {
		if cut {
			if _, err := w.Write(caseFileBytes[:6]); err != nil {
				return err
			}
			return errors.New("the blob store went away")
		}
		_, err := w.Write(caseFileBytes)
		return err
	}, nil
}

// takedownLetter stands for a takedown letter's draft
// (Options.TakedownLetter).
func (a *caseAPI) takedownLetter(_ context.Context, caseID, takedownID, format string) ([]byte, error) {
	if caseID != a.c.ID {
		return nil, fmt.Errorf("no case %s", caseID)
	}
	return []byte("draft of " + takedownID + " as " + format), nil
}

// TestCaseFileDownload: the case page links the case file when the API
// gives its link, and the file is served as a ZIP attachment; a user who
// reads the case without the link (a handler) gets 403, as does one who
// may not read the case; a file that fails once started is cut, never
// served short as if whole.
func TestCaseFileDownload(t *testing.T) {
	d, api := caseDesk(t)
	api.c.CaseFileURL = "/cases/c1/file.zip"
	c := d.client()
	c.login("leader1", goodPassword)
	wantBody(t, c.get("/cases/c1"), http.StatusOK,
		`<a class="download" id="case-file" href="/cases/c1/file.zip" download title="Tóm tắt vụ việc, lịch sử xử lý kèm mã băm`,
		`>Tải hồ sơ vụ việc (ZIP)</a>`)
	r := c.get("/cases/c1/file.zip")
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
	if r.StatusCode != http.StatusOK || r.body != string(caseFileBytes) || r.Header.Get("Content-Type") != "application/zip" ||
		params["filename"] != "ho-so-VV-2026-000042.zip" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("case file: %d %q %v", r.StatusCode, r.body, r.Header)
	}

	o := d.client()
	o.login("outsider", goodPassword)
	wantBody(t, o.get("/cases/c1/file.zip"), http.StatusForbidden)
	wantBody(t, c.get("/cases/c2/file.zip"), http.StatusNotFound)

	api.mu.Lock()
	api.c.CaseFileURL = "" // the API gives no link: the user may not take the file
	api.mu.Unlock()
	if page := c.get("/cases/c1"); strings.Contains(page.body, `id="case-file"`) {
		t.Error("the case page links the case file without the API's link")
	}
	wantBody(t, c.get("/cases/c1/file.zip"), http.StatusForbidden, "Hồ sơ vụ việc dành cho lãnh đạo, cán bộ kiểm tra và văn thư của đơn vị.")

	api.mu.Lock()
	api.c.CaseFileURL, api.caseFileCut = "/cases/c1/file.zip", true
	api.mu.Unlock()
	// The connection is cut: before the answer's head (what the server
	// buffered is dropped) or, for a larger file, in its body.
	resp, err := c.c.Get(d.srv.URL + "/cases/c1/file.zip")
	if err == nil {
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr == nil {
			t.Errorf("a case file cut short was served whole: %d %q", resp.StatusCode, body)
		}
	}
}

// TestTakedownLetterDownload: each takedown the API shows with its
// letter's link has its draft as PDF and DOCX next to it on the case page
// and served as an attachment to whoever reads the case; an unknown
// takedown is 404, a user who may not read the case gets 403.
func TestTakedownLetterDownload(t *testing.T) {
	d, api := caseDesk(t)
	now := api.c.ReportedAt.Add(5 * time.Hour)
	api.c.Status = "ACTION"
	api.c.Takedowns = []takedownData{{ID: "TD-1", Platform: "FACEBOOK", TargetURL: "https://www.facebook.com/tintuc.tanuyen24h",
		Reason: "Mạo danh", Status: "SENT", RequestedBy: "handler1", RequestedAt: now, DueAt: now.Add(24 * time.Hour),
		LetterURL: "/cases/c1/letters/takedown-TD-1.pdf"}}
	c := d.client()
	c.login("reporter1", goodPassword)
	wantBody(t, c.get("/cases/c1"), http.StatusOK,
		`<a class="button-link download" id="takedown-letter-TD-1" href="/cases/c1/letters/takedown-TD-1.pdf" download>PDF</a>`,
		`id="takedown-letter-TD-1-docx" href="/cases/c1/letters/takedown-TD-1.docx" download>Word (DOCX)</a>`,
		"Dự thảo công văn yêu cầu gỡ bỏ")
	for _, tc := range []struct{ format, typ string }{{"pdf", mediaPDF}, {"docx", mediaDOCX}} {
		r := c.get("/cases/c1/letters/takedown-TD-1." + tc.format)
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
		if r.StatusCode != http.StatusOK || r.body != "draft of TD-1 as "+tc.format || r.Header.Get("Content-Type") != tc.typ ||
			params["filename"] != "du-thao-cong-van-go-bo-VV-2026-000042-TD-1."+tc.format {
			t.Errorf("%s: %d %q %v", tc.format, r.StatusCode, r.body, r.Header)
		}
	}
	wantBody(t, c.get("/cases/c1/letters/takedown-TD-9.pdf"), http.StatusNotFound)
	wantBody(t, c.get("/cases/c1/letters/takedown-TD-1.odt"), http.StatusNotFound)
	wantBody(t, c.get("/cases/c1/letters/takedown-.pdf"), http.StatusNotFound)
	o := d.client()
	o.login("outsider", goodPassword)
	wantBody(t, o.get("/cases/c1/letters/takedown-TD-1.pdf"), http.StatusForbidden)
}
