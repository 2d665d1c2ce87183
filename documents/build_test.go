package documents_test

import (
	"regexp"
	"strings"
	"testing"

	"casetrail/documents"
	"casetrail/incident"
)

// contractValue matches a contract enum value (IMPERSONATION, TAKEDOWN_RESPONSE,
// FACEBOOK...) that a letter should have put in Vietnamese.
var contractValue = regexp.MustCompile(`\b(` + strings.Join([]string{
	"ACCOUNT_COMPROMISED", "IMPERSONATION", "FALSE_INFORMATION", "FACEBOOK", "TIKTOK",
	"REMOVED", "EXPIRED", "ACKNOWLEDGED", "SENT", "MISSED", "HIGH", "FALSE", "TAKEDOWN_RESPONSE",
}, "|") + `)\b|Takedown|automatic`)

func TestLetterForEscalation(t *testing.T) {
	c := fixtureCase(t)
	l, err := documents.LetterForEscalation(c, escalationDispatch())
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Join(l.Paragraphs, "\n")
	for _, want := range []string{
		"VV-2026-000123",                                   // the case number
		"giả mạo cơ quan, cá nhân",                         // the kind
		"mức độ cao",                                       // the severity
		"Lúc 08:30 ngày 01/12/2026",                        // when reported
		"https://www.facebook.com/ubnd.xatanuyen.thongbao", // the subjects
		"https://www.tiktok.com/@ubnd.tanuyen/video/7441234567890123456",
		"Kết quả xác minh (ngày 01/12/2026)", // what was verified
		"không có chủ trương thu phí này",
		"thông tin sai sự thật",            // the verdict
		"“UBND xã Tân Uyên” trên Facebook", // the impersonated account
		"độ tương đồng 92%",
		shaOf("ảnh chụp trang giả mạo"), // the evidence with its SHA-256
		shaOf("video mạo danh"),
		"482.113 byte",
		"kết quả: hết hạn không phản hồi", // the takedowns and their outcome
		"kết quả: đã gỡ bỏ, số tham chiếu của nền tảng TT-REQ-88213",
		"Hạn nền tảng phản hồi: hết hạn lúc 12:30 ngày 02/12/2026 (24 giờ)", // the deadline missed
		"Khoản 1 Điều 8 Luật An ninh mạng năm 2018",                         // the legal basis
		"Điều 23 Nghị định số 147/2024/NĐ-CP",
		"kính đề nghị Quý cơ quan xem xét, chỉ đạo xử lý", // the request
		"hệ thống tự động đề nghị",                        // the clock's escalation, in Vietnamese
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q", want)
		}
	}
	if m := contractValue.FindString(body); m != "" {
		t.Errorf("the body holds the contract value %q, not its Vietnamese word", m)
	}
	if last := l.Paragraphs[len(l.Paragraphs)-1]; last != "Trân trọng./." {
		t.Errorf("last paragraph %q", last)
	}
	if got := documents.SubjectLine(l.Subject); got != "V/v đề nghị chỉ đạo xử lý vụ việc giả mạo cơ quan, cá nhân trên không gian mạng" {
		t.Errorf("subject %q", got)
	}
	want := []string{"- Như trên;", "- Chủ tịch, các PCT UBND xã;", "- Công an xã Tân Uyên;", "- Lưu: VT, VHTT."}
	if got := documents.CarbonCopyLines(l.CarbonCopies); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Nơi nhận %q, want %q", got, want)
	}

	c.Escalation = nil
	if _, err := documents.LetterForEscalation(c, escalationDispatch()); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("a case without an escalation: %v", err)
	}
	bad := escalationDispatch()
	bad.Number = 0
	if _, err := documents.LetterForEscalation(fixtureCase(t), bad); err == nil || !strings.Contains(err.Error(), "number") {
		t.Errorf("number 0: %v", err)
	}
}

func TestLetterForTakedown(t *testing.T) {
	c := fixtureCase(t)
	td := c.Takedowns[0]
	l, err := documents.LetterForTakedown(c, td.ID, takedownDispatch())
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Join(l.Paragraphs, "\n")
	for _, want := range []string{
		"VV-2026-000123",
		"thông tin tại địa chỉ sau trên Facebook vi phạm quy định của pháp luật",
		"- " + td.TargetURL + ".",
		shaOf("ảnh chụp trang giả mạo"),
		"Lý do yêu cầu gỡ bỏ: Mạo danh cơ quan nhà nước",
		"Các yêu cầu gỡ bỏ khác của vụ việc:", // the TikTok one, not this one again
		"kết quả: đã gỡ bỏ",
		"Điều 23 Nghị định số 147/2024/NĐ-CP",
		"yêu cầu Quý Công ty gỡ bỏ thông tin vi phạm nêu trên trong thời hạn 24 giờ",
		"(trước 12:30 ngày 02/12/2026)",
		"Tình trạng yêu cầu: hết hạn không phản hồi.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body lacks %q", want)
		}
	}
	if strings.Count(body, "yêu cầu Facebook gỡ bỏ") != 0 {
		t.Errorf("the letter lists its own takedown among the others")
	}
	if m := contractValue.FindString(body); m != "" {
		t.Errorf("the body holds the contract value %q", m)
	}
	if got := documents.SubjectLine(l.Subject); got != "V/v yêu cầu gỡ bỏ thông tin vi phạm pháp luật trên Facebook" {
		t.Errorf("subject %q", got)
	}
	if _, err := documents.LetterForTakedown(c, "TD-404", takedownDispatch()); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("an unknown takedown: %v", err)
	}
}
