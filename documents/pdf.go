package documents

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// Page geometry and type sizes of Decree 30/2020/NĐ-CP, Appendix I: A4;
// margins top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; national
// name 12–13 pt bold, motto 13–14 pt bold, bodies 12–13 pt, number 13 pt,
// summary 12–13 pt, body text 13–14 pt with a 1–1.27 cm first-line indent
// and at least 6 pt between paragraphs, "Nơi nhận:" 12 pt bold italic and
// its list 11 pt, the signature block 13–14 pt bold. Lengths in mm.
const (
	pageW, pageH            = 210.0, 297.0
	marginTop, marginBottom = 20.0, 20.0
	marginLeft, marginRight = 30.0, 15.0
	textW                   = pageW - marginLeft - marginRight

	// The two columns of the heading and of the signature part: the issuing
	// body, number, summary and "Nơi nhận" left; the national heading, date
	// line and signature block right.
	leftColW  = 68.0
	rightColX = marginLeft + leftColW
	rightColW = textW - leftColW

	sizeBody       = 14.0
	sizeHeading    = 13.0 // national name; parent and issuing bodies
	sizeMotto      = 14.0
	sizeNumber     = 13.0
	sizeSubject    = 13.0
	sizeCopiesHead = 12.0
	sizeCopies     = 11.0
	sizeSigner     = 14.0
	sizePageNumber = 13.0

	ptMM           = 25.4 / 72
	lineFactor     = 1.2      // line height per type size (single spacing)
	firstIndent    = 12.7     // first-line indent of body paragraphs
	paraGap        = 6 * ptMM // space after a body paragraph
	salutationGap  = 5.0      // space between "Kính gửi" and the body
	ruleWidth      = 0.3      // the rules under the bodies and the motto
	signatureSpace = 30.0     // room for the signature and the seal
	justifyFill    = 0.75     // a line fuller than this is justified
	family         = "LiberationSerif"
)

// lineH returns the line height of type size pt.
func lineH(pt float64) float64 { return pt * ptMM * lineFactor }

// RenderPDF renders l as a PDF on A4 in the layout of Decree 30/2020/NĐ-CP,
// Appendix I, with Liberation Serif embedded (subset). Pages from the second
// carry their number at the top. The same letter gives the same bytes.
func RenderPDF(l Letter) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	l = l.normalized()
	f := newFpdf("", "B", "I", "BI")
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetCellMargin(0)
	f.SetLineWidth(ruleWidth)
	f.SetTitle(l.numberLine()+" "+SubjectLine(l.Subject), true)
	f.SetAuthor(strings.Join(bodyLines(l.IssuingBody), " "), true)
	f.SetCreator("CaseTrail", true)
	f.SetLang("vi-VN")
	f.SetCreationDate(l.Date.In(Vietnam))
	f.SetModificationDate(l.Date.In(Vietnam))
	f.SetCatalogSort(true)

	w := &pdfWriter{f: f, draft: l.Draft}
	f.SetHeaderFuncMode(w.pageHeader, false)
	w.newPage()
	w.heading(l)
	w.salutation(l)
	w.body(l)
	w.signature(l)

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// newFpdf returns an A4 document in millimetres with the Liberation Serif
// styles given ("", "B", "I", "BI") loaded.
func newFpdf(styles ...string) *fpdf.Fpdf {
	faces := map[string][]byte{"": serifRegular, "B": serifBold, "I": serifItalic, "BI": serifBoldItalic}
	f := fpdf.New("P", "mm", "A4", "")
	for _, st := range styles {
		f.AddUTF8FontFromBytes(family, st, faces[st])
	}
	return f
}

// salutationLayout places the "Kính gửi:" block, centred on the text width
// by its widest line: it returns the x of "Kính gửi:" (from the left
// margin), the label's width and the width left for the recipients. The
// current font must be the body's.
func salutationLayout(f *fpdf.Fpdf, lines []string) (x, labelW, avail float64) {
	labelW = f.GetStringWidth(Salutation + " ")
	avail = textW - labelW - 20
	widest := 0.0
	for _, s := range lines {
		widest = max(widest, min(f.GetStringWidth(s), avail))
	}
	return (textW - labelW - widest) / 2, labelW, avail
}

// pdfWriter lays a letter out top to bottom; y is the top of the next line.
type pdfWriter struct {
	f     *fpdf.Fpdf
	y     float64
	draft bool // mark each page DỰ THẢO
}

func (w *pdfWriter) font(style string, pt float64) { w.f.SetFont(family, style, pt) }

func (w *pdfWriter) newPage() {
	w.f.AddPage()
	w.y = marginTop
}

// room starts a new page unless h more millimetres fit on this one.
func (w *pdfWriter) room(h float64) {
	if w.y+h > pageH-marginBottom {
		w.newPage()
	}
}

// pageHeader prints what the top margin carries: a draft's mark, the page
// number.
func (w *pdfWriter) pageHeader() {
	w.draftMark()
	w.pageNumber()
}

