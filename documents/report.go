package documents

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"casetrail/incident"
)

// The periodic report (báo cáo định kỳ, issue 16) as an office reads it:
// the table of incident.PeriodicReport as XLSX (report_xlsx.go) and CSV
// (report_csv.go), and a short narrative report around it as PDF
// (report_pdf.go) and DOCX (report_docx.go): the issuing unit's heading and
// the national heading, place and date, the title "BÁO CÁO … kỳ …", a
// paragraph of the headline figures, the table and what each column
// counts. The figures are the report's as they are; this file only names
// and prints them. Every format has the same columns (reportColumns).

// ReportHeading is the office's part of a report: the issuing body (and
// its parent) and the place and date of the date line.
type ReportHeading struct {
	ParentBody  string
	IssuingBody string
	Place       string
	Date        time.Time
}

// ReportHeadingFor returns the heading of unit's report made at date, from
// the registry as DispatchFor takes a letter's: the unit's IssuingBody
// (its Name), ParentBody and Place (its Name).
func ReportHeadingFor(units *incident.UnitTree, unit string, date time.Time) ReportHeading {
	d := DispatchFor(units, unit, "", Issue{Date: date})
	return ReportHeading{ParentBody: d.ParentBody, IssuingBody: d.IssuingBody, Place: d.Place, Date: date}
}

// ReportTitle is the first line of the report's title.
const ReportTitle = "BÁO CÁO"

// ReportSubject returns the line under the title: "Tình hình tiếp nhận, xử
// lý vụ việc trên mạng xã hội kỳ tháng 3 năm 2026".
func ReportSubject(p incident.ReportPeriod) string {
	return "Tình hình tiếp nhận, xử lý vụ việc trên mạng xã hội kỳ " + p.Label()
}

// ReportSpan returns the period's cut-off in words: "Số liệu từ ngày
// 15/02/2026 đến hết ngày 14/03/2026 (Nghị định số 09/2019/NĐ-CP)".
func ReportSpan(p incident.ReportPeriod) string {
	from, _ := p.Bounds()
	return fmt.Sprintf("Số liệu từ ngày %s đến hết ngày %s (Nghị định số 09/2019/NĐ-CP)", dateText(from), dateText(p.LastDay()))
}

// reportValue is how a column's figure prints.
type reportValue int

const (
	valueCount   reportValue = iota // a count
	valuePercent                    // a ratio 0..1, printed as a percentage
	valueHours                      // hours, one decimal
)

// reportColumn is one figure column of the table.
type reportColumn struct {
	// Group heads the columns it spans ("" for a column standing alone,
	// whose Head spans both header rows).
	Group string
	Head  string
	// Key is the column's name in the API (PeriodicReportRow).
	Key  string
	Note string
	kind reportValue
	get  func(incident.ReportRow) (float64, bool)
}

func count(f func(incident.ReportRow) int) func(incident.ReportRow) (float64, bool) {
	return func(r incident.ReportRow) (float64, bool) { return float64(f(r)), true }
}

func optional(f func(incident.ReportRow) *float64) func(incident.ReportRow) (float64, bool) {
	return func(r incident.ReportRow) (float64, bool) {
		if v := f(r); v != nil {
			return *v, true
		}
		return 0, false
	}
}

// Column groups.
const (
	groupReceived  = "Tiếp nhận trong kỳ"
	groupOutcome   = "Kết quả xử lý trong kỳ"
	groupEnd       = "Tại thời điểm cuối kỳ"
	groupTakedowns = "Yêu cầu gỡ bỏ gửi trong kỳ"
)

