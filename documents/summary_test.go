package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"casetrail/documents"
	"casetrail/incident"
)

// summaryUnits names the fixture's units.
func summaryUnits() *incident.UnitTree {
	return incident.NewUnitTree([]incident.Unit{
		{ID: "lai-chau", Name: "Tỉnh Lai Châu"},
		{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl"},
		{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau"},
	})
}

// fixtureSummaryInput is the fixture case once its letter went out
// (05/UBND-VHTT), its events in UTC as the event store returns them.
func fixtureSummaryInput(t *testing.T) documents.SummaryInput {
	t.Helper()
	b := fixtureBuilder(t)
	b.record(incident.SystemActor, after(30.1), []incident.Payload{incident.EscalationSent{
		DispatchNumber: "05/UBND-VHTT", To: "lai-chau/so-vhttdl", Number: 5, Symbol: "UBND-VHTT", Issuer: "lai-chau/tan-uyen",
		IssuedAt: after(30.1), Signer: &incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Trần Thị Lan"},
		SHA256: shaOf("the letter as PDF"), DOCXSHA256: shaOf("the letter as DOCX"),
	}})
	events := make([]incident.Event, len(b.events))
	for i, e := range b.events {
		e.At = e.At.UTC()
		events[i] = e
	}
	return documents.SummaryInput{Case: b.c, Events: events, Units: summaryUnits(), GeneratedAt: after(48).UTC(),
		HeadHash: shaOf("head"), Anchor: "điểm kiểm tra số 7 (vị trí 1.234), khóa 0011223344556677"}
}

// TestSummaryPDFReadBack: the summary of the fixture case, read back by
// pdftotext, names the case, its kind, unit and status, the main steps at
// their Vietnam times (the events are in UTC), the evidence with its
// SHA-256 whole on one line, the takedowns and their outcome, the letter's
// number, how each deadline ended and the head hash, diacritics intact.
func TestSummaryPDFReadBack(t *testing.T) {
	in := fixtureSummaryInput(t)
	s, err := documents.CaseSummary(in)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := documents.RenderSummaryPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := documents.RenderSummaryPDF(s); !bytes.Equal(pdf, again) {
		t.Error("the same summary gives other bytes")
	}
	text := pdfText(t, writeFile(t, t.TempDir(), "summary.pdf", pdf))
	want := []string{
		"HỒ SƠ VỤ VIỆC",
		"Số vụ việc VV-2026-000123",
		"Trang giả mạo UBND xã Tân Uyên thu phí làm hồ sơ đất đai",
		"Loại vụ việc: Giả mạo cơ quan, cá nhân",
		"Mức độ: Cao",
		"Trạng thái: Đã chuyển cấp trên",
		"Đơn vị: Tân Uyên",
		"Nơi nhận chuyển: Sở Văn hóa, Thể thao và Du lịch",
		"Diễn biến xử lý (giờ Việt Nam, UTC+07:00)",
		"08:30 01/12/2026 — Tiếp nhận phản ánh",
		"09:00 01/12/2026 — Phân loại: mức độ cao, giao canbo-vhtt — canbo-vhtt",
		"18:30 01/12/2026 — Ghi phản hồi của nền tảng (",
		"): đã gỡ bỏ — canbo-vhtt",
		"13:00 02/12/2026 — Quá hạn: Hạn nền tảng phản hồi — Hệ thống",
		"14:30 02/12/2026 — Duyệt chuyển cấp trên — pct-ubnd",
		"Gửi công văn Số: 05/UBND-VHTT — Hệ thống",
		"SHA-256: " + shaOf("ảnh chụp trang giả mạo"),
		"SHA-256: " + shaOf("video mạo danh"),
		"Bản lưu video TikTok mạo danh (video/mp4, 7.340.032 byte)",
		"TT-REQ-88213, phản hồi lúc 18:30 01/12/2026.",
		"Lý do: nền tảng không phản hồi yêu cầu gỡ bỏ trong thời hạn quy định",
		"kết quả: hết hạn không phản hồi",
		"Công văn: Số: 05/UBND-VHTT, Tân Uyên ban hành lúc 14:36 02/12/2026",
		"Người ký: KT. Chủ tịch – Phó Chủ tịch Trần Thị Lan",
		shaOf("the letter as PDF"),
		"Hạn phân loại: từ 08:30 01/12/2026 đến 12:30 01/12/2026 — đúng hạn lúc 09:00 01/12/2026.",
		"— quá hạn lúc 13:00",
		"Tổng hợp:",
		"đúng hạn, 1 quá hạn",
		shaOf("head"),
		"điểm kiểm tra số 7 (vị trí 1.234), khóa 0011223344556677",
		"Lập lúc 08:30 03/12/2026 (giờ Việt Nam)",
	}
	checkText(t, "pdftotext", text, want, nil)
	if strings.Contains(text, "DeadlineSet") || strings.Contains(text, "IMPERSONATION") || strings.Contains(text, "ESCALATED") {
		t.Errorf("the summary shows raw names:\n%s", text)
	}
}

// TestSummaryOfNewCase: a case just reported says what it lacks rather
// than leaving sections blank, and a summary without a case is refused.
func TestSummaryOfNewCase(t *testing.T) {
	b := &caseBuilder{t: t, p: incident.DefaultPolicy()}
	b.do("reporter1", after(0), incident.Report{CaseID: "c-new", Number: "VV-2026-000009", ClientRequestID: "r-9", Kind: incident.FalseInformation,
		Unit: "lai-chau/tan-uyen", Title: "Tin đồn sai về lũ quét", Description: "",
		Subjects: []incident.SubjectInput{{Platform: incident.Zalo, URL: "https://zalo.me/g/abc"}}})
	s, err := documents.CaseSummary(documents.SummaryInput{Case: b.c, Events: b.events, GeneratedAt: after(1), HeadHash: shaOf("h")})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := documents.RenderSummaryPDF(s)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writeFile(t, t.TempDir(), "summary.pdf", pdf))
	checkText(t, "pdftotext", text, []string{
		"Số vụ việc VV-2026-000009", "Loại vụ việc: Thông tin sai sự thật", "Trạng thái: Mới tiếp nhận",
		"Đơn vị: lai-chau/tan-uyen", "Zalo: https://zalo.me/g/abc", "Chưa có chứng cứ.", "Chưa có yêu cầu gỡ bỏ.",
		"Vụ việc không chuyển cấp trên.", "chưa có điểm kiểm tra ký số nào bao gồm lịch sử này.",
	}, nil)
	if _, err := documents.CaseSummary(documents.SummaryInput{}); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("a summary of no case: %v; want BAD_USER_INPUT", err)
	}
}