// draftMark prints DraftMark in a frame at the right of a draft's top
// margin.
func (w *pdfWriter) draftMark() {
	if !w.draft {
		return
	}
	w.font("B", sizePageNumber)
	h := lineH(sizePageNumber)
	mw := w.f.GetStringWidth(DraftMark) + 4
	w.f.SetXY(pageW-marginRight-mw, marginTop-h-3)
	w.f.CellFormat(mw, h, DraftMark, "1", 0, "C", false, 0, "")
}

// pageNumber prints the page number, centred in the top margin, from page 2.
func (w *pdfWriter) pageNumber() {
	if w.f.PageNo() < 2 {
		return
	}
	w.font("", sizePageNumber)
	w.f.SetXY(marginLeft, marginTop-lineH(sizePageNumber)-3)
	w.f.CellFormat(textW, lineH(sizePageNumber), strconv.Itoa(w.f.PageNo()), "", 0, "C", false, 0, "")
}

// cell prints s in the box of width cw at (x, y), aligned "L", "C", "R" or
// "J", and returns the y below it.
func (w *pdfWriter) cell(s string, x, y, cw, h float64, align string) float64 {
	w.f.SetXY(x, y)
	w.f.CellFormat(cw, h, s, "", 0, align, false, 0, "")
	return y + h
}

// centred prints lines centred in the column (x, cw) from y down, in the
// current font, wrapping any too wide; it returns the y below and the width
// of the last line.
func (w *pdfWriter) centred(lines []string, x, cw, y, h float64) (float64, float64) {
	var last float64
	for _, s := range lines {
		for _, tl := range w.balanced(s, cw) {
			y = w.cell(tl.s, x, y, cw, h, "C")
			last = w.f.GetStringWidth(tl.s)
		}
	}
	return y, last
}

// rule draws a horizontal rule of length n centred in the column (x, cw).
func (w *pdfWriter) rule(x, cw, y, n float64) {
	x += (cw - n) / 2
	w.f.Line(x, y, x+n, y)
}

// heading prints the two columns of the heading (issuing body | national
// heading), then the number beside the place and date, then the summary
// under the number.
func (w *pdfWriter) heading(l Letter) {
	top := w.y
	y := top
	if l.ParentBody != "" {
		w.font("", sizeHeading)
		y, _ = w.centred(bodyLines(l.ParentBody), marginLeft, leftColW, y, lineH(sizeHeading))
	}
	w.font("B", sizeHeading)
	y, last := w.centred(bodyLines(l.IssuingBody), marginLeft, leftColW, y, lineH(sizeHeading))
	y += 0.8
	w.rule(marginLeft, leftColW, y, last*0.4) // 1/3 to 1/2 of the line above

	r := top
	w.font("B", sizeHeading)
	r, _ = w.centred([]string{NationalName}, rightColX, rightColW, r, lineH(sizeHeading))
	w.font("B", sizeMotto)
	r, motto := w.centred([]string{Motto}, rightColX, rightColW, r, lineH(sizeMotto))
	r += 0.8
	w.rule(rightColX, rightColW, r, motto) // as long as the motto

	y = max(y, r) + 3
	w.font("", sizeNumber)
	left, _ := w.centred([]string{l.numberLine()}, marginLeft, leftColW, y, lineH(sizeBody))
	w.font("I", sizeBody)
	right, _ := w.centred([]string{l.dateLine()}, rightColX, rightColW, y, lineH(sizeBody))
	w.font("", sizeSubject)
	left, _ = w.centred([]string{SubjectLine(l.Subject)}, marginLeft, leftColW, left, lineH(sizeSubject))
	w.y = max(left, right) + 6
}

// salutation prints "Kính gửi:" and the recipients, the block centred on
// the text width; several recipients stand one under the other.
func (w *pdfWriter) salutation(l Letter) {
	w.font("", sizeBody)
	h := lineH(sizeBody)
	lines := RecipientLines(l.Recipients)
	x, labelW, avail := salutationLayout(w.f, lines)
	x += marginLeft
	w.room(h)
	w.cell(Salutation+" ", x, w.y, labelW, h, "L")
	for _, s := range lines {
		for i, tl := range w.wrap(s, avail, 0) {
			w.room(h)
			indent := 0.0
			if i > 0 && strings.HasPrefix(s, "- ") {
				indent = w.f.GetStringWidth("- ")
			}
			w.y = w.cell(tl.s, x+labelW+indent, w.y, avail-indent, h, "L")
		}
	}
	w.y += salutationGap
}

// body prints the paragraphs justified with a first-line indent.
func (w *pdfWriter) body(l Letter) {
	w.font("", sizeBody)
	h := lineH(sizeBody)
	for n, p := range l.Paragraphs {
		lines := w.wrap(p, textW, firstIndent)
		if strings.HasSuffix(strings.TrimSpace(p), ":") && n+1 < len(l.Paragraphs) {
			w.room(float64(len(lines)+1) * h) // a list's lead stays with its first item
		}
		for i, tl := range lines {
			w.room(h)
			x, cw := marginLeft, textW
			if i == 0 {
				x, cw = x+firstIndent, cw-firstIndent
			}
			align := "L"
			if tl.justify {
				align = "J"
			}
			w.y = w.cell(tl.s, x, w.y, cw, h, align)
		}
		w.y += paraGap
	}
}

