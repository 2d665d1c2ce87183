package documents

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"casetrail/incident"
)

// RenderReportCSV renders rep's table as CSV for a spreadsheet: UTF-8 with
// a byte order mark (so Excel reads the diacritics), comma-separated, one
// header row ("Mã đơn vị", "Đơn vị", then each column as "group – head"), a
// row per report row and the totals ("Tổng cộng"). Figures are plain
// numbers as the API gives them: counts, the deadline-met ratio between 0
// and 1, the median in hours; an empty field where the report has none.
func RenderReportCSV(rep incident.PeriodicReport) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	head := []string{"Mã đơn vị", reportUnitHead}
	for _, c := range reportColumns {
		h := c.Head
		if c.Group != "" {
			h = c.Group + " – " + c.Head
		}
		switch c.kind {
		case valuePercent:
			h += " (0–1)"
		}
		head = append(head, h)
	}
	rows := [][]string{head}
	line := func(id, label string, r incident.ReportRow) []string {
		out := []string{id, label}
		for _, c := range reportColumns {
			v, ok := c.get(r)
			switch {
			case !ok:
				out = append(out, "")
			case c.kind == valueCount:
				out = append(out, strconv.FormatInt(int64(v), 10))
			default:
				out = append(out, strconv.FormatFloat(v, 'f', -1, 64))
			}
		}
		return out
	}
	for _, r := range rep.Rows {
		rows = append(rows, line(r.Unit.ID, rowLabel(r), r))
	}
	rows = append(rows, line(rep.Totals.Unit.ID, reportTotalLabel, rep.Totals))
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("render csv: %w", err)
	}
	return buf.Bytes(), nil
}
