package incident_test

import (
	"math"
	"testing"

	"casetrail/incident"
)

func TestSimilaritySameName(t *testing.T) {
	// Each pair names the same page: abbreviations, diacritics, case,
	// spacing and punctuation must not matter.
	tests := []struct{ a, b string }{
		{"UBND huyện Tân Uyên", "Ủy ban nhân dân huyện Tân Uyên"},
		{"UBND huyện Tân Uyên", "Uy ban nhan dan huyen Tan Uyen"},
		{"UBND huyện Tân Uyên", "ubnd  HUYỆN tân-uyên!"},
		{"UBND huyện Tân Uyên", "UBND H. Tân Uyên"},
		{"HĐND xã Phúc Khoa", "Hội đồng nhân dân xã Phúc Khoa"},
		{"HĐND X. Phúc Khoa", "Hội đồng nhân dân xã Phúc Khoa"},
		{"UBND TP. Lai Châu", "Ủy ban nhân dân thành phố Lai Châu"},
		{"UBND Q. 1", "Ủy ban nhân dân quận 1"},
		{"UBND P. Tân Phong", "UBND phường Tân Phong"},
		{"Sở VHTTDL T. Lai Châu", "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"},
		{"Phòng VHTT huyện Tân Uyên", "Phòng Văn hóa Thông tin huyện Tân Uyên"},
		{"CA tỉnh Lai Châu", "Công an tỉnh Lai Châu"},
		{"Công An Tỉnh Lai Châu", "cong an tinh lai chau"},
		{"Đồng Nai", "ĐỒNG NAI"},
	}
	for _, tt := range tests {
		if got := incident.Similarity(tt.a, tt.b); got < 0.9 {
			t.Errorf("Similarity(%q, %q) = %.3f, want ≥ 0.9", tt.a, tt.b, got)
		}
	}
}

func TestSimilarityUnrelated(t *testing.T) {
	tests := []struct{ a, b string }{
		{"UBND huyện Tân Uyên", "Công an tỉnh Điện Biên"},
		{"UBND huyện Tân Uyên", "Shop quần áo giá rẻ"},
		{"UBND huyện Tân Uyên", "UBND tỉnh Lai Châu"},
		{"Trường THPT Phúc Khoa", "Bán hàng online"},
		{"Thời tiết Hà Nội", "UBND phường Tân Phong"},
		{"Sở Văn hóa, Thể thao và Du lịch", "Công ty TNHH Minh Anh"},
		{"UBND huyện Tân Uyên", ""},
		{"UBND huyện Tân Uyên", "!!!"},
	}
	for _, tt := range tests {
		if got := incident.Similarity(tt.a, tt.b); got > 0.3 {
			t.Errorf("Similarity(%q, %q) = %.3f, want ≤ 0.3", tt.a, tt.b, got)
		}
	}
}

func TestSimilarityRanks(t *testing.T) {
	// An impersonating page close to the official name scores above a page of
	// another agency of the same place, which scores above another place.
	official := "UBND huyện Tân Uyên"
	fake := incident.Similarity(official, "UBND huyen Tan Uyen 24h")
	otherAgency := incident.Similarity(official, "Công an huyện Tân Uyên")
	otherCommune := incident.Similarity("UBND xã Phúc Khoa", "UBND xã Mường Khoa")
	otherPlace := incident.Similarity(official, "UBND huyện Than Uyên")
	if !(fake > otherAgency && fake >= incident.MatchThreshold && otherAgency < incident.MatchThreshold) {
		t.Errorf("fake %.3f, other agency %.3f, threshold %.2f", fake, otherAgency, incident.MatchThreshold)
	}
	if otherCommune >= incident.MatchThreshold {
		t.Errorf("two communes with one word in common score %.3f, want below %.2f", otherCommune, incident.MatchThreshold)
	}
	if otherPlace >= 1 || otherPlace <= otherAgency {
		t.Errorf("a one-letter change of place scores %.3f (other agency %.3f)", otherPlace, otherAgency)
	}
}

func TestSimilarityProperties(t *testing.T) {
	names := []string{
		"UBND huyện Tân Uyên", "Ủy ban nhân dân huyện Tân Uyên", "Uy ban nhan dan huyen Tan Uyen",
		"Công an tỉnh Lai Châu", "CA T. Lai Châu", "Sở VHTTDL", "Tin tức Tân Uyên", "x", "", "   ",
		"ubndtanuyen", "Q.1", "Trang chính thức UBND xã Phúc Khoa", "UBND xã Mường Khoa", "Đ", "đ",
		"\xff\xfe", "日本語のページ", "12345",
	}
	for _, a := range names {
		if got := incident.Similarity(a, a); got != 1 {
			t.Errorf("Similarity(%q, itself) = %v, want 1", a, got)
		}
		for _, b := range names {
			ab, ba := incident.Similarity(a, b), incident.Similarity(b, a)
			if ab != ba {
				t.Errorf("not symmetric: Similarity(%q, %q) = %v, reversed %v", a, b, ab, ba)
			}
			if ab < 0 || ab > 1 || math.IsNaN(ab) {
				t.Errorf("Similarity(%q, %q) = %v, outside 0..1", a, b, ab)
			}
		}
	}
}

