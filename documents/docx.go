package documents

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"
)

// The DOCX is the template filled in, by hand over archive/zip and
// text/template: the Go DOCX libraries served here (gomutex/godocx,
// fumiama/go-docx) build documents through their own object models and have
// no placeholders; reading an office's letterhead through them and writing
// it back would keep only what those models know. Here every part of the
// template is copied byte for byte except the parts that hold placeholders.

//go:embed all:template
var templateFS embed.FS

// Options are the choices of a DOCX rendering.
type Options struct {
	// Template is the office's .docx template (its letterhead, styles,
	// logo), with the placeholders of TemplateData typed in its text; nil
	// or empty means DefaultTemplate.
	Template []byte
}

// TemplateData is what a DOCX template's placeholders see: Go text/template
// actions typed in the document's text ({{.Number}}). A paragraph whose
// whole text is {{range .List}}…{{end}} is repeated for each item with the
// paragraph's formatting; one whose whole text is {{if .Field}}…{{end}} is
// left out when the field is empty. Word may split a placeholder across
// runs while it is typed; the filler joins it again. Placeholders are read
// in word/document.xml, word/header*.xml, word/footer*.xml and
// docProps/core.xml.
//
// Every string is ready to print: upper case where the decree asks for it,
// list hyphens and punctuation added, XML-escaped, a line break in a value
// a Word line break.
type TemplateData struct {
	ParentBody  string // "UBND TỈNH LAI CHÂU", or "" when none
	IssuingBody string // "ỦY BAN NHÂN DÂN" + line break + "XÃ TÂN UYÊN"
	Number      string // "05"
	Symbol      string // "UBND-VHTT"
	NumberLine  string // "Số: 05/UBND-VHTT"
	Place       string // "Tân Uyên"
	Day         string // "05" (the decree's zeros, see DateLine)
	Month       string // "12", "3", "02"
	Year        string // "2026"
	DateLine    string // "Tân Uyên, ngày 05 tháng 12 năm 2026"
	Subject     string // the summary, without "V/v"
	SubjectLine string // "V/v …"
	// FirstRecipient is the text after "Kính gửi: ": the one recipient, or
	// the first of several ("- Sở A;"); OtherRecipients are the rest
	// ("- Sở B."); Recipients all of them.
	FirstRecipient  string
	OtherRecipients []string
	Recipients      []string
	Paragraphs      []string
	CarbonCopies    []string // "- Như trên;" … "- Lưu: VT, VHTT."
	SignerLines     []string // "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
	SignerPrefix    string
	SignerAuthority string
	SignerTitle     string
	SignerName      string
	// Draft is DraftMark in a draft, "" otherwise; the default template
	// prints it in a paragraph of its own above the heading.
	Draft string
	// Document properties: title, author, date (W3CDTF).
	Title, Author, Created string
	// The default template's layout, in twips (1/1440 inch): the text and
	// column widths, the indents that centre the rules under the issuing
	// body (2/5 of its last line) and the motto (its length), the indent of
	// the "Kính gửi:" block and the width of its label, the space between
	// it and the body, the space left for the signature.
	TextWidth, LeftWidth, RightWidth   int
	IssuingRuleIndent, MottoRuleIndent int
	SalutationIndent, SalutationLabel  int
	SalutationGap, SignatureSpace      int
}

// DefaultTemplate returns the default template as an office starts from
// it: a .docx to open in Word, give its letterhead and pass back as
// Options.Template. Its text holds the placeholders; its layout numbers
// (the rules' and "Kính gửi" indents, which RenderDOCX fits to each letter
// with the embedded template) are fixed at values for a typical letter, so
// Word reads every attribute as a number.
func DefaultTemplate() []byte { return bytes.Clone(exportedTemplate()) }

// defaultTemplate is the embedded template as RenderDOCX uses it, layout
// numbers as placeholders too.
var defaultTemplate = sync.OnceValue(func() []byte { return zipTemplate(nil) })

