package documents

import (
	"fmt"
	"strings"
	"time"

	"casetrail/incident"
)

// Dispatch is the office's part of a letter, the part a case does not hold:
// who issues and signs it, its number and date, whom it goes to.
type Dispatch struct {
	ParentBody  string // see Letter.ParentBody
	IssuingBody string // see Letter.IssuingBody
	// Sender names the issuing body inside sentences ("Ủy ban nhân dân
	// huyện Tân Uyên").
	Sender string
	Number int    // see Letter.Number
	Symbol string // see Letter.Symbol
	// DraftingUnit is the drafting unit's abbreviation for the file copy
	// "Lưu: VT, VHTT." (empty: "Lưu: VT.").
	DraftingUnit string
	Place        string
	Date         time.Time
	Recipients   []string // "Kính gửi:"
	// AlsoTo are further "Nơi nhận" entries, between "Như trên" and the file copy.
	AlsoTo []string
	Signer Signer
	// Draft makes the letter a draft (see Letter.Draft): Number is then 0.
	Draft bool
}

// Decree147 is the takedown deadline's legal basis (docs/ARCHITECTURE.md,
// "Deadlines"), as a letter cites it.
const Decree147 = "Điều 23 Nghị định số 147/2024/NĐ-CP ngày 09/11/2024 của Chính phủ về quản lý, " +
	"cung cấp, sử dụng dịch vụ Internet và thông tin trên mạng"

// systemEscalationReason is the reason a letter and a case summary give
// for an escalation the clock asked for on a missed takedown response.
const systemEscalationReason = "nền tảng không phản hồi yêu cầu gỡ bỏ trong thời hạn quy định; hệ thống tự động đề nghị khi hết hạn."

// LetterForEscalation composes the công văn đề nghị that escalates case c to
// the higher authority: the case, its subjects, what was verified, the
// evidence with its SHA-256, the takedowns sent and their outcome, the
// deadlines missed, the reason for escalating and the request. c must carry
// an escalation (pending approval for a preview, approved or sent after).
// The result is validated.
func LetterForEscalation(c incident.Case, d Dispatch) (Letter, error) {
	if c.Escalation == nil {
		return Letter{}, incident.BadInput("case", "case %s has no escalation", c.Number)
	}
	w := newWriter(c, d)
	w.intro()
	w.subjects()
	w.analysis()
	w.evidence()
	w.takedowns("")
	w.missed()
	reason := sentence(c.Escalation.Reason)
	if c.Escalation.RequestedBy == incident.SystemActor {
		// The clock's own request, on a missed takedown response; its
		// recorded reason is the system's, not the office's words.
		reason = systemEscalationReason
	}
	w.para("Lý do đề nghị chuyển cấp trên: " + reason)
	w.para(fmt.Sprintf("Căn cứ %s, %s kính đề nghị Quý cơ quan xem xét, chỉ đạo xử lý vụ việc theo thẩm quyền, "+
		"yêu cầu nền tảng gỡ bỏ thông tin vi phạm và thông báo kết quả về %s để phối hợp thực hiện.",
		w.legalBasis(""), d.Sender, d.Sender))
	w.para("Trân trọng./.")
	subject := "đề nghị chỉ đạo xử lý vụ việc " + lowerFirst(KindText(c.Kind)) + " trên không gian mạng"
	return w.letter(subject)
}

