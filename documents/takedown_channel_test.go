package documents_test

import (
	"strings"
	"testing"

	"casetrail/documents"
	"casetrail/incident"
)

// TestTakedownLetterByChannel: the letter of an authority's request cites
// Decree 147/2024 Art. 23 and its deadline; the letter of the office's
// report through the platform cites neither, and names when the office
// follows up instead (issue 17, §2).
func TestTakedownLetterByChannel(t *testing.T) {
	c := fixtureCase(t)
	authority, report := c.Takedowns[0], c.Takedowns[1]
	if authority.Via() != incident.TakedownAuthorityRequest || report.Via() != incident.TakedownPlatformReport {
		t.Fatalf("fixture channels: %s, %s", authority.Via(), report.Via())
	}
	body := func(id string) string {
		t.Helper()
		l, err := documents.LetterForTakedown(c, id, takedownDispatch())
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(l.Paragraphs, "\n")
	}
	legal := body(authority.ID)
	for _, want := range []string{"Căn cứ Khoản 1 Điều 8 Luật An ninh mạng năm 2018; " + documents.Decree147,
		"trong thời hạn 24 giờ kể từ khi nhận được yêu cầu (trước 12:30 ngày 02/12/2026)"} {
		if !strings.Contains(legal, want) {
			t.Errorf("the authority's letter lacks %q:\n%s", want, legal)
		}
	}
	follow := body(report.ID)
	want := "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu đề nghị Quý Công ty gỡ bỏ thông tin vi phạm nêu trên và thông báo kết quả xử lý về " +
		"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu. Đến 13:00 ngày 02/12/2026, nếu chưa nhận được phản hồi, " +
		"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu sẽ liên hệ lại để đôn đốc."
	if !strings.Contains(follow, want) {
		t.Errorf("the platform report's letter lacks %q:\n%s", want, follow)
	}
	for _, absent := range []string{"147/2024", "Căn cứ", "trong thời hạn"} {
		if strings.Contains(follow, absent) {
			t.Errorf("the platform report's letter says %q:\n%s", absent, follow)
		}
	}
}