// reportColumns are the figure columns, in order, with what each counts
// (incident.PeriodicReport's rules in the office's words).
var reportColumns = func() []reportColumn {
	cols := []reportColumn{{Group: groupReceived, Head: "Tổng số", Key: "received",
		Note: "Vụ việc tiếp nhận (phản ánh) trong kỳ, theo thời điểm tiếp nhận", get: count(func(r incident.ReportRow) int { return r.Received })}}
	for _, k := range incident.Kinds {
		cols = append(cols, reportColumn{Group: groupReceived, Head: KindText(k), Key: "receivedByKind." + string(k),
			get: count(func(r incident.ReportRow) int { return r.ByKind(k) })})
	}
	return append(cols,
		reportColumn{Group: groupOutcome, Head: "Đã giải quyết", Key: "resolved",
			Note: "Vụ việc được giải quyết trong kỳ và không bị mở lại đến cuối kỳ (có thể đã đóng hồ sơ)",
			get:  count(func(r incident.ReportRow) int { return r.Resolved })},
		reportColumn{Group: groupOutcome, Head: "Đã đóng hồ sơ", Key: "closed",
			Note: "Vụ việc đóng hồ sơ trong kỳ, vẫn đóng ở cuối kỳ", get: count(func(r incident.ReportRow) int { return r.Closed })},
		reportColumn{Group: groupOutcome, Head: "Không thụ lý", Key: "rejected",
			Note: "Vụ việc không thụ lý trong kỳ, vẫn không thụ lý ở cuối kỳ", get: count(func(r incident.ReportRow) int { return r.Rejected })},
		reportColumn{Group: groupEnd, Head: "Đang xử lý", Key: "openAtEnd",
			Note: "Vụ việc tiếp nhận trước cuối kỳ (cả các kỳ trước) còn đang xử lý ở cuối kỳ",
			get:  count(func(r incident.ReportRow) int { return r.OpenAtEnd })},
		reportColumn{Group: groupEnd, Head: "Đến hạn, chưa ghi nhận", Key: "overdue",
			Note: "Vụ việc có thời hạn đã đến trước cuối kỳ mà ở cuối kỳ vẫn đang tính (chưa ghi nhận đúng hạn hay quá hạn)",
			get:  count(func(r incident.ReportRow) int { return r.Overdue })},
		reportColumn{Head: "Quá hạn chưa xử lý (hiện nay)", Key: "missed",
			Note: "Vụ việc tiếp nhận trong kỳ mà hiện nay (lúc lập báo cáo) có thời hạn đã quá và bước việc chưa làm",
			get:  count(func(r incident.ReportRow) int { return r.Missed })},
		reportColumn{Group: groupTakedowns, Head: "Đã gửi", Key: "takedownsSent",
			Note: "Yêu cầu gỡ bỏ gửi nền tảng trong kỳ; kết quả là tình trạng ở cuối kỳ", get: count(func(r incident.ReportRow) int { return r.TakedownsSent })},
		reportColumn{Group: groupTakedowns, Head: "Đã gỡ bỏ", Key: "takedownsRemoved", get: count(func(r incident.ReportRow) int { return r.TakedownsRemoved })},
		reportColumn{Group: groupTakedowns, Head: "Nền tảng từ chối", Key: "takedownsRefused", get: count(func(r incident.ReportRow) int { return r.TakedownsRefused })},
		reportColumn{Group: groupTakedowns, Head: "Chưa phản hồi", Key: "takedownsUnanswered",
			Note: "Nền tảng chưa trả lời đến cuối kỳ (kể cả đã hết hạn)", get: count(func(r incident.ReportRow) int { return r.TakedownsUnanswered })},
		reportColumn{Head: "Chuyển cấp trên", Key: "escalationsSent",
			Note: "Công văn đề nghị chuyển cấp trên đã gửi trong kỳ", get: count(func(r incident.ReportRow) int { return r.EscalationsSent })},
		reportColumn{Head: "Tỷ lệ đúng hạn", Key: "deadlineMetRatio", kind: valuePercent,
			Note: "Thời hạn kết thúc trong kỳ: số đúng hạn trên tổng số đúng hạn và quá hạn",
			get:  optional(func(r incident.ReportRow) *float64 { return r.DeadlineMetRatio })},
		reportColumn{Head: "Thời gian giải quyết (giờ, trung vị)", Key: "medianResolveHours", kind: valueHours,
			Note: "Trung vị số giờ từ khi tiếp nhận đến khi giải quyết của các vụ việc ở cột «Đã giải quyết»",
			get:  optional(func(r incident.ReportRow) *float64 { return r.MedianResolveHours })},
	)
}()

// Labels of the table's first columns and its last row.
const (
	reportNumberHead = "TT"
	reportUnitHead   = "Đơn vị"
	reportTotalLabel = "Tổng cộng"
)

// rowLabel names a row: the sub-unit, or the unit's own cases.
func rowLabel(r incident.ReportRow) string {
	if r.Direct {
		return r.Unit.Name + " (vụ việc trực tiếp)"
	}
	return r.Unit.Name
}

