package documents

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"casetrail/incident"
)

// ReportSheet is the name of the XLSX report's sheet.
const ReportSheet = "Báo cáo"

// The rows of the XLSX report: the title, the unit and span, a blank row,
// the two header rows, then a row per report row and the totals.
const (
	xlsxTitleRow  = 1
	xlsxHeaderRow = 5 // and xlsxHeaderRow+1
	xlsxFirstRow  = 7
)

// RenderReportXLSX renders rep as an XLSX workbook (github.com/xuri/excelize)
// of one sheet, ReportSheet: the title, the unit, period and when the
// figures were taken, two header rows in Vietnamese (the column groups
// above their columns), a row per sub-unit (and the unit's own cases), the
// totals row in bold holding the report's totals as values, then the notes
// on what each column counts. Counts are numbers, the deadline-met ratio a
// number formatted as a percentage, the median hours a number with one
// decimal; a figure the report does not have (no deadline settled, no case
// resolved) is an empty cell.
func RenderReportXLSX(rep incident.PeriodicReport, h ReportHeading) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ReportSheet); err != nil {
		return nil, fmt.Errorf("render xlsx: %w", err)
	}
	x := &xlsxWriter{f: f}
	ncol := 2 + len(reportColumns)
	last := cellName(ncol, 1)[:len(cellName(ncol, 1))-1]

	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	font := func(size float64, bold, italic bool) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Size: size, Bold: bold, Italic: italic}
	}
	title := x.style(&excelize.Style{Font: font(14, true, false), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	sub := x.style(&excelize.Style{Font: font(12, false, true), Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}})
	head := x.style(&excelize.Style{Font: font(11, true, false), Border: border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	text := x.style(&excelize.Style{Font: font(11, false, false), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	textBold := x.style(&excelize.Style{Font: font(11, true, false), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	num := func(bold bool, numFmt int, custom string) int {
		s := &excelize.Style{Font: font(11, bold, false), Border: border, NumFmt: numFmt, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}
		if custom != "" {
			s.CustomNumFmt = &custom
		}
		return x.style(s)
	}
	styles := map[bool]map[reportValue]int{}
	for _, bold := range []bool{false, true} {
		styles[bold] = map[reportValue]int{valueCount: num(bold, 3, ""), valuePercent: num(bold, 0, "0.0%"), valueHours: num(bold, 0, "0.0")}
	}
	note := x.style(&excelize.Style{Font: font(10, false, true), Alignment: &excelize.Alignment{WrapText: false}})
	if x.err != nil {
		return nil, fmt.Errorf("render xlsx: %w", x.err)
	}

	x.set(1, xlsxTitleRow, ReportTitle+" "+strings.ToUpper(ReportSubject(rep.Period)), title)
	x.merge("A1", last+"1")
	x.set(1, 2, h.IssuingLine(rep)+" – "+ReportSpan(rep.Period), sub)
	x.merge("A2", last+"2")
	x.set(1, 3, DateLine(h.Place, h.Date)+"; số liệu «cuối kỳ» tính đến "+timeText(rep.AsOf), sub)
	x.merge("A3", last+"3")

	// Headers: TT and Đơn vị span both rows, as does a column without a
	// group; a group spans its columns on the first row.
	hr := xlsxHeaderRow
	for c, s := range []string{reportNumberHead, reportUnitHead} {
		x.set(c+1, hr, s, head)
		x.set(c+1, hr+1, "", head)
		x.merge(cellName(c+1, hr), cellName(c+1, hr+1))
	}
	for i := 0; i < len(reportColumns); {
		c := reportColumns[i]
		col := 3 + i
		if c.Group == "" {
			x.set(col, hr, c.Head, head)
			x.set(col, hr+1, "", head)
			x.merge(cellName(col, hr), cellName(col, hr+1))
			i++
			continue
		}
		j := i
		for j < len(reportColumns) && reportColumns[j].Group == c.Group {
			x.set(3+j, hr, "", head)
			x.set(3+j, hr+1, reportColumns[j].Head, head)
			j++
		}
		x.set(col, hr, c.Group, head)
		x.merge(cellName(col, hr), cellName(3+j-1, hr))
		i = j
	}

	row := xlsxFirstRow
	put := func(n string, label string, r incident.ReportRow, bold bool) {
		labelStyle := text
		if bold {
			labelStyle = textBold
		}
		x.set(1, row, n, labelStyle)
		x.set(2, row, label, labelStyle)
		for i, c := range reportColumns {
			if v, ok := c.get(r); ok {
				x.setFloat(3+i, row, v, styles[bold][c.kind])
			} else {
				x.set(3+i, row, "", styles[bold][c.kind])
			}
		}
		row++
	}
	for i, r := range rep.Rows {
		put(fmt.Sprint(i+1), rowLabel(r), r, false)
	}
	put("", reportTotalLabel, rep.Totals, true)

	row++
	for _, s := range reportNotes() {
		x.set(1, row, s, note)
		row++
	}

	x.width("A", "A", 5)
	x.width("B", "B", 34)
	for i, c := range reportColumns {
		w := 11.0
		if c.Group == "" || c.kind != valueCount {
			w = 13
		}
		col := cellName(3+i, 1)
		col = col[:len(col)-1]
		x.width(col, col, w)
	}
	x.height(xlsxTitleRow, 36)
	x.height(hr, 32)
	x.height(hr+1, 62)
	if x.err == nil {
		x.err = f.SetPanes(ReportSheet, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: hr + 1, TopLeftCell: cellName(3, hr+2), ActivePane: "bottomRight"})
	}
	if x.err == nil {
		orientation, fit := "landscape", 1
		x.err = f.SetPageLayout(ReportSheet, &excelize.PageLayoutOptions{Orientation: &orientation, FitToWidth: &fit})
	}
	if x.err == nil {
		x.err = f.SetDocProps(&excelize.DocProperties{Title: ReportTitle + " " + ReportSubject(rep.Period), Creator: "CaseTrail",
			Subject: rep.Unit.Name, Language: "vi-VN", Created: rep.MadeAt.UTC().Format("2006-01-02T15:04:05Z")})
	}
	if x.err != nil {
		return nil, fmt.Errorf("render xlsx: %w", x.err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("render xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// IssuingLine names who reports: "UBND TỈNH LAI CHÂU – Tân Uyên".
func (h ReportHeading) IssuingLine(rep incident.PeriodicReport) string {
	body := oneLine(h.IssuingBody)
	if body == "" || body == rep.Unit.Name {
		return "Đơn vị báo cáo: " + rep.Unit.Name
	}
	return "Đơn vị báo cáo: " + rep.Unit.Name + " (" + body + ")"
}

// xlsxWriter keeps the first error of a sequence of excelize calls.
type xlsxWriter struct {
	f   *excelize.File
	err error
}

func cellName(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func (x *xlsxWriter) style(s *excelize.Style) int {
	if x.err != nil {
		return 0
	}
	id, err := x.f.NewStyle(s)
	x.err = err
	return id
}

func (x *xlsxWriter) set(col, row int, v any, style int) {
	if x.err != nil {
		return
	}
	cell := cellName(col, row)
	if x.err = x.f.SetCellValue(ReportSheet, cell, v); x.err == nil {
		x.err = x.f.SetCellStyle(ReportSheet, cell, cell, style)
	}
}

// setFloat writes v with every digit it needs (not Excel's 15).
func (x *xlsxWriter) setFloat(col, row int, v float64, style int) {
	if x.err != nil {
		return
	}
	cell := cellName(col, row)
	if x.err = x.f.SetCellFloat(ReportSheet, cell, v, -1, 64); x.err == nil {
		x.err = x.f.SetCellStyle(ReportSheet, cell, cell, style)
	}
}

func (x *xlsxWriter) merge(a, b string) {
	if x.err == nil {
		x.err = x.f.MergeCell(ReportSheet, a, b)
	}
}

func (x *xlsxWriter) width(a, b string, w float64) {
	if x.err == nil {
		x.err = x.f.SetColWidth(ReportSheet, a, b, w)
	}
}

func (x *xlsxWriter) height(row int, h float64) {
	if x.err == nil {
		x.err = x.f.SetRowHeight(ReportSheet, row, h)
	}
}