// signature prints "Nơi nhận:" and its list on the left and the signature
// block on the right, side by side from the same line, both on one page.
func (w *pdfWriter) signature(l Letter) {
	copies := CarbonCopyLines(l.CarbonCopies)
	signer := SignerLines(l.Signer)
	hHead, hCopy, hSign := lineH(sizeCopiesHead), lineH(sizeCopies), lineH(sizeSigner)

	w.font("", sizeCopies)
	var copyLines []textLine
	for _, s := range copies {
		for i, tl := range w.wrap(s, leftColW-2, 0) {
			if i > 0 {
				tl.s = "  " + tl.s
			}
			copyLines = append(copyLines, tl)
		}
	}
	leftH := hHead + float64(len(copyLines))*hCopy
	rightH := float64(len(signer))*hSign + signatureSpace + hSign
	w.y += 2
	w.room(max(leftH, rightH))
	top := w.y

	w.font("BI", sizeCopiesHead)
	y := w.cell(CopiesTo, marginLeft, top, leftColW, hHead, "L")
	w.font("", sizeCopies)
	for _, tl := range copyLines {
		y = w.cell(tl.s, marginLeft, y, leftColW, hCopy, "L")
	}

	w.font("B", sizeSigner)
	r, _ := w.centred(signer, rightColX, rightColW, top, hSign)
	r, _ = w.centred([]string{l.Signer.Name}, rightColX, rightColW, r+signatureSpace, hSign)
	w.y = max(y, r)
}

// textLine is one line of a wrapped paragraph; justify is false for the
// last line of a paragraph and for lines left short by a long word.
type textLine struct {
	s       string
	justify bool
}

// wrap breaks s at spaces into lines no wider than width in the current
// font, the first line narrower by indent; "\n" forces a break. A URL that
// would leave a line half empty is broken after a "/"; a word wider than a
// whole line is cut between characters.
func (w *pdfWriter) wrap(s string, width, indent float64) []textLine {
	var out []textLine
	avail := func() float64 {
		if len(out) == 0 {
			return width - indent
		}
		return width
	}
	fits := func(s string) bool { return w.f.GetStringWidth(s) <= avail() }
	for _, seg := range strings.Split(s, "\n") {
		cur := ""
		for _, word := range strings.Fields(seg) {
			try := word
			if cur != "" {
				try = cur + " " + word
			}
			if fits(try) {
				cur = try
				continue
			}
			if cur != "" {
				if head, tail, ok := w.urlBreak(cur, word, avail()); ok {
					cur, word = cur+" "+head, tail
				}
				out = append(out, textLine{cur, w.f.GetStringWidth(cur) >= justifyFill*avail()})
				cur = ""
			}
			for !fits(word) {
				head, tail := w.cut(word, avail())
				out = append(out, textLine{head, false})
				word = tail
			}
			cur = word
		}
		out = append(out, textLine{cur, false})
	}
	return out
}

// urlBreak splits word after its last "/" that lets line + " " + head fit
// in width, when line alone would be less than justifyFill full and word is
// a URL; it keeps at least the scheme and host on the line.
func (w *pdfWriter) urlBreak(line, word string, width float64) (head, tail string, ok bool) {
	if w.f.GetStringWidth(line) >= justifyFill*width || !strings.Contains(word, "://") {
		return "", "", false
	}
	hostEnd := strings.Index(word, "://") + 3
	for i := len(word) - 1; i > hostEnd; i-- {
		if word[i] == '/' && w.f.GetStringWidth(line+" "+word[:i+1]) <= width {
			return word[:i+1], word[i+1:], i+1 < len(word)
		}
	}
	return "", "", false
}

// balanced wraps s for centring: in as few lines as wrap gives at width,
// the lines as even as the words allow.
func (w *pdfWriter) balanced(s string, width float64) []textLine {
	lines := w.wrap(s, width, 0)
	if len(lines) < 2 {
		return lines
	}
	lo, hi := 0.0, width
	for hi-lo > 0.5 {
		mid := (lo + hi) / 2
		if try := w.wrap(s, mid, 0); len(try) == len(lines) && !cutWords(s, try) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return w.wrap(s, hi, 0)
}

// cutWords reports whether wrapping s into lines cut a word.
func cutWords(s string, lines []textLine) bool {
	n := 0
	for _, l := range lines {
		n += len(strings.Fields(l.s))
	}
	return n != len(strings.Fields(s))
}

// cut splits word into the longest head no wider than width (at least one
// character) and the rest.
func (w *pdfWriter) cut(word string, width float64) (string, string) {
	end := 0
	for end < len(word) {
		_, size := utf8.DecodeRuneInString(word[end:])
		if end > 0 && w.f.GetStringWidth(word[:end+size]) > width {
			break
		}
		end += size
	}
	return word[:end], word[end:]
}
