package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casetrail/casefile"
)

// webSession is a user of the web interface over plain HTTP (no browser):
// enough to download files as that user.
type webSession struct {
	t *testing.T
	s *server
	c *http.Client
}

func (s *server) webLogin(t *testing.T, user, password string) *webSession {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webSession{t: t, s: s, c: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	req, _ := http.NewRequest(http.MethodPost, s.url("/login"), strings.NewReader(url.Values{"username": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := w.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login %s: %s %q", user, resp.Status, resp.Header.Get("Location"))
	}
	return w
}

// get fetches path and returns the answer with its body read.
func (w *webSession) get(path string) (*http.Response, []byte) {
	w.t.Helper()
	resp, err := w.c.Get(w.s.url(path))
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("GET %s: %v", path, err)
	}
	return resp, b
}

// readerText runs a document reader and returns its output (pdftotext of
// Debian poppler-utils, soffice of libreoffice-writer-nogui).
func readerText(t *testing.T, name, debianPackage string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: install the Debian package %s (.ci/run does it when missing)", name, debianPackage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// flat is text with every run of white space made one space.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestCaseFileAndTakedownLetters walks a commune's impersonation case to
// an escalation sent with its letter, signs a checkpoint, and then:
// `casetrail export-case` writes its case file and `casetrail verify
// --bundle` checks it with no database reachable (an evidence byte changed
// is named); the leader downloads the same case file from the case page
// and it verifies too, while a handler of the unit and a handler of
// another unit get 403, and the unit's clerk (CLERK) gets it, reads the
// letter and may send no command; the takedown letter's draft is served as
// PDF (pdftotext) and DOCX (LibreOffice) to the handler, and refused to the
// other unit's handler.
func TestCaseFileAndTakedownLetters(t *testing.T) {
	s := newServer(t, serverOptions{})
	passwords := casePasswords(t, s)
	const fakePage = "https://www.facebook.com/ubnd.phuckhoa.thongbao"
	c, _ := s.report(t, "reporter1", reportInput{ClientRequestID: "casefile-1", Kind: "IMPERSONATION", Unit: "lai-chau/tan-uyen/xa-phuc-khoa",
		Title: "Trang giả mạo UBND xã Phúc Khoa thu phí làm hồ sơ", Description: "Trang đăng thông báo thu phí giả.",
		Subjects: []subjectInput{{Platform: "FACEBOOK", URL: fakePage}}})
	id := c.ID
	vars := func(kv ...any) map[string]any {
		m := map[string]any{"id": id}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	screenshot := []byte("<html><body><h1>UBND xã Phúc Khoa</h1><p>Thu phí làm hồ sơ đất đai 500.000đ</p></body></html>")
	s.mutate(t, "handler1", `triageCase(id: $id, severity: HIGH, assignee: "handler1")`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `startAnalysis(id: $id)`, `($id: ID!)`, vars())
	s.mutate(t, "handler1", `addEvidence(id: $id, input: $in)`, `($id: ID!, $in: EvidenceInput!)`, vars("in", map[string]any{
		"description": "Ảnh chụp trang giả mạo.html", "mediaType": "text/html", "contentBase64": base64.StdEncoding.EncodeToString(screenshot)}))
	s.mutate(t, "handler1", `recordAnalysis(id: $id, input: {findings: "Trang mạo danh Ủy ban nhân dân xã", verdict: FALSE})`, `($id: ID!)`, vars())
	withTD := s.mutate(t, "handler1", `requestTakedown(id: $id, input: $in)`, `($id: ID!, $in: TakedownInput!)`, vars(
		"in", map[string]any{"platform": "FACEBOOK", "targetUrl": fakePage, "reason": "Mạo danh cơ quan nhà nước"}))
	td := withTD.Takedowns[0].ID
	s.mutate(t, "handler1", `requestEscalation(id: $id, reason: "Nền tảng chưa gỡ trang giả mạo")`, `($id: ID!)`, vars())
	s.mutate(t, "leader1", `approveEscalation(id: $id, note: "Đồng ý chuyển Sở")`, `($id: ID!)`, vars())
	var cur caseView
	eventually(t, time.Minute, "escalation SENT with its letter", func() error {
		cur = s.readCase(t, "leader1", id)
		if cur.Escalation == nil || cur.Escalation.Status != "SENT" || cur.Escalation.Letter == nil {
			return errMissing
		}
		return nil
	})
	letter := cur.Escalation.Letter

	if out, err := s.run("checkpoint"); err != nil {
		t.Fatalf("casetrail checkpoint: %v\n%s", err, out)
	}
	pub, err := s.run("checkpoint", "--public-key")
	if err != nil {
		t.Fatalf("casetrail checkpoint --public-key: %v\n%s", err, pub)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "checkpoint.pub")
	if err := os.WriteFile(keyFile, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	// verify --bundle with no database to reach.
	offline := func(path string) (string, error) {
		cmd := exec.Command(s.bin, "verify", "--bundle", path, "--public-key", keyFile)
		cmd.Env = append(os.Environ(), "DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=1", "CASETRAIL_DATA_DIR="+dir)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	exported := filepath.Join(dir, "ho-so.zip")
	out, err := s.run("export-case", "--case", id, "--out", exported)
	if err != nil || !strings.Contains(out, "case file of "+c.Number) || !strings.Contains(out, "checkpoint 1") {
		t.Fatalf("export-case: %v\n%s", err, out)
	}
	out, err = offline(exported)
	if err != nil || !strings.Contains(out, "the whole history anchored by a signed checkpoint") || !strings.Contains(out, "ok "+exported) {
		t.Fatalf("verify --bundle of the exported case file: %v\n%s", err, out)
	}
	t.Logf("casetrail verify --bundle %s:\n%s", filepath.Base(exported), out)
	m := readManifest(t, exported)
	if m.Number != c.Number || len(m.Evidence) != 1 || len(m.Letters) != 2 || m.Checkpoint == nil || !m.Checkpoint.CoversHead ||
		m.Letters[0].SHA256 != letter.Sha256 || m.Letters[0].File != "letters/cong-van-"+strings.ReplaceAll(letter.DispatchNumber, "/", "-")+".pdf" {
		t.Errorf("manifest %+v; want the case's evidence, its letter %s as PDF and DOCX, anchored at its head", m, letter.DispatchNumber)
	}

	// An evidence byte changed is named.
	tampered := filepath.Join(dir, "tampered.zip")
	rewriteZip(t, exported, tampered, func(name string, b []byte) []byte {
		if strings.HasPrefix(name, "evidence/") {
			b = bytes.Clone(b)
			b[20] ^= 0x20
		}
		return b
	})
	out, err = offline(tampered)
	if err == nil || !strings.Contains(out, "BROKEN "+m.Evidence[0].File+": its SHA-256 is ") ||
		!strings.Contains(out, "BROKEN "+m.Evidence[0].File+": its content hashes to ") {
		t.Errorf("verify --bundle of a tampered case file: %v\n%s", err, out)
	}
	t.Logf("casetrail verify --bundle %s (%v):\n%s", filepath.Base(tampered), err, out)

	// The leader downloads it from the case page.
	leader := s.webLogin(t, "leader1", passwords["leader1"])
	resp, page := leader.get("/cases/" + id)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="case-file" href="/cases/`+id+`/file.zip"`) {
		t.Fatalf("the leader's case page does not link the case file: %s", resp.Status)
	}
	resp, zipped := leader.get("/cases/" + id + "/file.zip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "ho-so-"+c.Number+".zip") {
		t.Fatalf("GET file.zip as leader1: %s %v", resp.Status, resp.Header)
	}
	downloaded := filepath.Join(dir, "downloaded.zip")
	if err := os.WriteFile(downloaded, zipped, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := offline(downloaded); err != nil || !strings.Contains(out, "the whole history anchored") {
		t.Errorf("verify --bundle of the downloaded case file: %v\n%s", err, out)
	}
	if got := readManifest(t, downloaded); got.Head != m.Head || got.Checkpoint.Signed.Signature != m.Checkpoint.Signed.Signature {
		t.Errorf("the downloaded case file's head %+v differs from the exported one's %+v", got.Head, m.Head)
	}
	// The clerk (văn thư) of Tân Uyên takes the case file and the letter,
	// and sends no case command.
	clerk := s.webLogin(t, "clerk1", passwords["clerk1"])
	if resp, b := clerk.get("/cases/" + id + "/file.zip"); resp.StatusCode != http.StatusOK || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("GET file.zip as clerk1: %s", resp.Status)
	}
	if resp, b := clerk.get(*letter.PdfURL); resp.StatusCode != http.StatusOK || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("GET the letter as clerk1: %s", resp.Status)
	}
	s.refused(t, "clerk1", `mutation($id: ID!) { addComment(id: $id, text: "Đã vào sổ văn bản đi") { id } }`, vars(), "FORBIDDEN")
	if resp, page := clerk.get("/cases/" + id); resp.StatusCode != http.StatusOK || strings.Contains(string(page), `action="/cases/`+id+`/`) {
		t.Errorf("the clerk's case page: %s, offers a command: %v", resp.Status, strings.Contains(string(page), `action="/cases/`+id+`/`))
	}
	for _, who := range []string{"handler1", "handler2"} {
		w := s.webLogin(t, who, passwords[who])
		if resp, _ := w.get("/cases/" + id + "/file.zip"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET file.zip as %s: %s; want 403", who, resp.Status)
		}
	}

	// The takedown letter's draft, as PDF and DOCX.
	handler := s.webLogin(t, "handler1", passwords["handler1"])
	_, page = handler.get("/cases/" + id)
	pdfPath := "/cases/" + id + "/letters/takedown-" + td + ".pdf"
	if !strings.Contains(string(page), `href="`+pdfPath+`"`) {
		t.Errorf("the case page does not link the takedown letter %s", pdfPath)
	}
	resp, pdf := handler.get(pdfPath)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s: %s %v", pdfPath, resp.Status, resp.Header)
	}
	p := filepath.Join(dir, "takedown.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	wantLetter := []string{"DỰ THẢO", "ỦY BAN NHÂN DÂN", "HUYỆN TÂN UYÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: …/UBND-VHTT",
		"Kính gửi: Công ty Meta Platforms, Inc.", fakePage, "Nơi nhận:", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Lan"}
	text := flat(readerText(t, "pdftotext", "poppler-utils", "-layout", "-enc", "UTF-8", p, "-"))
	for _, w := range wantLetter {
		if !strings.Contains(text, w) {
			t.Errorf("the takedown letter's PDF lacks %q:\n%s", w, text)
		}
	}
	resp, docx := handler.get(strings.TrimSuffix(pdfPath, ".pdf") + ".docx")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("GET the takedown letter's DOCX: %s %v", resp.Status, resp.Header)
	}
	p = filepath.Join(dir, "takedown.docx")
	if err := os.WriteFile(p, docx, 0o600); err != nil {
		t.Fatal(err)
	}
	readerText(t, "soffice", "libreoffice-writer-nogui", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", filepath.Join(dir, "out"), p)
	text = flat(readerText(t, "pdftotext", "poppler-utils", "-layout", "-enc", "UTF-8", filepath.Join(dir, "out", "takedown.pdf"), "-"))
	for _, w := range wantLetter {
		if !strings.Contains(text, w) {
			t.Errorf("the takedown letter's DOCX converted by LibreOffice lacks %q:\n%s", w, text)
		}
	}
	other := s.webLogin(t, "handler2", passwords["handler2"])
	if resp, _ := other.get(pdfPath); resp.StatusCode != http.StatusForbidden {
		t.Errorf("GET the takedown letter as handler2 (another unit): %s; want 403", resp.Status)
	}
}

// readManifest reads a case file's manifest.
func readManifest(t *testing.T, path string) casefile.Manifest {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(casefile.ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m casefile.Manifest
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// rewriteZip copies the ZIP at from to to, each file's content through edit.
func rewriteZip(t *testing.T, from, to string, edit func(name string, b []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = w.Write(edit(f.Name, b))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
