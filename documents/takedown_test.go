package documents_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"casetrail/documents"
	"casetrail/incident"
)

// TestTakedownLetterDraft: the draft of the letter asking Facebook to take
// the fake page down, issued by Tân Uyên and addressed to Meta, reads back
// from the PDF (pdftotext) and from the DOCX converted by LibreOffice:
// the heading, "Số: …/UBND-VHTT" unnumbered, "Kính gửi", the target, the
// legal basis with its 24 hours, "Nơi nhận" and the signature block with
// its prefix, diacritics intact. An unknown takedown is refused.
func TestTakedownLetterDraft(t *testing.T) {
	c := fixtureCase(t)
	td := c.Takedowns[0]
	l, err := documents.TakedownLetter(officeUnits, c, td.ID, documents.Issue{Date: letterDate, Draft: true,
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		documents.DraftMark, "ỦY BAN NHÂN DÂN", "XÃ TÂN UYÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Số: …/UBND-VHTT", "Tân Uyên, ngày … tháng … năm 2026", "V/v yêu cầu gỡ bỏ thông tin vi phạm pháp luật trên",
		"Kính gửi: Công ty Meta Platforms, Inc.", "https://www.facebook.com/ubnd.xatanuyen.thongbao",
		"Nghị định số 147/2024/NĐ-CP", "trong thời hạn 24 giờ", "Nơi nhận:", "- Lưu: VT, VHTT.", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
		"Nguyễn Thị Hường",
	}
	dir := t.TempDir()
	pdf, err := documents.RenderPDF(l)
	if err != nil {
		t.Fatal(err)
	}
	checkText(t, "pdftotext", flatLines(pdfText(t, writeFile(t, dir, "takedown.pdf", pdf))), want, nil)

	docx, err := documents.RenderDOCX(l, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	soffice := tool(t, "soffice", "libreoffice-writer-nogui")
	p := writeFile(t, dir, "takedown.docx", docx)
	run(t, 5*time.Minute, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", filepath.Join(dir, "out"), p)
	checkText(t, "LibreOffice takedown.docx", flatLines(pdfText(t, filepath.Join(dir, "out", "takedown.pdf"))), want, nil)

	if _, err := documents.TakedownLetter(officeUnits, c, "TD-9", documents.Issue{Date: letterDate, Draft: true}); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("an unknown takedown: %v; want BAD_USER_INPUT", err)
	}
	if got := documents.PlatformRecipient(incident.Platform("MASTODON")); got != documents.PlatformRecipient(incident.Other) {
		t.Errorf("an unknown platform is addressed to %q", got)
	}
}

// flatLines joins the lines of a reader's text into one line per
// paragraph-ish run, so that a sentence wrapped across lines is found:
// each line, and each pair of consecutive lines joined by a space.
func flatLines(text string) string {
	ls := lines(text)
	out := append([]string(nil), ls...)
	for i := 0; i+1 < len(ls); i++ {
		out = append(out, ls[i]+" "+ls[i+1])
	}
	return strings.Join(out, "\n")
}