// LetterForTakedown composes the công văn that asks a platform to take down
// the target of the takedown takedownID of case c, citing, for an
// AUTHORITY_REQUEST, Decree 147/2024/NĐ-CP, Art. 23 and the deadline (a
// PLATFORM_REPORT's letter names when the office follows up instead). The
// result is validated.
func LetterForTakedown(c incident.Case, takedownID string, d Dispatch) (Letter, error) {
	td := c.Takedown(takedownID)
	if td == nil {
		return Letter{}, incident.BadInput("takedownId", "case %s has no takedown %q", c.Number, takedownID)
	}
	w := newWriter(c, d)
	w.intro()
	w.para(fmt.Sprintf("Qua xác minh, %s xác định thông tin tại địa chỉ sau trên %s vi phạm quy định của pháp luật:",
		d.Sender, PlatformText(td.Platform)))
	w.para("- " + td.TargetURL + ".")
	w.analysis()
	w.evidence()
	w.para("Lý do yêu cầu gỡ bỏ: " + sentence(td.Reason))
	w.takedowns(td.ID)
	if td.Via() == incident.TakedownAuthorityRequest {
		w.para(fmt.Sprintf("Căn cứ %s, %s yêu cầu Quý Công ty gỡ bỏ thông tin vi phạm nêu trên trong thời hạn %s "+
			"kể từ khi nhận được yêu cầu (trước %s) và thông báo kết quả xử lý về %s.",
			w.legalBasis(td.LegalBasis), d.Sender, hours(td.DueAt.Sub(td.RequestedAt)), timeText(td.DueAt), d.Sender))
	} else {
		// A platform report (issue 17, §2): no legal clock runs from it, so
		// the letter cites neither a legal basis nor a legal deadline; its
		// due time is when the office follows up.
		w.para(fmt.Sprintf("%s đề nghị Quý Công ty gỡ bỏ thông tin vi phạm nêu trên và thông báo kết quả xử lý về %s. "+
			"Đến %s, nếu chưa nhận được phản hồi, %s sẽ liên hệ lại để đôn đốc.", d.Sender, d.Sender, timeText(td.DueAt), d.Sender))
	}
	if td.Status != incident.TakedownSent {
		w.para("Tình trạng yêu cầu: " + lowerFirst(TakedownText(td.Status)) + w.takedownDetail(*td) + ".")
	}
	w.para("Trân trọng./.")
	return w.letter("yêu cầu gỡ bỏ thông tin vi phạm pháp luật trên " + PlatformText(td.Platform))
}

// writer gathers the paragraphs of a letter about one case.
type writer struct {
	c     incident.Case
	d     Dispatch
	paras []string
}

func newWriter(c incident.Case, d Dispatch) *writer {
	if strings.TrimSpace(d.Sender) == "" {
		d.Sender = "Cơ quan"
	}
	return &writer{c: c, d: d}
}

func (w *writer) para(s string) { w.paras = append(w.paras, s) }

// intro: when the report came, the case number, kind, severity and title.
func (w *writer) intro() {
	c := w.c
	s := fmt.Sprintf("Lúc %s, %s tiếp nhận phản ánh về vụ việc số %s (%s)", timeText(c.ReportedAt), w.d.Sender, c.Number,
		lowerFirst(KindText(c.Kind)))
	if c.Severity != "" {
		s += ", mức độ " + lowerFirst(SeverityText(c.Severity))
	}
	s += ": “" + strings.TrimSpace(c.Title) + "”."
	if c.MergedReports > 0 {
		s += fmt.Sprintf(" Vụ việc đã nhận thêm %d phản ánh về cùng đối tượng.", c.MergedReports)
	}
	w.para(s)
}

// subjects: the URLs the case is about.
func (w *writer) subjects() {
	if len(w.c.Subjects) == 0 {
		return
	}
	w.para("Đối tượng của vụ việc:")
	for i, s := range w.c.Subjects {
		item := "- "
		if s.DisplayName != "" {
			item += "“" + s.DisplayName + "”, "
		}
		item += "trên " + PlatformText(s.Platform) + ":\n" + s.URL + listEnd(i, len(w.c.Subjects))
		w.para(item)
	}
}

// analysis: what was verified, the verdict, the impersonated account.
func (w *writer) analysis() {
	a := w.c.Analysis
	if a == nil {
		w.para("Vụ việc đang được xác minh; kết quả sẽ được thông báo sau.")
		return
	}
	s := fmt.Sprintf("Kết quả xác minh (ngày %s): %s", dateText(a.RecordedAt), sentence(a.Findings))
	if a.Verdict != "" {
		s += " Kết luận: thông tin " + lowerFirst(VerdictText(a.Verdict)) + "."
	}
	if acc := a.ImpersonatedAccount; acc != nil {
		s += fmt.Sprintf(" Đối tượng giả mạo tài khoản chính thức “%s” trên %s (%s)", acc.DisplayName,
			PlatformText(acc.Platform), acc.URL)
		if a.Similarity != nil {
			s += fmt.Sprintf(", độ tương đồng %.0f%%", *a.Similarity*100)
		}
		s += "."
	}
	w.para(s)
}

// evidence: each piece with its SHA-256.
func (w *writer) evidence() {
	ev := w.c.Evidence
	if len(ev) == 0 {
		return
	}
	w.para("Chứng cứ đã thu thập và lưu giữ, kèm mã băm SHA-256 để kiểm tra tính toàn vẹn:")
	for i, e := range ev {
		w.para(fmt.Sprintf("- %s (%s, %s byte, lưu lúc %s), mã SHA-256:\n%s%s", strings.TrimRight(strings.TrimSpace(e.Description), ".;"),
			e.MediaType, thousands(e.SizeBytes), timeText(e.AddedAt), e.SHA256, listEnd(i, len(ev))))
	}
}