var exportedTemplate = sync.OnceValue(func() []byte {
	d := templateData(Letter{IssuingBody: "Ủy ban nhân dân\nxã Tân Uyên",
		Recipients: []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"}})
	return zipTemplate(func(part []byte) []byte { return layoutNumbers(part, d) })
})

// attrPlaceholder is a placeholder that is a whole attribute value.
var attrPlaceholder = regexp.MustCompile(`="\{\{\$?\.(\w+)\}\}"`)

// layoutNumbers writes d's integer fields into the attribute placeholders
// of part.
func layoutNumbers(part []byte, d TemplateData) []byte {
	v := reflect.ValueOf(d)
	return attrPlaceholder.ReplaceAllFunc(part, func(m []byte) []byte {
		f := v.FieldByName(string(attrPlaceholder.FindSubmatch(m)[1]))
		if !f.IsValid() || f.Kind() != reflect.Int {
			return m
		}
		return fmt.Appendf(nil, `="%d"`, f.Int())
	})
}

// zipTemplate zips the embedded template's files, each through edit when
// it is not nil: [Content_Types].xml first, as Word writes it, then in name
// order.
func zipTemplate(edit func([]byte) []byte) []byte {
	var names []string
	err := fs.WalkDir(templateFS, "template", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		panic(err)
	}
	slices.SortFunc(names, func(a, b string) int {
		return strings.Compare(strings.Replace(a, "[", "\x00", 1), strings.Replace(b, "[", "\x00", 1))
	})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range names {
		b, err := templateFS.ReadFile(p)
		if err != nil {
			panic(err)
		}
		if edit != nil {
			b = edit(b)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{
			Name: strings.TrimPrefix(p, "template/"), Method: zip.Deflate,
			Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		})
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// RenderDOCX renders l as a .docx from o.Template (the default when none):
// the parts with placeholders filled with l's TemplateData, every other
// part copied as it is. A template that is no .docx, has no
// word/document.xml, names a field TemplateData lacks or does not give
// well-formed XML is refused with an error naming the part. The same letter
// and template give the same bytes.
func RenderDOCX(l Letter, o Options) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	l = l.normalized()
	tpl := o.Template
	if len(tpl) == 0 {
		tpl = defaultTemplate()
	}
	zr, err := zip.NewReader(bytes.NewReader(tpl), int64(len(tpl)))
	if err != nil {
		return nil, fmt.Errorf("docx template: not a .docx (zip) file: %w", err)
	}
	data := templateData(l)
	modified := l.Date.UTC().Truncate(2 * time.Second) // zip keeps even seconds
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	hasDocument := false
	for _, f := range zr.File {
		b, err := readZipFile(f)
		if err != nil {
			return nil, fmt.Errorf("docx template: %s: %w", f.Name, err)
		}
		if templated(f.Name) {
			hasDocument = hasDocument || f.Name == "word/document.xml"
			if b, err = fill(f.Name, b, data); err != nil {
				return nil, err
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modified})
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			return nil, fmt.Errorf("render docx: %w", err)
		}
	}
	if !hasDocument {
		return nil, errors.New("docx template: no word/document.xml; not a Word document")
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("render docx: %w", err)
	}
	return out.Bytes(), nil
}

func readZipFile(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

var templatedPart = regexp.MustCompile(`^(word/(document|header[0-9]*|footer[0-9]*)\.xml|docProps/core\.xml)$`)

func templated(name string) bool { return templatedPart.MatchString(name) }

// fill executes the part's placeholders with data and checks the result is
// well-formed XML.
func fill(name string, part []byte, data TemplateData) ([]byte, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(prepare(string(part)))
	if err != nil {
		return nil, fmt.Errorf("docx template %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("docx template %s: %w", name, err)
	}
	d := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("docx template %s: the filled part is not well-formed XML: %w", name, err)
		}
	}
	return buf.Bytes(), nil
}

// templateData is l as the template sees it.
func templateData(l Letter) TemplateData {
	day, month, year := l.dateParts()
	rec := RecipientLines(l.Recipients)
	number := fmt.Sprintf("%02d", l.Number)
	if l.Draft && l.Number == 0 {
		number = blank
	}
	d := TemplateData{
		ParentBody:      wordText(strings.Join(bodyLines(l.ParentBody), "\n")),
		IssuingBody:     wordText(strings.Join(bodyLines(l.IssuingBody), "\n")),
		Number:          number,
		Symbol:          wordText(l.Symbol),
		NumberLine:      wordText(l.numberLine()),
		Place:           wordText(l.Place),
		Day:             day,
		Month:           month,
		Year:            year,
		DateLine:        wordText(l.dateLine()),
		Subject:         wordText(strings.TrimPrefix(SubjectLine(l.Subject), "V/v ")),
		SubjectLine:     wordText(SubjectLine(l.Subject)),
		FirstRecipient:  wordText(rec[0]),
		OtherRecipients: wordTexts(rec[1:]),
		Recipients:      wordTexts(rec),
		Paragraphs:      wordTexts(l.Paragraphs),
		CarbonCopies:    wordTexts(CarbonCopyLines(l.CarbonCopies)),
		SignerLines:     wordTexts(SignerLines(l.Signer)),
		SignerPrefix:    wordText(l.Signer.Prefix),
		SignerAuthority: wordText(strings.ToUpper(l.Signer.Authority)),
		SignerTitle:     wordText(strings.ToUpper(l.Signer.Title)),
		SignerName:      wordText(l.Signer.Name),
		Draft:           draftText(l.Draft),
		Title:           plainText(l.numberLine() + " " + SubjectLine(l.Subject)),
		Author:          plainText(strings.Join(bodyLines(l.IssuingBody), " ")),
		Created:         l.Date.UTC().Format(time.RFC3339),
		TextWidth:       twips(textW),
		LeftWidth:       twips(leftColW),
		RightWidth:      twips(rightColW),
		SalutationGap:   twips(salutationGap),
		SignatureSpace:  twips(signatureSpace),
	}
	// The rules and the "Kính gửi:" block, measured as the PDF measures them.
	f := newFpdf("", "B")
	f.SetFont(family, "B", sizeHeading)
	last := 0.0
	if lines := bodyLines(l.IssuingBody); len(lines) > 0 {
		last = min(f.GetStringWidth(lines[len(lines)-1]), leftColW)
	}
	d.IssuingRuleIndent = twips((leftColW - 0.4*last) / 2)
	f.SetFont(family, "B", sizeMotto)
	d.MottoRuleIndent = twips((rightColW - f.GetStringWidth(Motto)) / 2)
	f.SetFont(family, "", sizeBody)
	x, labelW, _ := salutationLayout(f, rec)
	d.SalutationIndent, d.SalutationLabel = twips(x+labelW), twips(labelW)
	return d
}

// twips converts millimetres to twips.
func twips(mm float64) int { return int(math.Round(mm * 1440 / 25.4)) }

func wordTexts(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = wordText(s)
	}
	return out
}

// wordText escapes s for the content of a <w:t> element: XML escapes, a
// line break as <w:br/>, a tab as <w:tab/>, characters XML cannot hold
// dropped.
func wordText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n':
			b.WriteString(`</w:t><w:br/><w:t xml:space="preserve">`)
		case '\t':
			b.WriteString(`</w:t><w:tab/><w:t xml:space="preserve">`)
		default:
			escapeRune(&b, r)
		}
	}
	return b.String()
}

