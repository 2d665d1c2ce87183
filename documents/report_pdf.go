package documents

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

	"casetrail/incident"
)

// The report's page: A4 landscape (the table has twenty columns), the
// heading laid out as a letter's (Decree 30/2020/NĐ-CP, Appendix I) in the
// wider page. Lengths in mm.
const (
	rPageW, rPageH           = 297.0, 210.0
	rMarginTop, rMarginBot   = 15.0, 15.0
	rMarginLeft, rMarginRite = 20.0, 15.0
	rTextW                   = rPageW - rMarginLeft - rMarginRite
	rLeftColW                = 100.0
	rRightColX               = rMarginLeft + rLeftColW
	rRightColW               = rTextW - rLeftColW

	rSizeTable     = 9.0
	rSizeTableHead = 8.5
	rSizeNote      = 9.5
	rNumberColW    = 8.0
	rUnitColW      = 50.0
	rCellPad       = 0.8
)

// RenderReportPDF renders the narrative report of rep as a PDF on A4
// landscape with Liberation Serif embedded: the issuing body and the
// national heading, the place and date (h), the title "BÁO CÁO" and the
// period, the headline figures in words (ReportNarrative), the table with
// its two header rows (repeated on each page it runs to) and totals, and
// the notes on what each column counts. The same report and heading give
// the same bytes.
func RenderReportPDF(rep incident.PeriodicReport, h ReportHeading) ([]byte, error) {
	h, rep = normalizedReport(h, rep)
	f := fpdf.New("L", "mm", "A4", "")
	faces := map[string][]byte{"": serifRegular, "B": serifBold, "I": serifItalic, "BI": serifBoldItalic}
	for _, st := range []string{"", "B", "I", "BI"} {
		f.AddUTF8FontFromBytes(family, st, faces[st])
	}
	f.SetMargins(rMarginLeft, rMarginTop, rMarginRite)
	f.SetAutoPageBreak(false, rMarginBot)
	f.SetCellMargin(0)
	f.SetLineWidth(ruleWidth)
	f.SetTitle(ReportTitle+" "+ReportSubject(rep.Period), true)
	f.SetAuthor(strings.Join(bodyLines(h.IssuingBody), " "), true)
	f.SetCreator("CaseTrail", true)
	f.SetLang("vi-VN")
	f.SetCreationDate(h.Date.In(Vietnam))
	f.SetModificationDate(h.Date.In(Vietnam))
	f.SetCatalogSort(true)

	w := &reportPDF{pdfWriter: &pdfWriter{f: f}}
	f.SetHeaderFuncMode(w.pageNumber, false)
	w.newPage()
	w.heading(h)
	w.title(rep)
	w.narrative(rep)
	w.table(rep)
	w.notes()

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render report pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// normalizedReport returns h and rep with the texts they print NFC-normalized.
func normalizedReport(h ReportHeading, rep incident.PeriodicReport) (ReportHeading, incident.PeriodicReport) {
	n := norm.NFC.String
	h.ParentBody, h.IssuingBody, h.Place = n(h.ParentBody), n(h.IssuingBody), n(h.Place)
	rep.Unit.Name = n(rep.Unit.Name)
	rows := make([]incident.ReportRow, len(rep.Rows))
	for i, r := range rep.Rows {
		r.Unit.Name = n(r.Unit.Name)
		rows[i] = r
	}
	rep.Rows = rows
	rep.Totals.Unit.Name = n(rep.Totals.Unit.Name)
	return h, rep
}

// reportPDF lays the report out on landscape pages.
type reportPDF struct {
	*pdfWriter
}

func (w *reportPDF) newPage() {
	w.f.AddPage()
	w.y = rMarginTop
}

// room starts a new page unless h more millimetres fit on this one, and
// reports whether it did.
func (w *reportPDF) room(h float64) bool {
	if w.y+h > rPageH-rMarginBot {
		w.newPage()
		return true
	}
	return false
}

// pageNumber prints the page number in the top margin, from page 2.
func (w *reportPDF) pageNumber() {
	if w.f.PageNo() < 2 {
		return
	}
	w.font("", 11)
	w.f.SetXY(rMarginLeft, rMarginTop-lineH(11)-2)
	w.f.CellFormat(rTextW, lineH(11), strconv.Itoa(w.f.PageNo()), "", 0, "C", false, 0, "")
}

// heading prints the issuing body beside the national heading, then the
// place and date on the right.
func (w *reportPDF) heading(h ReportHeading) {
	top := w.y
	y := top
	if h.ParentBody != "" {
		w.font("", sizeHeading)
		y, _ = w.centred(bodyLines(h.ParentBody), rMarginLeft, rLeftColW, y, lineH(sizeHeading))
	}
	w.font("B", sizeHeading)
	y, last := w.centred(bodyLines(h.IssuingBody), rMarginLeft, rLeftColW, y, lineH(sizeHeading))
	y += 0.8
	w.rule(rMarginLeft, rLeftColW, y, last*0.4)

	r := top
	w.font("B", sizeHeading)
	r, _ = w.centred([]string{NationalName}, rRightColX, rRightColW, r, lineH(sizeHeading))
	w.font("B", sizeMotto)
	r, motto := w.centred([]string{Motto}, rRightColX, rRightColW, r, lineH(sizeMotto))
	r += 0.8
	w.rule(rRightColX, rRightColW, r, motto)

	w.y = max(y, r) + 3
	w.font("I", sizeBody)
	w.y, _ = w.centred([]string{DateLine(h.Place, h.Date)}, rRightColX, rRightColW, w.y, lineH(sizeBody))
	w.y += 4
}

// title prints "BÁO CÁO", the subject with the period and its span.
func (w *reportPDF) title(rep incident.PeriodicReport) {
	w.font("B", 15)
	w.y, _ = w.centred([]string{ReportTitle}, rMarginLeft, rTextW, w.y, lineH(15))
	w.font("B", sizeSubject+0.5)
	w.y, _ = w.centred([]string{ReportSubject(rep.Period)}, rMarginLeft+20, rTextW-40, w.y, lineH(sizeSubject+0.5))
	w.font("I", 12)
	w.y, _ = w.centred([]string{"(" + ReportSpan(rep.Period) + ")"}, rMarginLeft, rTextW, w.y, lineH(12))
	w.y += 4
}

// narrative prints the paragraphs of the headline figures, justified with
// a first-line indent.
func (w *reportPDF) narrative(rep incident.PeriodicReport) {
	w.font("", 13)
	lh := lineH(13)
	for _, p := range ReportNarrative(rep) {
		for i, tl := range w.wrap(p, rTextW, firstIndent) {
			w.room(lh)
			x, cw := rMarginLeft, rTextW
			if i == 0 {
				x, cw = x+firstIndent, cw-firstIndent
			}
			align := "L"
			if tl.justify {
				align = "J"
			}
			w.y = w.cell(tl.s, x, w.y, cw, lh, align)
		}
		w.y += 2
	}
	w.y += 3
}

// tableCols returns the x and width of each column: TT, Đơn vị, then the
// figures sharing what is left.
func tableCols() (xs, ws []float64) {
	figW := (rTextW - rNumberColW - rUnitColW) / float64(len(reportColumns))
	x := rMarginLeft
	for i := 0; i < 2+len(reportColumns); i++ {
		cw := figW
		switch i {
		case 0:
			cw = rNumberColW
		case 1:
			cw = rUnitColW
		}
		xs, ws = append(xs, x), append(ws, cw)
		x += cw
	}
	return xs, ws
}

// boxed prints lines centred (or aligned) in the box (x, y, cw, bh), the
// box framed, the lines vertically centred.
func (w *reportPDF) boxed(lines []string, x, y, cw, bh, lh float64, align string) {
	w.f.Rect(x, y, cw, bh, "D")
	ty := y + (bh-float64(len(lines))*lh)/2
	for _, s := range lines {
		w.f.SetXY(x+rCellPad, ty)
		w.f.CellFormat(cw-2*rCellPad, lh, s, "", 0, align, false, 0, "")
		ty += lh
	}
}

// lines wraps s to width in the current font.
func (w *reportPDF) lines(s string, width float64) []string {
	var out []string
	for _, tl := range w.wrap(s, width, 0) {
		out = append(out, tl.s)
	}
	return out
}

// header prints the table's two header rows at w.y.
func (w *reportPDF) header() {
	xs, ws := tableCols()
	lh := lineH(rSizeTableHead)
	w.font("B", rSizeTableHead)
	// The second row's height: its tallest head; the first row's: its
	// tallest group.
	h2, h1 := 0.0, 0.0
	for i, c := range reportColumns {
		n := float64(len(w.lines(c.Head, ws[2+i]-2*rCellPad)))
		if c.Group != "" {
			h2 = max(h2, n*lh)
		}
	}
	for i := 0; i < len(reportColumns); {
		c := reportColumns[i]
		j := i
		for j < len(reportColumns) && c.Group != "" && reportColumns[j].Group == c.Group {
			j++
		}
		if c.Group == "" {
			h := float64(len(w.lines(c.Head, ws[2+i]-2*rCellPad))) * lh
			h1 = max(h1, h-h2)
			i++
			continue
		}
		span := xs[2+j-1] + ws[2+j-1] - xs[2+i]
		h1 = max(h1, float64(len(w.lines(c.Group, span-2*rCellPad)))*lh)
		i = j
	}
	h1, h2 = h1+2*rCellPad, h2+2*rCellPad
	top := w.y
	for c, s := range []string{reportNumberHead, reportUnitHead} {
		w.boxed(w.lines(s, ws[c]-2*rCellPad), xs[c], top, ws[c], h1+h2, lh, "C")
	}
	for i := 0; i < len(reportColumns); {
		c := reportColumns[i]
		if c.Group == "" {
			w.boxed(w.lines(c.Head, ws[2+i]-2*rCellPad), xs[2+i], top, ws[2+i], h1+h2, lh, "C")
			i++
			continue
		}
		j := i
		for j < len(reportColumns) && reportColumns[j].Group == c.Group {
			w.boxed(w.lines(reportColumns[j].Head, ws[2+j]-2*rCellPad), xs[2+j], top+h1, ws[2+j], h2, lh, "C")
			j++
		}
		span := xs[2+j-1] + ws[2+j-1] - xs[2+i]
		w.boxed(w.lines(c.Group, span-2*rCellPad), xs[2+i], top, span, h1, lh, "C")
		i = j
	}
	w.y = top + h1 + h2
}

// table prints the header, a row per report row and the totals row in
// bold; a row that does not fit starts a page, under the header again.
func (w *reportPDF) table(rep incident.PeriodicReport) {
	xs, ws := tableCols()
	lh := lineH(rSizeTable)
	w.room(40)
	w.header()
	row := func(n, label string, r incident.ReportRow, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		w.font(style, rSizeTable)
		labels := w.lines(label, ws[1]-2*rCellPad)
		rh := float64(len(labels))*lh + 2*rCellPad
		if w.room(rh) {
			w.header()
			w.font(style, rSizeTable)
		}
		w.boxed([]string{n}, xs[0], w.y, ws[0], rh, lh, "C")
		w.boxed(labels, xs[1], w.y, ws[1], rh, lh, "L")
		for i, c := range reportColumns {
			w.boxed([]string{c.cellText(r)}, xs[2+i], w.y, ws[2+i], rh, lh, "R")
		}
		w.y += rh
	}
	for i, r := range rep.Rows {
		row(strconv.Itoa(i+1), rowLabel(r), r, false)
	}
	row("", reportTotalLabel, rep.Totals, true)
	w.y += 4
}

// notes prints what each column counts.
func (w *reportPDF) notes() {
	w.font("I", rSizeNote)
	lh := lineH(rSizeNote)
	for _, s := range reportNotes() {
		for i, tl := range w.wrap(s, rTextW, 0) {
			w.room(lh)
			x := rMarginLeft
			if i > 0 {
				x += 3
			}
			w.y = w.cell(tl.s, x, w.y, rTextW-(x-rMarginLeft), lh, "L")
		}
	}
}
