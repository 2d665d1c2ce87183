package documents_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"casetrail/documents"
)

// The documents are read back by real readers: pdftotext and pdftoppm
// (Debian poppler-utils) and LibreOffice (Debian libreoffice-writer-nogui).
// Without them the tests fail, naming the package; .ci/run installs both.

var updateImage = flag.Bool("update-image", false,
	"write the fixture letter's first page to docs/images/cong-van-mau.png")

// tool returns the path of a reader, failing the test when it is missing.
func tool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed; the document tests read their output with it: "+
			"install the Debian package %s (apt-get install %s; .ci/run does it when missing)",
			name, debianPackage, debianPackage)
	}
	return p
}

// run runs a reader and returns its standard output, failing on an error.
func run(t *testing.T, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", filepath.Base(name), strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// pdfText returns the text of the PDF file path as pdftotext -layout reads it.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	bin := tool(t, "pdftotext", "poppler-utils")
	return string(run(t, time.Minute, bin, "-layout", "-enc", "UTF-8", path, "-"))
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var spaces = regexp.MustCompile(`[ \t]+`)

// lines returns the text's lines, runs of spaces (columns, justification)
// made one.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(spaces.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// escalationLines are lines of the fixture escalation letter a reader must
// find, each within one line of its text.
var escalationLines = []string{
	"ỦY BAN NHÂN DÂN",
	"XÃ TÂN UYÊN",
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"Độc lập - Tự do - Hạnh phúc",
	"Số: 05/UBND-VHTT",
	"Tân Uyên, ngày 05 tháng 12 năm 2026",
	"V/v đề nghị chỉ đạo xử lý",
	"Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu",
	"VV-2026-000123",
	shaOf("ảnh chụp trang giả mạo") + ";",
	shaOf("video mạo danh") + ".",
	"https://www.facebook.com/ubnd.xatanuyen.thongbao;",
	"Trân trọng./.",
	"Nơi nhận:",
	"- Như trên;",
	"- Lưu: VT, VHTT.",
	"KT. CHỦ TỊCH",
	"PHÓ CHỦ TỊCH",
	"Nguyễn Thị Hường",
}

// takedownLines are lines of the fixture takedown letter, with a parent
// body and two recipients.
var takedownLines = []string{
	"UBND TỈNH LAI CHÂU",
	"SỞ VĂN HÓA, THỂ THAO",
	"VÀ DU LỊCH",
	"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"Số: 123/SVHTTDL-TTBCXB",
	"Lai Châu, ngày 01 tháng 12 năm 2026",
	"Kính gửi: - Công ty Meta Platforms, Inc.;",
	"- Văn phòng đại diện Meta tại Việt Nam.",
	"Nơi nhận:",
	"- Lưu: VT, TTBCXB.",
	"KT. GIÁM ĐỐC",
	"PHÓ GIÁM ĐỐC",
	"Lò Văn Thắng",
}

// checkText checks that each wanted line is found within one line of text,
// that the text is NFC with no replacement characters, and that the
// columns of the heading and of the signature part stand side by side.
func checkText(t *testing.T, reader, text string, want []string, pairs [][2]string) {
	t.Helper()
	ls := lines(text)
	for _, w := range want {
		found := false
		for _, l := range ls {
			if strings.Contains(l, w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no line holds %q", reader, w)
		}
	}
	if !norm.NFC.IsNormalString(text) {
		t.Errorf("%s: the text is not NFC: diacritics came apart", reader)
	}
	if strings.ContainsRune(text, '\uFFFD') {
		t.Errorf("%s: the text holds U+FFFD: a character was lost", reader)
	}
	for _, p := range pairs {
		if !sideBySide(ls, p[0], p[1]) {
			t.Errorf("%s: %q and %q are not side by side on one line", reader, p[0], p[1])
		}
	}
	if t.Failed() {
		t.Logf("%s read:\n%s", reader, text)
	}
}

// sideBySide reports whether a line holds left and, after it, right.
func sideBySide(ls []string, left, right string) bool {
	for _, l := range ls {
		if i := strings.Index(l, left); i >= 0 && strings.Contains(l[i+len(left):], right) {
			return true
		}
	}
	return false
}

// The columns a reader must see side by side: the issuing body beside the
// national heading, the number beside the date line, "Nơi nhận" beside the
// signature block.
var escalationPairs = [][2]string{
	{"ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
	{"XÃ TÂN UYÊN", "Độc lập - Tự do - Hạnh phúc"},
	{"Số: 05/UBND-VHTT", "Tân Uyên, ngày 05 tháng 12 năm 2026"},
	{"Nơi nhận:", "KT. CHỦ TỊCH"},
	{"- Như trên;", "PHÓ CHỦ TỊCH"},
}

var takedownPairs = [][2]string{
	{"UBND TỈNH LAI CHÂU", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"},
	{"Số: 123/SVHTTDL-TTBCXB", "Lai Châu, ngày 01 tháng 12 năm 2026"},
	{"Nơi nhận:", "KT. GIÁM ĐỐC"},
}

// fixtureLetters returns the fixture escalation and takedown letters.
func fixtureLetters(t *testing.T) (esc, td documents.Letter) {
	t.Helper()
	c := fixtureCase(t)
	esc, err := documents.LetterForEscalation(c, escalationDispatch())
	if err != nil {
		t.Fatal(err)
	}
	td, err = documents.LetterForTakedown(c, c.Takedowns[0].ID, takedownDispatch())
	if err != nil {
		t.Fatal(err)
	}
	return esc, td
}

func TestPDFReadBack(t *testing.T) {
	tool(t, "pdftotext", "poppler-utils")
	pdfinfo := tool(t, "pdfinfo", "poppler-utils")
	pdffonts := tool(t, "pdffonts", "poppler-utils")
	esc, td := fixtureLetters(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		l     documents.Letter
		want  []string
		pairs [][2]string
	}{
		{"escalation.pdf", esc, escalationLines, escalationPairs},
		{"takedown.pdf", td, takedownLines, takedownPairs},
	} {
		b, err := documents.RenderPDF(tc.l)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := documents.RenderPDF(tc.l)
		if !bytes.Equal(b, again) {
			t.Errorf("%s: two renderings of one letter differ", tc.name)
		}
		p := writeFile(t, dir, tc.name, b)
		checkText(t, "pdftotext "+tc.name, pdfText(t, p), tc.want, tc.pairs)

		info := string(run(t, time.Minute, pdfinfo, p))
		if !regexp.MustCompile(`Page size:\s+595\.2\d x 841\.8\d pts \(A4\)`).MatchString(info) {
			t.Errorf("%s: not A4:\n%s", tc.name, info)
		}
		fonts := string(run(t, time.Minute, pdffonts, p))
		if !strings.Contains(strings.ToLower(fonts), "liberationserif") || regexp.MustCompile(`\sno\s+(yes|no)\s+(yes|no)\s`).MatchString(fonts) {
			t.Errorf("%s: fonts not all Liberation Serif, embedded:\n%s", tc.name, fonts)
		}
	}
}

// TestPDFPageNumbers: pages from the second carry their number at the top.
func TestPDFPageNumbers(t *testing.T) {
	esc, _ := fixtureLetters(t)
	b, err := documents.RenderPDF(esc)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writeFile(t, t.TempDir(), "letter.pdf", b))
	pages := strings.Split(text, "\f")
	if len(pages) < 3 { // two pages and what follows the last form feed
		t.Fatalf("the fixture letter has %d page(s); the test needs two", len(pages)-1)
	}
	if first := lines(pages[0]); first[0] == "1" {
		t.Errorf("page 1 carries a number")
	}
	if second := lines(pages[1]); second[0] != "2" {
		t.Errorf("page 2 starts with %q, not its number", second[0])
	}
}

// TestDOCXReadBack converts the DOCX letters with LibreOffice and reads the
// result with pdftotext: the conversion succeeds and holds the same lines,
// columns side by side, as the PDF.
func TestDOCXReadBack(t *testing.T) {
	soffice := tool(t, "soffice", "libreoffice-writer-nogui")
	tool(t, "pdftotext", "poppler-utils")
	esc, td := fixtureLetters(t)
	dir := t.TempDir()
	var files []string
	for name, l := range map[string]documents.Letter{"escalation.docx": esc, "takedown.docx": td} {
		b, err := documents.RenderDOCX(l, documents.Options{})
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, writeFile(t, dir, name, b))
	}
	// A profile of its own, so a LibreOffice already running elsewhere does
	// not take the conversion over (or refuse it).
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir}, files...)
	out := run(t, 5*time.Minute, soffice, args...)
	for _, tc := range []struct {
		name  string
		want  []string
		pairs [][2]string
	}{
		{"escalation", escalationLines, escalationPairs},
		{"takedown", takedownLines, takedownPairs},
	} {
		p := filepath.Join(dir, tc.name+".pdf")
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("LibreOffice did not convert %s.docx: %v\n%s", tc.name, err, out)
		}
		checkText(t, "LibreOffice "+tc.name+".docx", pdfText(t, p), tc.want, tc.pairs)
	}
}

