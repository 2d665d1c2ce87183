package documents_test

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"casetrail/documents"
	"casetrail/incident"
)

// fixtureReport is a report of Tân Uyên for March 2026 with two communes
// and the district's own cases.
func fixtureReport(t *testing.T) (incident.PeriodicReport, documents.ReportHeading) {
	t.Helper()
	p, err := incident.ParseReportPeriod("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	_, to := p.Bounds()
	r1, r2, m1 := 0.8, 0.5, 30.5
	kinds := func(a, b, c int) []incident.KindCount {
		return []incident.KindCount{{Kind: incident.AccountCompromised, Count: a}, {Kind: incident.Impersonation, Count: b},
			{Kind: incident.FalseInformation, Count: c}}
	}
	rows := []incident.ReportRow{
		{Unit: incident.ReportUnit{ID: "lai-chau/tan-uyen/xa-muong-khoa", Name: "UBND xã Mường Khoa"}, Received: 1200,
			ReceivedByKind: kinds(200, 600, 400), Resolved: 950, Closed: 900, Rejected: 40, OpenAtEnd: 260, Overdue: 3, Missed: 17,
			TakedownsSent: 310, TakedownsRemoved: 250, TakedownsRefused: 20, TakedownsUnanswered: 30, EscalationsSent: 12,
			DeadlineMetRatio: &r1, MedianResolveHours: &m1},
		{Unit: incident.ReportUnit{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa"}, Received: 279,
			ReceivedByKind: kinds(9, 70, 200), Resolved: 100, OpenAtEnd: 179, Missed: 2, DeadlineMetRatio: &r2},
		{Unit: incident.ReportUnit{ID: "lai-chau/tan-uyen", Name: "Tân Uyên"}, Direct: true, Received: 1,
			ReceivedByKind: kinds(1, 0, 0), Rejected: 1},
	}
	total, med := 0.7777777777777778, 41.26
	totals := incident.ReportRow{Unit: incident.ReportUnit{ID: "lai-chau/tan-uyen", Name: "Tân Uyên"}, Received: 1480,
		ReceivedByKind: kinds(210, 670, 600), Resolved: 1050, Closed: 900, Rejected: 41, OpenAtEnd: 439, Overdue: 3, Missed: 19,
		TakedownsSent: 310, TakedownsRemoved: 250, TakedownsRefused: 20, TakedownsUnanswered: 30, EscalationsSent: 12,
		DeadlineMetRatio: &total, MedianResolveHours: &med}
	rep := incident.PeriodicReport{Unit: totals.Unit, Period: p, AsOf: to, MadeAt: to.Add(20 * 24 * time.Hour), Rows: rows, Totals: totals}
	h := documents.ReportHeading{ParentBody: "UBND tỉnh Lai Châu", IssuingBody: "Ủy ban nhân dân\nhuyện Tân Uyên", Place: "Tân Uyên",
		Date: time.Date(2026, 4, 5, 9, 0, 0, 0, documents.Vietnam)}
	return rep, h
}

func TestReportXLSX(t *testing.T) {
	rep, h := fixtureReport(t)
	b, err := documents.RenderReportXLSX(rep, h)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open the report: %v", err)
	}
	defer f.Close()
	raw := excelize.Options{RawCellValue: true}
	get := func(cell string) string {
		t.Helper()
		v, err := f.GetCellValue(documents.ReportSheet, cell, raw)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if title := get("A1"); !strings.Contains(title, "BÁO CÁO") || !strings.Contains(title, "KỲ THÁNG 3 NĂM 2026") {
		t.Errorf("title %q", title)
	}
	if s := get("A2"); !strings.Contains(s, "15/02/2026") || !strings.Contains(s, "14/03/2026") {
		t.Errorf("span %q", s)
	}
	for cell, want := range map[string]string{
		"A5": "TT", "B5": "Đơn vị", "C5": "Tiếp nhận trong kỳ", "C6": "Tổng số", "D6": "Tài khoản chính thức bị chiếm quyền",
		"E6": "Giả mạo cơ quan, cá nhân", "G5": "Kết quả xử lý trong kỳ", "G6": "Đã giải quyết", "J5": "Tại thời điểm cuối kỳ",
		"J6": "Đang xử lý", "L5": "Quá hạn chưa xử lý (hiện nay)", "M5": "Yêu cầu gỡ bỏ gửi trong kỳ", "P6": "Chưa phản hồi",
		"Q5": "Chuyển cấp trên", "R5": "Tỷ lệ đúng hạn",
		// A row: Mường Khoa.
		"A7": "1", "B7": "UBND xã Mường Khoa", "C7": "1200", "E7": "600", "R7": "0.8", "S7": "30.5",
		"B9": "Tân Uyên (vụ việc trực tiếp)", "R9": "", "S9": "",
		"B10": "Tổng cộng",
	} {
		if got := get(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	// The totals row holds the report's totals, column by column.
	want := []float64{1480, 210, 670, 600, 1050, 900, 41, 439, 3, 19, 310, 250, 20, 30, 12, 0.7777777777777778, 41.26}
	for i, w := range want {
		cell, _ := excelize.CoordinatesToCellName(3+i, 10)
		got, err := strconv.ParseFloat(get(cell), 64)
		if err != nil || math.Abs(got-w) > 1e-14*max(1, w) { // Excel keeps 15 significant digits
			t.Errorf("totals %s = %q, want %v", cell, get(cell), w)
		}
	}
	if merged, _ := f.GetMergeCells(documents.ReportSheet); len(merged) < 10 {
		t.Errorf("%d merged ranges: the header groups are not merged", len(merged))
	}
	if w, _ := f.GetColWidth(documents.ReportSheet, "B"); w < 30 {
		t.Errorf("unit column width %v", w)
	}
	if notes := get("A12"); !strings.HasPrefix(notes, "Ghi chú") {
		t.Errorf("A12 = %q, want the notes", notes)
	}
}

func TestReportCSV(t *testing.T) {
	rep, _ := fixtureReport(t)
	b, err := documents.RenderReportCSV(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte order mark: % x", b[:3])
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || len(recs[0]) != 19 {
		t.Fatalf("%d records of %d fields, want 5 of 19", len(recs), len(recs[0]))
	}
	if recs[0][0] != "Mã đơn vị" || recs[0][2] != "Tiếp nhận trong kỳ – Tổng số" || recs[0][17] != "Tỷ lệ đúng hạn (0–1)" {
		t.Errorf("header %q", recs[0])
	}
	if strings.Join(recs[1][:5], "|") != "lai-chau/tan-uyen/xa-muong-khoa|UBND xã Mường Khoa|1200|200|600" || recs[2][18] != "" {
		t.Errorf("rows %q / %q", recs[1], recs[2])
	}
	last := recs[4]
	if last[1] != "Tổng cộng" || last[2] != "1480" || last[12] != "310" || last[17] != "0.7777777777777778" || last[18] != "41.26" {
		t.Errorf("totals %q", last)
	}
}

// reportLines are lines the narrative report holds, in both formats.
var reportLines = []string{
	"ỦY BAN NHÂN DÂN", "HUYỆN TÂN UYÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
	"Tân Uyên, ngày 05 tháng 4 năm 2026", "BÁO CÁO",
	"Tình hình tiếp nhận, xử lý vụ việc trên mạng xã hội kỳ tháng 3 năm 2026",
	"Số liệu từ ngày 15/02/2026 đến hết ngày 14/03/2026",
	"tiếp nhận 1.480 vụ việc", "UBND xã Mường Khoa", "UBND xã Phúc Khoa", "Tổng cộng", "77,8 %", "41,3",
}

func TestReportPDF(t *testing.T) {
	rep, h := fixtureReport(t)
	b, err := documents.RenderReportPDF(rep, h)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := documents.RenderReportPDF(rep, h)
	if !bytes.Equal(b, again) {
		t.Error("two renderings of the same report differ")
	}
	text := pdfText(t, writeFile(t, t.TempDir(), "report.pdf", b))
	checkReport(t, "pdftotext", text)
}

func TestReportDOCX(t *testing.T) {
	soffice := tool(t, "soffice", "libreoffice-writer-nogui")
	rep, h := fixtureReport(t)
	b, err := documents.RenderReportDOCX(rep, h)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := writeFile(t, dir, "report.docx", b)
	out := run(t, 5*time.Minute, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir, in)
	p := filepath.Join(dir, "report.pdf")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("LibreOffice did not convert report.docx: %v\n%s", err, out)
	}
	checkReport(t, "LibreOffice report.docx", pdfText(t, p))
}

// checkReport finds reportLines in text (runs of spaces made one) and the
// totals row's figures after "Tổng cộng".
func checkReport(t *testing.T, reader, text string) {
	t.Helper()
	flat := strings.Join(lines(text), "\n")
	oneLine := strings.Join(strings.Fields(flat), " ")
	for _, s := range reportLines {
		if !strings.Contains(oneLine, s) {
			t.Errorf("%s: %q not found in:\n%s", reader, s, flat)
		}
	}
	i := strings.Index(oneLine, "Tổng cộng")
	if i < 0 || !strings.HasPrefix(oneLine[i:], "Tổng cộng 1.480 210 670 600 1.050 900 41 439 3 19 310 250 20 30 12 77,8 % 41,3") {
		t.Errorf("%s: the totals row reads %.120q", reader, oneLine[max(i, 0):])
	}
}
