package documents_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"

	"casetrail/documents"
)

const wordNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`

// docx builds a .docx from parts, in the order given (name, content, ...).
func docx(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, parts[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// document wraps paragraphs' XML in a word/document.xml.
func document(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wordNS + `><w:body>` + body + `</w:body></w:document>`
}

// unzip returns the parts of a .docx.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// paragraphs returns the text of each <w:p> of a part, <w:br/> as "\n", with
// the value of its <w:jc> if any ("text|both").
func paragraphs(t *testing.T, part []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(part))
	var out []string
	var cur strings.Builder
	jc := ""
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "p":
				cur.Reset()
				jc = ""
			case "t":
				inText = true
			case "br":
				cur.WriteString("\n")
			case "jc":
				for _, a := range x.Attr {
					if a.Name.Local == "val" {
						jc = a.Value
					}
				}
			}
		case xml.EndElement:
			switch x.Name.Local {
			case "t":
				inText = false
			case "p":
				s := cur.String()
				if jc != "" {
					s += "|" + jc
				}
				out = append(out, s)
			}
		case xml.CharData:
			if inText {
				cur.Write(x)
			}
		}
	}
}

func render(t *testing.T, l documents.Letter, tpl []byte) map[string][]byte {
	t.Helper()
	b, err := documents.RenderDOCX(l, documents.Options{Template: tpl})
	if err != nil {
		t.Fatal(err)
	}
	return unzip(t, b)
}

// TestTemplateSplitPlaceholders: Word splits what is typed into runs (a
// spelling mark, a change of format); the filler joins a placeholder again.
func TestTemplateSplitPlaceholders(t *testing.T) {
	tpl := docx(t, "word/document.xml", document(
		`<w:p><w:r><w:t xml:space="preserve">Số: {{.Num</w:t></w:r><w:proofErr w:type="spellStart"/>`+
			`<w:r><w:rPr><w:b/></w:rPr><w:t>ber}}/{</w:t></w:r><w:r><w:t>{.Sym</w:t></w:r><w:r><w:t>bol}} hết</w:t></w:r></w:p>`+
			`<w:p><w:r><w:t>{{if eq .Place &quot;Tân Uyên&quot;}}Đúng{{end}} {{if eq .Place “Tân Uyên”}}cũng đúng{{end}}</w:t></w:r></w:p>`))
	got := paragraphs(t, render(t, validLetter(), tpl)["word/document.xml"])
	want := []string{"Số: 05/UBND-VHTT hết", "Đúng cũng đúng"}
	if strings.Join(got, "¶") != strings.Join(want, "¶") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTemplateParagraphBlocks: a paragraph that is one {{range}} repeats
// with its formatting; one that is one {{if}} goes when the field is empty.
func TestTemplateParagraphBlocks(t *testing.T) {
	tpl := docx(t, "word/document.xml", document(
		`<w:p><w:r><w:t>{{if .ParentBody}}{{.ParentBody}}{{end}}</w:t></w:r></w:p>`+
			`<w:p><w:r><w:t>{{.IssuingBody}}</w:t></w:r></w:p>`+
			`<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:t>{{range .Paragraphs}}</w:t></w:r><w:r><w:t>{{.}}</w:t></w:r><w:r><w:t>{{end}}</w:t></w:r></w:p>`+
			`<w:p><w:r><w:t>{{range .CarbonCopies}}{{.}}{{end}} inline</w:t></w:r></w:p>`))
	l := validLetter()
	l.Paragraphs = []string{"Một.", "Hai < ba & \"bốn\"\ndòng mới.", "Trân trọng./."}
	got := paragraphs(t, render(t, l, tpl)["word/document.xml"])
	want := []string{
		"ỦY BAN NHÂN DÂN\nXÃ TÂN UYÊN",
		"Một.|both", "Hai < ba & \"bốn\"\ndòng mới.|both", "Trân trọng./.|both",
		"- Như trên;- Lưu: VT, VHTT. inline", // not the paragraph's whole text: stays inline
	}
	if strings.Join(got, "¶") != strings.Join(want, "¶") {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	l.ParentBody = "UBND tỉnh Lai Châu"
	if got := paragraphs(t, render(t, l, tpl)["word/document.xml"]); got[0] != "UBND TỈNH LAI CHÂU" {
		t.Errorf("parent body paragraph %q", got[0])
	}
}

// TestTemplateOfficeParts: an office's template keeps every part it has
// (letterhead image, its own header with placeholders, custom parts) and
// only the placeholders change.
func TestTemplateOfficeParts(t *testing.T) {
	logo := "\x89PNG\r\n\x1a\n not really a logo {{.Number}}"
	custom := `<?xml version="1.0"?><x>{{not a placeholder part}}</x>`
	tpl := docx(t,
		"[Content_Types].xml", `<?xml version="1.0"?><Types/>`,
		"word/document.xml", document(`<w:p><w:r><w:t>{{.NumberLine}}</w:t></w:r></w:p>`),
		"word/header1.xml", `<?xml version="1.0"?><w:hdr `+wordNS+`><w:p><w:r><w:t>{{.IssuingBody}} — {{.DateLine}}</w:t></w:r></w:p></w:hdr>`,
		"word/media/logo.png", logo,
		"customXml/item1.xml", custom,
	)
	parts := render(t, validLetter(), tpl)
	if string(parts["word/media/logo.png"]) != logo || string(parts["customXml/item1.xml"]) != custom {
		t.Errorf("a part without placeholders changed")
	}
	if got := paragraphs(t, parts["word/header1.xml"]); len(got) != 1 ||
		got[0] != "ỦY BAN NHÂN DÂN\nXÃ TÂN UYÊN — Tân Uyên, ngày 05 tháng 12 năm 2026" {
		t.Errorf("header %q", got)
	}
	if got := paragraphs(t, parts["word/document.xml"]); got[0] != "Số: 05/UBND-VHTT" {
		t.Errorf("document %q", got)
	}
}

func TestTemplateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		tpl  []byte
		want string
	}{
		{"not a zip", []byte("PK? no"), "not a .docx"},
		{"no document", docx(t, "word/styles.xml", "<x/>"), "no word/document.xml"},
		{"unknown field", docx(t, "word/document.xml", document(`<w:p><w:r><w:t>{{.Nope}}</w:t></w:r></w:p>`)),
			"word/document.xml"},
		{"unclosed action", docx(t, "word/document.xml", document(`<w:p><w:r><w:t>{{range .Paragraphs}}</w:t></w:r></w:p>`)),
			"word/document.xml"},
		{"broken XML", docx(t, "word/document.xml", document(`<w:p><w:r><w:t>{{.Number}}</w:r></w:p>`)),
			"not well-formed"},
	} {
		_, err := documents.RenderDOCX(validLetter(), documents.Options{Template: tc.tpl})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
	}
}

// TestDefaultTemplate: the default .docx is a Word document with A4 pages,
// the decree's margins, Times New Roman, and nothing left unfilled.
func TestDefaultTemplate(t *testing.T) {
	tpl := documents.DefaultTemplate()
	zr, err := zip.NewReader(bytes.NewReader(tpl), int64(len(tpl)))
	if err != nil {
		t.Fatal(err)
	}
	if zr.File[0].Name != "[Content_Types].xml" {
		t.Errorf("first part %s", zr.File[0].Name)
	}
	// Word refuses a document whose number attributes are not numbers: the
	// template an office opens has placeholders in its text only.
	exported := string(unzip(t, tpl)["word/document.xml"])
	if m := regexp.MustCompile(`="[^"]*\{\{[^"]*"`).FindString(exported); m != "" {
		t.Errorf("the exported template has a placeholder in an attribute: %s", m)
	}
	if !strings.Contains(exported, "{{.Number}}/{{.Symbol}}") {
		t.Errorf("the exported template lost its text placeholders")
	}
	// An office's template made from it renders the same lines.
	esc, _ := fixtureLetters(t)
	fromExported := strings.Join(paragraphs(t, render(t, esc, tpl)["word/document.xml"]), "\n")
	for _, want := range escalationLines {
		if !strings.Contains(fromExported, want) {
			t.Errorf("rendered from the exported template: no %q", want)
		}
	}
	b, err := documents.RenderDOCX(esc, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := documents.RenderDOCX(esc, documents.Options{})
	if !bytes.Equal(b, again) {
		t.Errorf("two renderings of one letter differ")
	}
	parts := unzip(t, b)
	doc := string(parts["word/document.xml"])
	for _, want := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`,                                 // A4
		`<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"`, // 20, 15, 20, 30 mm
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if strings.Contains(doc, "{{") {
		t.Errorf("document.xml keeps a placeholder")
	}
	if !strings.Contains(string(parts["word/styles.xml"]), `w:ascii="Times New Roman"`) {
		t.Errorf("styles.xml does not declare Times New Roman")
	}
	text := strings.Join(paragraphs(t, parts["word/document.xml"]), "\n")
	for _, want := range escalationLines {
		if !strings.Contains(text, want) {
			t.Errorf("document.xml lacks %q", want)
		}
	}
	if core := string(parts["docProps/core.xml"]); !strings.Contains(core, "<dc:title>Số: 05/UBND-VHTT V/v đề nghị") {
		t.Errorf("core.xml title: %s", core)
	}
}
