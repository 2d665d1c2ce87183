package documents

import (
	"fmt"
	"strings"
	"time"

	"casetrail/incident"
)

// The case summary (tóm tắt hồ sơ vụ việc), the first document of a case
// file: who reported what and when, its subjects, the main steps in Vietnam
// time, the evidence with its SHA-256, the takedowns and their outcome, the
// escalation and its letter's number, and how each deadline ended. It is
// composed from the case as folded (incident.Case) and its events (the
// timeline), and rendered as an A4 PDF by RenderSummaryPDF with the
// letters' typeface.

// SummaryTitle is the summary's heading.
const SummaryTitle = "HỒ SƠ VỤ VIỆC"

// SummaryInput is what a case summary is composed from.
type SummaryInput struct {
	// Case is the case folded from Events.
	Case incident.Case
	// Events are the case's events in version order: the timeline.
	Events []incident.Event
	// Units names the units (nil: the ids are printed).
	Units *incident.UnitTree
	// GeneratedAt is when the case file is made.
	GeneratedAt time.Time
	// HeadHash is the hash of the stream's last event (version
	// Case.Version).
	HeadHash string
	// Anchor says, in one sentence, what signed checkpoint covers the
	// history (empty: none).
	Anchor string
}

// Summary is a composed case summary: a heading, the case's number and
// title, sections of label–value fields and list items, and closing lines.
type Summary struct {
	Number   string
	Title    string
	Sections []SummarySection
	Closing  []string
	// GeneratedAt is when the summary was made (the PDF's dates).
	GeneratedAt time.Time
}

// SummarySection is one numbered part of a summary: fields, then items,
// or Empty when it has neither.
type SummarySection struct {
	Title  string
	Fields []SummaryField
	Items  []string
	Empty  string
}

// SummaryField is one "label: value" line; an empty value is not printed.
type SummaryField struct {
	Label, Value string
}

// The Vietnamese words of /work/shared/GLOSSARY.md a summary needs beyond
// a letter's (words.go).
var (
	summaryStatusWords = map[incident.Status]string{
		incident.StatusReported: "Mới tiếp nhận", incident.StatusTriaged: "Đã phân loại",
		incident.StatusAnalysis: "Đang xác minh", incident.StatusAction: "Đang xử lý",
		incident.StatusEscalated: "Đã chuyển cấp trên", incident.StatusResolved: "Đã giải quyết",
		incident.StatusClosed: "Đã đóng hồ sơ", incident.StatusRejected: "Không thụ lý",
	}
	summaryEscalationWords = map[incident.EscalationStatus]string{
		incident.EscPendingApproval: "Chờ lãnh đạo duyệt", incident.EscApproved: "Đã duyệt",
		incident.EscSent: "Đã gửi", incident.EscAcknowledged: "Cấp trên đã tiếp nhận",
		incident.EscResolved: "Cấp trên đã xử lý", incident.EscDeclined: "Không duyệt",
	}
	summaryDeadlineStateWords = map[incident.DeadlineState]string{
		incident.StatePending: "Đang tính", incident.StateMet: "Đúng hạn",
		incident.StateMissed: "Quá hạn", incident.StateCancelled: "Đã hủy",
	}
	summaryOutcomeWords = map[incident.TakedownOutcome]string{
		incident.OutcomeAcknowledged: "nền tảng đã tiếp nhận", incident.OutcomeRemoved: "đã gỡ bỏ",
		incident.OutcomeRejected: "nền tảng từ chối",
	}
)

// summaryTime is "09:25 02/12/2026" in Asia/Ho_Chi_Minh.
func summaryTime(t time.Time) string { return t.In(Vietnam).Format("15:04 02/01/2006") }

// summaryOptTime is summaryTime of t, "" for none.
func summaryOptTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return summaryTime(*t)
}

// SystemName is how a summary names the system's own steps.
const SystemName = "Hệ thống"

// summaryActor names who did a step.
func summaryActor(a string) string {
	if a == incident.SystemActor {
		return SystemName
	}
	return a
}