// TestSampleImage renders the fixture letter's first page to PNG with
// pdftoppm, as docs/images/cong-van-mau.png shows it (-update-image writes
// that file).
func TestSampleImage(t *testing.T) {
	pdftoppm := tool(t, "pdftoppm", "poppler-utils")
	esc, _ := fixtureLetters(t)
	b, err := documents.RenderPDF(esc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := writeFile(t, dir, "letter.pdf", b)
	run(t, time.Minute, pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", p, filepath.Join(dir, "page"))
	img, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("pdftoppm's page is no PNG: %v", err)
	}
	if cfg.Width != 662 || cfg.Height != 936 { // A4 at 80 dpi, rounded up
		t.Errorf("page image %dx%d, want 662x936 (A4 at 80 dpi)", cfg.Width, cfg.Height)
	}
	if *updateImage {
		out := filepath.Join("..", "docs", "images", "cong-van-mau.png")
		if err := os.WriteFile(out, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out)
	}
}

var wordBox = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)

// TestPDFMargins reads every word's box with pdftotext -bbox: nothing but
// the page number stands outside the decree's margins (left 30, right 15,
// top 20, bottom 20 mm), for the fixture and for a letter with long words,
// long names and many pages.
func TestPDFMargins(t *testing.T) {
	bin := tool(t, "pdftotext", "poppler-utils")
	esc, _ := fixtureLetters(t)
	long := validLetter()
	long.ParentBody = "Ủy ban nhân dân tỉnh Lai Châu"
	long.IssuingBody = "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu, Phòng Thông tin - Báo chí - Xuất bản"
	long.Subject = strings.Repeat("đề nghị xử lý thông tin sai sự thật ", 4)
	long.Recipients = []string{"Cục Phát thanh, truyền hình và thông tin điện tử, Bộ Văn hóa, Thể thao và Du lịch", "Công an tỉnh Lai Châu"}
	long.Paragraphs = nil
	for i := range 40 {
		long.Paragraphs = append(long.Paragraphs, fmt.Sprintf("Đoạn %d: https://www.facebook.com/%s/posts/%s rồi %s.",
			i, strings.Repeat("trang", 12), strings.Repeat("0123456789", 12), strings.Repeat("chữ ", 30)))
	}
	long.CarbonCopies = []string{"Như trên", "Ban Chỉ đạo 35 tỉnh và các sở, ban, ngành liên quan của tỉnh Lai Châu", "Lưu: VT, TTBCXB"}
	const mm = 72 / 25.4
	for name, l := range map[string]documents.Letter{"fixture": esc, "long": long} {
		b, err := documents.RenderPDF(l)
		if err != nil {
			t.Fatal(err)
		}
		p := writeFile(t, t.TempDir(), name+".pdf", b)
		boxes := wordBox.FindAllStringSubmatch(string(run(t, time.Minute, bin, "-bbox", p, "-")), -1)
		if len(boxes) < 50 {
			t.Fatalf("%s: pdftotext -bbox read %d words", name, len(boxes))
		}
		last := ""
		for _, m := range boxes {
			var x0, y0, x1, y1 float64
			fmt.Sscan(m[1]+" "+m[2]+" "+m[3]+" "+m[4], &x0, &y0, &x1, &y1)
			if y1 < 20*mm && regexp.MustCompile(`^[0-9]+$`).MatchString(m[5]) {
				continue // the page number, in the top margin
			}
			// 0.5 mm of slack for the glyphs' side bearings.
			if x0 < 30*mm-1.5 || x1 > (210-15)*mm+1.5 || y0 < 20*mm-1.5 || y1 > (297-20)*mm+1.5 {
				t.Errorf("%s: %q at (%.0f,%.0f)-(%.0f,%.0f) pt stands in a margin", name, m[5], x0, y0, x1, y1)
			}
			last = m[5]
		}
		if want := strings.Fields(l.Signer.Name); last != want[len(want)-1] {
			t.Errorf("%s: the last word is %q, not the signer's name", name, last)
		}
	}
}