// cellText prints a figure as the PDF and DOCX show it: counts with "."
// between thousands, a ratio as "87,5 %", hours as "30,5"; "–" when there
// is none.
func (c reportColumn) cellText(r incident.ReportRow) string {
	v, ok := c.get(r)
	if !ok {
		return "–"
	}
	switch c.kind {
	case valuePercent:
		return decimalText(100*v) + " %"
	case valueHours:
		return decimalText(v)
	}
	return thousands(int64(v))
}

// decimalText writes f with one decimal and a decimal comma: 87,5.
func decimalText(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1)
}

// countWord is "1.480 vụ việc".
func countWord(n int, what string) string { return thousands(int64(n)) + " " + what }

// ReportNarrative returns the paragraphs around the table: the headline
// figures of the totals in words, and a note when the period had not ended
// when the report was made.
func ReportNarrative(rep incident.PeriodicReport) []string {
	t := rep.Totals
	var kinds []string
	for _, k := range incident.Kinds {
		kinds = append(kinds, fmt.Sprintf("%s %s", thousands(int64(t.ByKind(k))), lowerFirst(KindText(k))))
	}
	paras := []string{
		fmt.Sprintf("Trong kỳ báo cáo, %s và các đơn vị trực thuộc tiếp nhận %s (%s); đã giải quyết %s, đóng hồ sơ %s, không thụ lý %s.",
			rep.Unit.Name, countWord(t.Received, "vụ việc"), strings.Join(kinds, "; "),
			countWord(t.Resolved, "vụ việc"), countWord(t.Closed, "vụ việc"), countWord(t.Rejected, "vụ việc")),
		fmt.Sprintf("Đến cuối kỳ còn %s đang xử lý (kể cả vụ việc của các kỳ trước), trong đó %s có thời hạn đã đến mà chưa được ghi nhận; "+
			"trong số vụ việc tiếp nhận trong kỳ, hiện có %s quá hạn mà bước việc chưa được thực hiện.",
			countWord(t.OpenAtEnd, "vụ việc"), countWord(t.Overdue, "vụ việc"), countWord(t.Missed, "vụ việc")),
		fmt.Sprintf("Đã gửi %s tới các nền tảng (đã gỡ bỏ %s, nền tảng từ chối %s, chưa phản hồi %s) và %s đề nghị chuyển cấp trên.",
			countWord(t.TakedownsSent, "yêu cầu gỡ bỏ"), thousands(int64(t.TakedownsRemoved)), thousands(int64(t.TakedownsRefused)),
			thousands(int64(t.TakedownsUnanswered)), countWord(t.EscalationsSent, "công văn")),
	}
	var last []string
	if t.DeadlineMetRatio != nil {
		last = append(last, "tỷ lệ thời hạn được đáp ứng đúng hạn đạt "+decimalText(100**t.DeadlineMetRatio)+" %")
	} else {
		last = append(last, "không có thời hạn nào kết thúc trong kỳ")
	}
	if t.MedianResolveHours != nil {
		last = append(last, "thời gian giải quyết trung vị là "+decimalText(*t.MedianResolveHours)+" giờ")
	}
	s := strings.Join(last, "; ")
	paras = append(paras, strings.ToUpper(s[:1])+s[1:]+".")
	_, to := rep.Period.Bounds()
	if rep.AsOf.Before(to) {
		paras = append(paras, "Kỳ báo cáo chưa kết thúc: số liệu «cuối kỳ» tính đến "+timeText(rep.AsOf)+".")
	}
	return paras
}

// reportNotes are the notes under the table: what the columns count.
func reportNotes() []string {
	out := []string{"Ghi chú: số liệu «cuối kỳ» là tình trạng vụ việc tại thời điểm kết thúc kỳ báo cáo, tính lại từ lịch sử xử lý; riêng cột «Quá hạn chưa xử lý» tính tại thời điểm lập báo cáo."}
	for _, c := range reportColumns {
		if c.Note == "" {
			continue
		}
		head := c.Head
		if c.Group != "" && c.Group != groupReceived {
			head = c.Group + " – " + c.Head
		}
		out = append(out, "- "+head+": "+c.Note+".")
	}
	return out
}
