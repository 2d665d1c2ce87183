package documents

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"casetrail/incident"
)

// RenderReportDOCX renders the narrative report of rep as a .docx (A4
// landscape), the same content as RenderReportPDF: the heading, place and
// date, title, the headline figures, the table (its header rows repeated
// on each page) and the notes. It is written by hand, like the letter
// (docx.go): word/document.xml is generated here; the other parts — the
// styles, fonts, settings and the page-number header of the default
// letter template — are the embedded template's, its document properties
// filled with the report's title.
func RenderReportDOCX(rep incident.PeriodicReport, h ReportHeading) ([]byte, error) {
	h, rep = normalizedReport(h, rep)
	doc := reportDocument(rep, h)
	props := TemplateData{
		Title:   plainText(ReportTitle + " " + ReportSubject(rep.Period)),
		Author:  plainText(strings.Join(bodyLines(h.IssuingBody), " ")),
		Created: h.Date.UTC().Format(time.RFC3339),
	}
	var names []string
	err := fs.WalkDir(templateFS, "template", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("render report docx: %w", err)
	}
	slices.SortFunc(names, func(a, b string) int {
		return strings.Compare(strings.Replace(a, "[", "\x00", 1), strings.Replace(b, "[", "\x00", 1))
	})
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	modified := h.Date.UTC().Truncate(2 * time.Second)
	for _, p := range names {
		name := strings.TrimPrefix(p, "template/")
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("render report docx: %w", err)
		}
		switch {
		case name == "word/document.xml":
			b = doc
		case templated(name):
			if b, err = fill(name, b, props); err != nil {
				return nil, fmt.Errorf("render report docx: %w", err)
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			return nil, fmt.Errorf("render report docx: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("render report docx: %w", err)
	}
	return out.Bytes(), nil
}

// The report's page in twips: A4 landscape and the PDF's margins.
var (
	rdPageW, rdPageH = twips(rPageW), twips(rPageH)
	rdTextW          = twips(rTextW)
	rdLeftW          = twips(rLeftColW)
	rdRightW         = rdTextW - rdLeftW
)

// wordDoc builds WordprocessingML.
type wordDoc struct{ b strings.Builder }

// run writes a run of text with run properties rpr ("<w:b/>" …).
func (d *wordDoc) run(text, rpr string) {
	d.b.WriteString("<w:r>")
	if rpr != "" {
		d.b.WriteString("<w:rPr>" + rpr + "</w:rPr>")
	}
	d.b.WriteString(`<w:t xml:space="preserve">` + wordText(text) + "</w:t></w:r>")
}

// para writes a paragraph of style (may be "") with more paragraph
// properties ppr and one run of text.
func (d *wordDoc) para(style, ppr, text, rpr string) {
	d.b.WriteString("<w:p><w:pPr>")
	if style != "" {
		d.b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
	}
	d.b.WriteString(ppr + "</w:pPr>")
	if text != "" {
		d.run(text, rpr)
	}
	d.b.WriteString("</w:p>")
}

// sz is a run's type size in points.
func sz(pt float64) string {
	h := strconv.Itoa(int(pt * 2))
	return `<w:sz w:val="` + h + `"/><w:szCs w:val="` + h + `"/>`
}

func reportDocument(rep incident.PeriodicReport, h ReportHeading) []byte {
	d := &wordDoc{}
	d.b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	d.b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>`)
	d.heading(h)
	d.para("CVSigner", `<w:spacing w:before="240" w:after="0"/>`, ReportTitle, sz(15))
	d.para("CVSigner", `<w:spacing w:after="0"/>`, ReportSubject(rep.Period), sz(13.5))
	d.para("CVSubject", `<w:spacing w:after="200"/>`, "("+ReportSpan(rep.Period)+")", "<w:i/>"+sz(12))
	for _, p := range ReportNarrative(rep) {
		d.para("CVBody", "", p, sz(13))
	}
	d.table(rep)
	for _, s := range reportNotes() {
		d.para("", `<w:spacing w:before="0" w:after="0"/>`, s, "<w:i/>"+sz(rSizeNote))
	}
	fmt.Fprintf(&d.b, `<w:sectPr><w:headerReference w:type="default" r:id="rId4"/><w:pgSz w:w="%d" w:h="%d" w:orient="landscape"/>`+
		`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="454" w:footer="454" w:gutter="0"/><w:titlePg/></w:sectPr>`,
		rdPageW, rdPageH, twips(rMarginTop), twips(rMarginRite), twips(rMarginBot), twips(rMarginLeft))
	d.b.WriteString(`</w:body></w:document>`)
	return []byte(d.b.String())
}

// heading writes the issuing body beside the national heading, and the
// date line under the latter.
func (d *wordDoc) heading(h ReportHeading) {
	fmt.Fprintf(&d.b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/>`+
		`<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>`+
		`<w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid><w:tr>`, rdTextW, rdLeftW, rdRightW)
	fmt.Fprintf(&d.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, rdLeftW)
	if lines := bodyLines(h.ParentBody); len(lines) > 0 {
		d.para("CVHeading", "", strings.Join(lines, "\n"), "")
	}
	d.para("CVHeading", "", strings.Join(bodyLines(h.IssuingBody), "\n"), "<w:b/>")
	indent := twips(rLeftColW * 0.3)
	fmt.Fprintf(&d.b, `<w:p><w:pPr><w:pStyle w:val="CVRule"/><w:ind w:left="%d" w:right="%d"/></w:pPr></w:p></w:tc>`, indent, indent)
	fmt.Fprintf(&d.b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>`, rdRightW)
	d.para("CVHeading", "", NationalName, "<w:b/>")
	d.para("CVMotto", "", Motto, "")
	motto := twips(rRightColW/2 - 42)
	fmt.Fprintf(&d.b, `<w:p><w:pPr><w:pStyle w:val="CVRule"/><w:ind w:left="%d" w:right="%d"/></w:pPr></w:p>`, motto, motto)
	d.para("CVDate", "", DateLine(h.Place, h.Date), "")
	d.b.WriteString(`</w:tc></w:tr></w:tbl>`)
}

// table writes the report's table: two header rows (repeated on every
// page), a row per report row and the totals in bold.
func (d *wordDoc) table(rep incident.PeriodicReport) {
	_, ws := tableCols()
	tw := make([]int, len(ws))
	for i, w := range ws {
		tw[i] = twips(w)
	}
	border := `<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
		`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>`
	fmt.Fprintf(&d.b, `<w:tbl><w:tblPr><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblBorders>%s</w:tblBorders>`+
		`<w:tblCellMar><w:left w:w="45" w:type="dxa"/><w:right w:w="45" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`, sum(tw), border)
	for _, w := range tw {
		fmt.Fprintf(&d.b, `<w:gridCol w:w="%d"/>`, w)
	}
	d.b.WriteString(`</w:tblGrid>`)

	head := "<w:b/>" + sz(rSizeTableHead)
	cell := func(width int, span int, vmerge, text, jc, rpr string) {
		d.b.WriteString(`<w:tc><w:tcPr>`)
		fmt.Fprintf(&d.b, `<w:tcW w:w="%d" w:type="dxa"/>`, width)
		if span > 1 {
			fmt.Fprintf(&d.b, `<w:gridSpan w:val="%d"/>`, span)
		}
		if vmerge != "" {
			d.b.WriteString(vmerge)
		}
		d.b.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
		d.para("", `<w:spacing w:before="20" w:after="20"/><w:jc w:val="`+jc+`"/>`, text, rpr)
		d.b.WriteString(`</w:tc>`)
	}
	restart, cont := `<w:vMerge w:val="restart"/>`, `<w:vMerge/>`
	for hr := 0; hr < 2; hr++ {
		d.b.WriteString(`<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		for c, s := range []string{reportNumberHead, reportUnitHead} {
			if hr == 0 {
				cell(tw[c], 1, restart, s, "center", head)
			} else {
				cell(tw[c], 1, cont, "", "center", head)
			}
		}
		for i := 0; i < len(reportColumns); {
			c := reportColumns[i]
			if c.Group == "" {
				if hr == 0 {
					cell(tw[2+i], 1, restart, c.Head, "center", head)
				} else {
					cell(tw[2+i], 1, cont, "", "center", head)
				}
				i++
				continue
			}
			j := i
			for j < len(reportColumns) && reportColumns[j].Group == c.Group {
				if hr == 1 {
					cell(tw[2+j], 1, "", reportColumns[j].Head, "center", head)
				}
				j++
			}
			if hr == 0 {
				cell(sum(tw[2+i:2+j]), j-i, "", c.Group, "center", head)
			}
			i = j
		}
		d.b.WriteString(`</w:tr>`)
	}
	row := func(n, label string, r incident.ReportRow, bold bool) {
		rpr := sz(rSizeTable)
		if bold {
			rpr = "<w:b/>" + rpr
		}
		d.b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		cell(tw[0], 1, "", n, "center", rpr)
		cell(tw[1], 1, "", label, "left", rpr)
		for i, c := range reportColumns {
			cell(tw[2+i], 1, "", c.cellText(r), "right", rpr)
		}
		d.b.WriteString(`</w:tr>`)
	}
	for i, r := range rep.Rows {
		row(strconv.Itoa(i+1), rowLabel(r), r, false)
	}
	row("", reportTotalLabel, rep.Totals, true)
	d.b.WriteString(`</w:tbl>`)
	d.para("", `<w:spacing w:before="0" w:after="120"/>`, "", "")
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}