// plainText escapes s for XML text outside a paragraph, line breaks as spaces.
func plainText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\n' || r == '\t' {
			r = ' '
		}
		escapeRune(&b, r)
	}
	return b.String()
}

func escapeRune(b *strings.Builder, r rune) {
	switch {
	case r == '&':
		b.WriteString("&amp;")
	case r == '<':
		b.WriteString("&lt;")
	case r == '>':
		b.WriteString("&gt;")
	case r == '"':
		b.WriteString("&quot;")
	case r == '\'':
		b.WriteString("&apos;")
	case r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000:
		b.WriteRune(r)
	}
}

// The WordprocessingML the filler reads: paragraphs and their text nodes.
var (
	paraTag  = regexp.MustCompile(`<w:p(?:\s[^>]*)?>|</w:p>`)
	textNode = regexp.MustCompile(`(<w:t(?:\s[^>]*)?>)([^<]*)</w:t>`)
	action   = regexp.MustCompile(`\{\{-?\s*(.*?)\s*-?\}\}`)
)

// prepare readies a template part for text/template: in each paragraph
// (innermost ones; a text box's paragraphs inside another are left to
// themselves) it joins placeholders Word split across runs, undoes the XML
// escapes and typographic quotes inside them, and moves a paragraph-wide
// {{range}}/{{if}}/{{with}} … {{end}} outside the paragraph.
func prepare(doc string) string {
	type span struct{ start, end int }
	var leaves []span
	type open struct {
		start int
		child bool
	}
	var stack []open
	for _, m := range paraTag.FindAllStringIndex(doc, -1) {
		tag := doc[m[0]:m[1]]
		switch {
		case strings.HasSuffix(tag, "/>"): // an empty <w:p/>
		case strings.HasPrefix(tag, "</"):
			if len(stack) == 0 {
				continue
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !o.child {
				leaves = append(leaves, span{o.start, m[1]})
			}
			if len(stack) > 0 {
				stack[len(stack)-1].child = true
			}
		default:
			stack = append(stack, open{start: m[0]})
		}
	}
	var b strings.Builder
	last := 0
	for _, s := range leaves {
		b.WriteString(doc[last:s.start])
		b.WriteString(prepareParagraph(doc[s.start:s.end]))
		last = s.end
	}
	b.WriteString(doc[last:])
	return b.String()
}

// prepareParagraph does prepare's work on one paragraph.
func prepareParagraph(p string) string {
	nodes := textNode.FindAllStringSubmatchIndex(p, -1)
	if len(nodes) == 0 || !strings.Contains(p, "{") {
		return p
	}
	texts := make([]string, len(nodes))
	for i, m := range nodes {
		texts[i] = p[m[4]:m[5]]
	}
	joinSplitActions(texts)
	for i, t := range texts {
		texts[i] = action.ReplaceAllStringFunc(t, plainAction)
	}
	open, closing := liftable(strings.Join(texts, ""))
	if open != "" {
		removeOnce(texts, open, false)
		removeOnce(texts, closing, true)
	}
	var b strings.Builder
	last := 0
	for i, m := range nodes {
		b.WriteString(p[last:m[0]])
		tag := p[m[2]:m[3]]
		if strings.Contains(texts[i], "{{") && !strings.Contains(tag, "xml:space") {
			tag = strings.TrimSuffix(tag, ">") + ` xml:space="preserve">`
		}
		b.WriteString(tag + texts[i] + "</w:t>")
		last = m[1]
	}
	b.WriteString(p[last:])
	if open != "" {
		return open + b.String() + closing
	}
	return b.String()
}

// joinSplitActions moves each {{…}} that spans several text nodes whole
// into the node where it starts.
func joinSplitActions(texts []string) {
	for pos := 0; ; {
		joined := strings.Join(texts, "")
		a := strings.Index(joined[pos:], "{{")
		if a < 0 {
			return
		}
		a += pos
		e := strings.Index(joined[a+2:], "}}")
		if e < 0 {
			return
		}
		end := a + 2 + e + 2
		first, last := nodeAt(texts, a), nodeAt(texts, end-1)
		if first != last {
			startOff, endOff := offsetOf(texts, first), offsetOf(texts, last)
			texts[first] = texts[first][:a-startOff] + joined[a:end]
			for k := first + 1; k < last; k++ {
				texts[k] = ""
			}
			texts[last] = texts[last][end-endOff:]
		}
		pos = end
	}
}

func offsetOf(texts []string, i int) int {
	n := 0
	for _, t := range texts[:i] {
		n += len(t)
	}
	return n
}

// nodeAt returns the index of the text holding byte pos of their join.
func nodeAt(texts []string, pos int) int {
	n := 0
	for i, t := range texts {
		if pos < n+len(t) {
			return i
		}
		n += len(t)
	}
	return len(texts) - 1
}

// plainAction undoes inside an action what Word did to it as text: XML
// escapes and typographic quotes.
func plainAction(a string) string {
	a = html.UnescapeString(a)
	return strings.NewReplacer("“", `"`, "”", `"`, "„", `"`, "‘", "'", "’", "'").Replace(a)
}

// liftable returns the opening action and the closing {{end}} of a paragraph
// whose whole text is one {{range}}, {{if}} or {{with}} block.
func liftable(text string) (string, string) {
	text = strings.TrimSpace(text)
	ms := action.FindAllStringSubmatchIndex(text, -1)
	if len(ms) < 2 || ms[0][0] != 0 || ms[len(ms)-1][1] != len(text) {
		return "", ""
	}
	keyword := func(m []int) string {
		if f := strings.Fields(text[m[2]:m[3]]); len(f) > 0 {
			return f[0]
		}
		return ""
	}
	switch keyword(ms[0]) {
	case "range", "if", "with":
	default:
		return "", ""
	}
	depth := 0
	for i, m := range ms {
		switch keyword(m) {
		case "range", "if", "with", "block", "define":
			depth++
		case "end":
			depth--
			if depth == 0 && i != len(ms)-1 {
				return "", "" // the block closes before the paragraph does
			}
		}
	}
	if depth != 0 {
		return "", ""
	}
	return text[ms[0][0]:ms[0][1]], text[ms[len(ms)-1][0]:ms[len(ms)-1][1]]
}

// removeOnce removes the first (or, fromEnd, the last) occurrence of s
// from the texts.
func removeOnce(texts []string, s string, fromEnd bool) {
	if fromEnd {
		for i := len(texts) - 1; i >= 0; i-- {
			if j := strings.LastIndex(texts[i], s); j >= 0 {
				texts[i] = texts[i][:j] + texts[i][j+len(s):]
				return
			}
		}
		return
	}
	for i, t := range texts {
		if j := strings.Index(t, s); j >= 0 {
			texts[i] = t[:j] + t[j+len(s):]
			return
		}
	}
}

// draftText is TemplateData.Draft.
func draftText(draft bool) string {
	if draft {
		return DraftMark
	}
	return ""
}