// takedowns: every takedown but skip, when it was sent and its outcome.
func (w *writer) takedowns(skip string) {
	var tds []incident.Takedown
	for _, t := range w.c.Takedowns {
		if t.ID != skip {
			tds = append(tds, t)
		}
	}
	if len(tds) == 0 {
		return
	}
	if skip == "" {
		w.para("Các yêu cầu gỡ bỏ đã gửi:")
	} else {
		w.para("Các yêu cầu gỡ bỏ khác của vụ việc:")
	}
	for i, t := range tds {
		w.para(fmt.Sprintf("- Lúc %s, yêu cầu %s gỡ bỏ, thời hạn phản hồi đến %s; kết quả: %s%s; địa chỉ:\n%s%s",
			timeText(t.RequestedAt), PlatformText(t.Platform), timeText(t.DueAt),
			lowerFirst(TakedownText(t.Status)), w.takedownDetail(t), t.TargetURL, listEnd(i, len(tds))))
	}
}

// takedownDetail: the platform's reference and when it answered.
func (w *writer) takedownDetail(t incident.Takedown) string {
	var s string
	if t.PlatformReference != "" {
		s += ", số tham chiếu của nền tảng " + t.PlatformReference
	}
	if t.RespondedAt != nil {
		s += ", phản hồi lúc " + timeText(*t.RespondedAt)
	}
	return s
}

// missed: the deadlines that ran out.
func (w *writer) missed() {
	var ds []incident.Deadline
	for _, d := range w.c.Deadlines {
		if d.State == incident.StateMissed {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return
	}
	w.para("Thời hạn đã quá:")
	for i, d := range ds {
		s := fmt.Sprintf("- %s: hết hạn lúc %s", DeadlineText(d.Kind), timeText(d.DueAt))
		if t := w.c.Takedown(d.Ref); t != nil && d.Kind == incident.DeadlineTakedownResponse {
			s += fmt.Sprintf(" (%s) mà %s không phản hồi yêu cầu gỡ bỏ địa chỉ:\n%s", hours(d.DueAt.Sub(d.StartedAt)),
				PlatformText(t.Platform), t.TargetURL)
		}
		w.para(s + listEnd(i, len(ds)))
	}
}

// legalBasis: the basis recorded on the case (and the takedown), then
// Decree 147/2024 Art. 23 unless already named.
func (w *writer) legalBasis(takedownBasis string) string {
	var parts []string
	for _, b := range []string{takedownBasis, analysisBasis(w.c)} {
		b = strings.TrimRight(strings.TrimSpace(b), ".;")
		if b != "" && !containsFold(parts, b) {
			parts = append(parts, b)
		}
	}
	if !strings.Contains(strings.Join(parts, " "), "147/2024") {
		parts = append(parts, Decree147)
	}
	return strings.Join(parts, "; ")
}

func analysisBasis(c incident.Case) string {
	if c.Analysis == nil {
		return ""
	}
	return c.Analysis.LegalBasis
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// letter assembles and validates the letter.
func (w *writer) letter(subject string) (Letter, error) {
	d := w.d
	file := "Lưu: VT"
	if u := strings.TrimSpace(d.DraftingUnit); u != "" {
		file += ", " + u
	}
	copies := append([]string{"Như trên"}, d.AlsoTo...)
	l := Letter{
		ParentBody:   d.ParentBody,
		IssuingBody:  d.IssuingBody,
		Number:       d.Number,
		Symbol:       d.Symbol,
		Place:        d.Place,
		Date:         d.Date,
		Subject:      subject,
		Recipients:   d.Recipients,
		Paragraphs:   w.paras,
		CarbonCopies: append(copies, file),
		Signer:       d.Signer,
		Draft:        d.Draft,
	}
	if err := l.Validate(); err != nil {
		return Letter{}, fmt.Errorf("letter for case %s: %w", w.c.Number, err)
	}
	return l.normalized(), nil
}

// sentence returns s trimmed and ending with terminal punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

// listEnd is the punctuation after item i of n: ";" and "." for the last.
func listEnd(i, n int) string {
	if i == n-1 {
		return "."
	}
	return ";"
}