// CaseSummary composes the summary of in.Case.
func CaseSummary(in SummaryInput) (Summary, error) {
	c := in.Case
	if c.ID == "" || c.Number == "" {
		return Summary{}, incident.BadInput("case", "a case summary needs a reported case")
	}
	unitName := func(id string) string {
		if id == "" {
			return ""
		}
		if in.Units != nil {
			if u, ok := in.Units.Unit(id); ok && u.Name != "" {
				return u.Name
			}
		}
		return id
	}
	s := Summary{Number: "Số vụ việc " + c.Number, Title: strings.TrimSpace(c.Title), GeneratedAt: in.GeneratedAt}
	add := func(sec SummarySection) { s.Sections = append(s.Sections, sec) }

	general := SummarySection{Title: "Thông tin chung", Fields: []SummaryField{
		{"Loại vụ việc", KindText(c.Kind)},
		{"Mức độ", summaryIf(c.Severity != "", SeverityText(c.Severity))},
		{"Trạng thái", word(summaryStatusWords, c.Status)},
		{"Đơn vị", unitName(c.Unit)},
		{"Nơi nhận chuyển", unitName(c.EscalatesTo)},
		{"Người phản ánh", c.ReportedBy},
		{"Tiếp nhận lúc", summaryTime(c.ReportedAt)},
		{"Cán bộ xử lý", c.Assignee},
		{"Phản ánh gộp thêm", summaryIf(c.MergedReports > 0, fmt.Sprint(c.MergedReports))},
		{"Ý kiến trao đổi", summaryIf(c.Comments > 0, fmt.Sprint(c.Comments))},
		{"Nội dung phản ánh", strings.TrimSpace(c.Description)},
		{"Kết quả xử lý", c.Resolution},
	}}
	if a := c.Analysis; a != nil {
		general.Fields = append(general.Fields,
			SummaryField{"Kết quả xác minh", strings.TrimSpace(a.Findings)},
			SummaryField{"Kết luận", summaryIf(a.Verdict != "", VerdictText(a.Verdict))},
			SummaryField{"Căn cứ pháp lý", a.LegalBasis})
	}
	add(general)

	subjects := SummarySection{Title: "Đối tượng", Empty: "Không có đối tượng."}
	for _, sj := range c.Subjects {
		item := PlatformText(sj.Platform) + ": " + sj.URL
		if sj.DisplayName != "" {
			item = "“" + sj.DisplayName + "”, " + item
		}
		subjects.Items = append(subjects.Items, item)
	}
	add(subjects)

	timeline := SummarySection{Title: "Diễn biến xử lý (giờ Việt Nam, UTC+07:00)", Empty: "Chưa có sự kiện."}
	for _, e := range in.Events {
		if step := summaryStep(c, e, unitName); step != "" {
			timeline.Items = append(timeline.Items, fmt.Sprintf("%s — %s — %s", summaryTime(e.At), step, summaryActor(e.Actor)))
		}
	}
	add(timeline)

	evidence := SummarySection{Title: "Chứng cứ", Empty: "Chưa có chứng cứ."}
	for _, e := range c.Evidence {
		item := fmt.Sprintf("%s (%s, %s byte), %s thêm lúc %s", strings.TrimSpace(e.Description), e.MediaType,
			thousands(e.SizeBytes), summaryActor(e.AddedBy), summaryTime(e.AddedAt))
		if e.URL != "" {
			item += "; nguồn: " + e.URL
		}
		evidence.Items = append(evidence.Items, item+"\nSHA-256: "+e.SHA256)
	}
	add(evidence)

	takedowns := SummarySection{Title: "Yêu cầu gỡ bỏ", Empty: "Chưa có yêu cầu gỡ bỏ."}
	for _, t := range c.Takedowns {
		item := fmt.Sprintf("%s — %s: %s, gửi lúc %s, hạn phản hồi %s; kết quả: %s", t.ID, PlatformText(t.Platform), t.TargetURL,
			summaryTime(t.RequestedAt), summaryTime(t.DueAt), lowerFirst(TakedownText(t.Status)))
		if t.PlatformReference != "" {
			item += ", số tham chiếu " + t.PlatformReference
		}
		if t.RespondedAt != nil {
			item += ", phản hồi lúc " + summaryTime(*t.RespondedAt)
		}
		takedowns.Items = append(takedowns.Items, item+".")
	}
	add(takedowns)

	escalation := SummarySection{Title: "Chuyển cấp trên", Empty: "Vụ việc không chuyển cấp trên."}
	if e := c.Escalation; e != nil {
		escalation.Fields = []SummaryField{
			{"Tình trạng", word(summaryEscalationWords, e.Status)},
			{"Nơi nhận", unitName(e.To)},
			{"Đề nghị", summaryActor(e.RequestedBy) + " lúc " + summaryTime(e.RequestedAt)},
			{"Lý do", summaryReason(*e)},
			{"Lãnh đạo duyệt", summaryIf(e.ApprovedBy != "", e.ApprovedBy+summaryAt(e.ApprovedAt))},
		}
		if l := e.Letter; l != nil {
			escalation.Fields = append(escalation.Fields,
				SummaryField{"Công văn", NumberLine(l.Number, l.Symbol) + ", " + unitName(l.Issuer) + " ban hành lúc " + summaryTime(l.IssuedAt)},
				SummaryField{"Người ký", summarySigner(l.Signer)},
				SummaryField{"SHA-256 (PDF)", l.SHA256},
				SummaryField{"SHA-256 (DOCX)", l.DOCXSHA256})
		} else if e.DispatchNumber != "" {
			escalation.Fields = append(escalation.Fields, SummaryField{"Số công văn", e.DispatchNumber})
		}
		escalation.Fields = append(escalation.Fields,
			SummaryField{"Gửi lúc", summaryOptTime(e.SentAt)},
			SummaryField{"Ý kiến cấp trên", summaryIf(e.Response != "", strings.TrimSpace(e.Response)+summaryAt(e.RespondedAt))})
	}
	add(escalation)

	deadlines := SummarySection{Title: "Thời hạn", Empty: "Không có thời hạn."}
	tally := map[incident.DeadlineState]int{}
	for _, d := range c.Deadlines {
		tally[d.State]++
		item := fmt.Sprintf("%s: từ %s đến %s — %s", DeadlineText(d.Kind), summaryTime(d.StartedAt), summaryTime(d.DueAt),
			lowerFirst(word(summaryDeadlineStateWords, d.State)))
		if d.SettledAt != nil && d.State != incident.StatePending {
			item += " lúc " + summaryTime(*d.SettledAt)
		}
		if d.Ref != "" {
			item += " (" + d.Ref + ")"
		}
		deadlines.Items = append(deadlines.Items, item+".")
	}
	if len(c.Deadlines) > 0 {
		deadlines.Fields = []SummaryField{{"Tổng hợp", fmt.Sprintf("%d đúng hạn, %d quá hạn, %d đang tính, %d đã hủy",
			tally[incident.StateMet], tally[incident.StateMissed], tally[incident.StatePending], tally[incident.StateCancelled])}}
	}
	add(deadlines)

	integrity := SummarySection{Title: "Tính toàn vẹn", Fields: []SummaryField{
		{"Số sự kiện", thousands(c.Version)},
		{"Mã băm sự kiện cuối (phiên bản " + fmt.Sprint(c.Version) + ")", in.HeadHash},
		{"Điểm kiểm tra ký số", summaryIf(in.Anchor != "", in.Anchor)},
	}}
	if in.Anchor == "" {
		integrity.Fields[2].Value = "chưa có điểm kiểm tra ký số nào bao gồm lịch sử này."
	}
	add(integrity)

	s.Closing = []string{
		"Lập lúc " + summaryTime(in.GeneratedAt) + " (giờ Việt Nam) bởi CaseTrail, từ lịch sử xử lý của vụ việc.",
		"Mã SHA-256 của từng tệp trong hồ sơ ghi ở manifest.json; kiểm tra bằng lệnh: casetrail verify --bundle <tệp.zip> --public-key <khóa công khai>.",
	}
	return s, nil
}