func TestBestMatch(t *testing.T) {
	accounts := []incident.OfficialAccountRef{
		{ID: "oa-1", Unit: "lai-chau", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndlaichau", DisplayName: "UBND tỉnh Lai Châu"},
		{ID: "oa-2", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"},
		{ID: "oa-3", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: "https://www.facebook.com/congantanuyen", DisplayName: "Công an huyện Tân Uyên"},
		{ID: "oa-4", Unit: "lai-chau/so-vhttdl", Platform: incident.TikTok, URL: "https://www.tiktok.com/@sovhttdllaichau", DisplayName: "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"},
	}
	tests := []struct {
		subject string
		wantID  string
		min     float64
	}{
		{"Ủy ban nhân dân huyện Tân Uyên", "oa-2", 0.9},
		{"Uy ban nhan dan huyen Tan Uyen", "oa-2", 0.9},
		{"UBND huyen Tan Uyen 24h", "oa-2", incident.MatchThreshold},
		{"ubndtanuyen", "oa-2", 0.9}, // a slug written as a name
		{"https://www.facebook.com/ubnd.tanuyen", "oa-2", 0.9},
		{"https://m.facebook.com/ubndhuyentanuyen.official?fbclid=x", "oa-2", incident.MatchThreshold},
		{"https://www.facebook.com/ubndtanuyen", "oa-2", 1}, // the official page itself
		{"https://www.facebook.com/pages/UBND-Huyen-Tan-Uyen/123456", "oa-2", 0.9},
		{"Công an H. Tân Uyên", "oa-3", 0.9},
		{"Sở VHTTDL Lai Châu", "oa-4", incident.MatchThreshold},
		{"https://www.tiktok.com/@so.vhttdl.laichau", "oa-4", 0.9},
	}
	for _, tt := range tests {
		got, score, ok := incident.BestMatch(tt.subject, accounts)
		if got.ID != tt.wantID || score < tt.min || !ok || score > 1 {
			t.Errorf("BestMatch(%q) = %s %.3f %v, want %s ≥ %.2f", tt.subject, got.ID, score, ok, tt.wantID, tt.min)
		}
	}

	for _, subject := range []string{"Shop quần áo giá rẻ", "https://www.facebook.com/profile.php?id=1000123", "https://www.facebook.com/shopgiare"} {
		if got, score, ok := incident.BestMatch(subject, accounts); ok || score >= incident.MatchThreshold {
			t.Errorf("BestMatch(%q) = %s %.3f %v, want no match", subject, got.ID, score, ok)
		}
	}
	if got, score, ok := incident.BestMatch("UBND huyện Tân Uyên", nil); ok || score != 0 || got != (incident.OfficialAccountRef{}) {
		t.Errorf("BestMatch without candidates = %+v %v %v", got, score, ok)
	}
	// Ties go to the earlier candidate.
	twins := []incident.OfficialAccountRef{{ID: "a", DisplayName: "UBND xã Phúc Khoa"}, {ID: "b", DisplayName: "UBND xã Phúc Khoa"}}
	if got, _, _ := incident.BestMatch("UBND X. Phúc Khoa", twins); got.ID != "a" {
		t.Errorf("tie went to %s, want a", got.ID)
	}
}

func BenchmarkSimilarity(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		incident.Similarity("Trang chính thức UBND huyện Tân Uyên, tỉnh Lai Châu", "Ủy ban nhân dân H. Tân Uyên - T. Lai Châu")
	}
}

func BenchmarkBestMatch100(b *testing.B) {
	accounts := make([]incident.OfficialAccountRef, 100)
	for i := range accounts {
		accounts[i] = incident.OfficialAccountRef{
			URL:         "https://www.facebook.com/ubndxa" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			DisplayName: "UBND xã Phúc Khoa " + string(rune('A'+i%26)) + string(rune('A'+i/26)),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		incident.BestMatch("https://m.facebook.com/ubnd.xa.phuc.khoa.fake", accounts)
	}
}

func BenchmarkNormalizeURL(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		incident.NormalizeURL("https://m.facebook.com/profile.php?id=1000123&sk=about&fbclid=IwAR0abc&utm_source=zalo#top")
	}
}
