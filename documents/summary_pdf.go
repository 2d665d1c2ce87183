package documents

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Type sizes (pt) and widths (mm) of the case summary: the letters' page
// and margins (pdf.go), a smaller body so that a case's history reads as a
// list.
const (
	summaryTitleSize   = 16.0
	summaryNumberSize  = 14.0
	summarySectionSize = 13.0
	summaryBodySize    = 12.0
	summaryClosingSize = 11.0
	summaryLabelW      = 52.0 // the labels' column
	summaryItemIndent  = 5.0  // a list item's hanging indent
	summarySectionGap  = 4.0
)

// RenderSummaryPDF renders s on A4 with the letters' typeface (Liberation
// Serif, embedded), pages from the second numbered at the top. The same
// summary gives the same bytes.
func RenderSummaryPDF(s Summary) ([]byte, error) {
	if strings.TrimSpace(s.Number) == "" {
		return nil, fmt.Errorf("render summary: no case number")
	}
	s = s.normalized()
	f := newFpdf("", "B", "I", "BI")
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetCellMargin(0)
	f.SetTitle(SummaryTitle+" "+s.Number, true)
	f.SetCreator("CaseTrail", true)
	f.SetLang("vi-VN")
	f.SetCatalogSort(true)
	f.SetCreationDate(s.GeneratedAt.In(Vietnam))
	f.SetModificationDate(s.GeneratedAt.In(Vietnam))

	w := &pdfWriter{f: f}
	f.SetHeaderFuncMode(w.pageHeader, false)
	w.newPage()

	w.font("B", summaryTitleSize)
	w.y, _ = w.centred([]string{SummaryTitle}, marginLeft, textW, w.y, lineH(summaryTitleSize))
	w.font("B", summaryNumberSize)
	w.y, _ = w.centred([]string{s.Number}, marginLeft, textW, w.y, lineH(summaryNumberSize))
	if s.Title != "" {
		w.font("I", summarySectionSize)
		w.y, _ = w.centred([]string{s.Title}, marginLeft+10, textW-20, w.y+1, lineH(summarySectionSize))
	}
	w.y += 4
	w.f.Line(marginLeft+textW/3, w.y, marginLeft+2*textW/3, w.y)
	w.y += 4

	for i, sec := range s.Sections {
		w.summarySection(i+1, sec)
	}
	w.font("I", summaryClosingSize)
	h := lineH(summaryClosingSize)
	w.y += 2
	for _, line := range s.Closing {
		for _, tl := range w.wrap(line, textW, 0) {
			w.room(h)
			w.y = w.cell(tl.s, marginLeft, w.y, textW, h, "L")
		}
	}

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("render summary: %w", err)
	}
	return buf.Bytes(), nil
}

// summarySection prints section n: its heading, fields, items or note.
func (w *pdfWriter) summarySection(n int, sec SummarySection) {
	hh, h := lineH(summarySectionSize), lineH(summaryBodySize)
	w.room(hh + 2*h) // a heading stays with its first lines
	w.font("B", summarySectionSize)
	w.y = w.cell(fmt.Sprintf("%d. %s", n, sec.Title), marginLeft, w.y, textW, hh, "L")
	w.y += 1
	printed := false
	for _, fd := range sec.Fields {
		if strings.TrimSpace(fd.Value) == "" {
			continue
		}
		printed = true
		w.font("B", summaryBodySize)
		labels := w.wrap(fd.Label+":", summaryLabelW-2, 0)
		w.font("", summaryBodySize)
		values := w.wrap(fd.Value, textW-summaryLabelW, 0)
		if cutWords(fd.Value, values) {
			// A word too long for the column (a SHA-256): the value goes
			// under its label, across the page, so that it stays whole.
			w.summaryWide(labels, fd.Value)
			continue
		}
		w.room(float64(min(len(values), 3)) * h)
		for i := 0; i < max(len(labels), len(values)); i++ {
			w.room(h)
			if i < len(labels) {
				w.font("B", summaryBodySize)
				w.cell(labels[i].s, marginLeft, w.y, summaryLabelW-2, h, "L")
			}
			if i < len(values) {
				w.font("", summaryBodySize)
				w.cell(values[i].s, marginLeft+summaryLabelW, w.y, textW-summaryLabelW, h, "L")
			}
			w.y += h
		}
	}
	w.font("", summaryBodySize)
	for _, item := range sec.Items {
		printed = true
		lines := w.wrap(item, textW-summaryItemIndent, 0)
		w.room(float64(min(len(lines), 2)) * h)
		for i, tl := range lines {
			w.room(h)
			if i == 0 {
				w.cell("-", marginLeft, w.y, summaryItemIndent, h, "L")
			}
			w.y = w.cell(tl.s, marginLeft+summaryItemIndent, w.y, textW-summaryItemIndent, h, "L")
		}
		w.y += 0.8
	}
	if !printed && sec.Empty != "" {
		w.font("I", summaryBodySize)
		w.room(h)
		w.y = w.cell(sec.Empty, marginLeft, w.y, textW, h, "L")
	}
	w.y += summarySectionGap
}

// summaryWide prints a field's label lines, then its value indented
// under them across the text width.
func (w *pdfWriter) summaryWide(labels []textLine, value string) {
	h := lineH(summaryBodySize)
	w.font("", summaryBodySize)
	values := w.wrap(value, textW-summaryItemIndent, 0)
	w.room(float64(len(labels)+min(len(values), 2)) * h)
	w.font("B", summaryBodySize)
	for _, l := range labels {
		w.y = w.cell(l.s, marginLeft, w.y, textW, h, "L")
	}
	w.font("", summaryBodySize)
	for _, v := range values {
		w.room(h)
		w.y = w.cell(v.s, marginLeft+summaryItemIndent, w.y, textW-summaryItemIndent, h, "L")
	}
}

// normalized returns s with every text NFC-normalized.
func (s Summary) normalized() Summary {
	n := norm.NFC.String
	out := Summary{Number: n(s.Number), Title: n(s.Title), GeneratedAt: s.GeneratedAt}
	for _, sec := range s.Sections {
		ns := SummarySection{Title: n(sec.Title), Empty: n(sec.Empty)}
		for _, fd := range sec.Fields {
			ns.Fields = append(ns.Fields, SummaryField{n(fd.Label), n(fd.Value)})
		}
		for _, it := range sec.Items {
			ns.Items = append(ns.Items, n(it))
		}
		out.Sections = append(out.Sections, ns)
	}
	for _, c := range s.Closing {
		out.Closing = append(out.Closing, n(c))
	}
	return out
}