// summaryStep names the main step e is, "" for the steps a summary leaves
// out (deadlines set, reminded, met or cancelled; comments, counted in
// the general part).
func summaryStep(c incident.Case, e incident.Event, unitName func(string) string) string {
	switch p := e.Data.(type) {
	case incident.CaseReported:
		return "Tiếp nhận phản ánh: “" + strings.TrimSpace(p.Title) + "”"
	case incident.ReportMerged:
		return "Nhận thêm phản ánh về cùng đối tượng: “" + strings.TrimSpace(p.Title) + "”"
	case incident.CaseTriaged:
		return "Phân loại: mức độ " + lowerFirst(SeverityText(p.Severity)) + ", giao " + p.Assignee
	case incident.CaseAssigned:
		return "Giao xử lý cho " + p.Assignee
	case incident.AnalysisStarted:
		return "Bắt đầu xác minh"
	case incident.AnalysisRecorded:
		if p.Verdict != "" {
			return "Ghi kết quả xác minh: " + lowerFirst(VerdictText(p.Verdict))
		}
		return "Ghi kết quả xác minh"
	case incident.EvidenceAdded:
		return "Thêm chứng cứ: " + strings.TrimSpace(p.Description)
	case incident.TakedownRequested:
		return fmt.Sprintf("Yêu cầu gỡ bỏ %s trên %s", p.TakedownID, PlatformText(p.Platform))
	case incident.TakedownResponded:
		return fmt.Sprintf("Ghi phản hồi của nền tảng (%s): %s", p.TakedownID, word(summaryOutcomeWords, p.Outcome))
	case incident.EscalationRequested:
		return "Đề nghị chuyển cấp trên (" + unitName(p.To) + ")"
	case incident.EscalationApproved:
		return "Duyệt chuyển cấp trên"
	case incident.EscalationDeclined:
		return "Không duyệt chuyển cấp trên"
	case incident.EscalationSent:
		if p.Number > 0 {
			return "Gửi công văn " + NumberLine(p.Number, p.Symbol)
		}
		return "Gửi chuyển cấp trên, số " + p.DispatchNumber
	case incident.EscalationResponded:
		if p.Resolved {
			return "Ghi ý kiến cấp trên: cấp trên đã xử lý"
		}
		return "Ghi ý kiến cấp trên: cấp trên đã tiếp nhận"
	case incident.DeadlineMissed:
		return "Quá hạn: " + DeadlineText(p.Kind)
	case incident.CaseResolved:
		return "Kết thúc xử lý"
	case incident.CaseClosed:
		return "Đóng hồ sơ"
	case incident.CaseRejected:
		return "Không thụ lý"
	case incident.CaseReopened:
		return "Mở lại"
	}
	return ""
}

// summaryReason is why the escalation was asked: the handler's words, or
// for the clock's own request (whose recorded reason is the system's, not
// the office's words) what the letter says of it (LetterForEscalation).
func summaryReason(e incident.Escalation) string {
	if e.RequestedBy == incident.SystemActor {
		return systemEscalationReason
	}
	return strings.TrimSpace(e.Reason)
}

// summaryIf is s when ok, else "".
func summaryIf(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// summaryAt is " lúc <time>" for t, "" for none.
func summaryAt(t *time.Time) string {
	if t == nil {
		return ""
	}
	return " lúc " + summaryTime(*t)
}

// summarySigner is a signature block on one line: "KT. Chủ tịch – Phó
// Chủ tịch Trần Thị Lan".
func summarySigner(s incident.Signer) string {
	b := SignerOf(s)
	out := strings.TrimSpace(b.Prefix + " " + b.Authority)
	if b.Title != "" {
		out += " – " + strings.Join(strings.Fields(b.Title), " ")
	}
	return out + " " + s.Name
}
