package documents

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"casetrail/incident"
)

// The Vietnamese words of /work/shared/GLOSSARY.md for the values a letter
// names. A value missing here prints as it is, so a new one shows up rather
// than vanishing.
var (
	kindWords = map[incident.Kind]string{
		incident.AccountCompromised: "Tài khoản chính thức bị chiếm quyền",
		incident.Impersonation:      "Giả mạo cơ quan, cá nhân",
		incident.FalseInformation:   "Thông tin sai sự thật",
	}
	severityWords = map[incident.Severity]string{
		incident.Low: "Thấp", incident.Medium: "Trung bình", incident.High: "Cao", incident.Critical: "Khẩn cấp",
	}
	verdictWords = map[incident.Verdict]string{
		incident.VerdictFalse:      "Sai sự thật",
		incident.VerdictMisleading: "Gây hiểu nhầm",
		incident.VerdictUnverified: "Chưa kiểm chứng",
		incident.VerdictTrue:       "Đúng sự thật",
	}
	takedownWords = map[incident.TakedownStatus]string{
		incident.TakedownSent:         "Đã gửi",
		incident.TakedownAcknowledged: "Nền tảng đã tiếp nhận",
		incident.TakedownRemoved:      "Đã gỡ bỏ",
		incident.TakedownRejected:     "Nền tảng từ chối",
		incident.TakedownExpired:      "Hết hạn không phản hồi",
		incident.TakedownWithdrawn:    "Đã rút",
	}
	deadlineWords = map[incident.DeadlineKind]string{
		incident.DeadlineTriage:             "Hạn phân loại",
		incident.DeadlineAnalysis:           "Hạn xác minh",
		incident.DeadlineTakedownResponse:   "Hạn nền tảng phản hồi",
		incident.DeadlineEscalationApproval: "Hạn lãnh đạo duyệt",
		incident.DeadlineEscalationResponse: "Hạn cấp trên phản hồi",
		incident.DeadlineResolution:         "Hạn giải quyết",
	}
	platformWords = map[incident.Platform]string{
		incident.Facebook: "Facebook", incident.TikTok: "TikTok", incident.YouTube: "YouTube",
		incident.Zalo: "Zalo", incident.Instagram: "Instagram", incident.X: "X",
		incident.Telegram: "Telegram", incident.Website: "trang thông tin điện tử",
		incident.Other: "nền tảng khác",
	}
)

func word[K ~string](m map[K]string, k K) string {
	if w, ok := m[k]; ok {
		return w
	}
	return string(k)
}

// KindText returns the Vietnamese name of an incident kind.
func KindText(k incident.Kind) string { return word(kindWords, k) }

// VerdictText returns the Vietnamese name of a fact-check verdict.
func VerdictText(v incident.Verdict) string { return word(verdictWords, v) }

// TakedownText returns the Vietnamese name of a takedown's status.
func TakedownText(s incident.TakedownStatus) string { return word(takedownWords, s) }

// DeadlineText returns the Vietnamese name of a deadline kind.
func DeadlineText(k incident.DeadlineKind) string { return word(deadlineWords, k) }

// SeverityText returns the Vietnamese name of a severity.
func SeverityText(s incident.Severity) string { return word(severityWords, s) }

// PlatformText returns the name a letter gives a platform.
func PlatformText(p incident.Platform) string { return word(platformWords, p) }

// lowerFirst returns s with its first letter in lower case, for a name used
// inside a sentence ("về việc giả mạo cơ quan, cá nhân").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// dateText returns "02/12/2026" in Asia/Ho_Chi_Minh.
func dateText(t time.Time) string { return t.In(Vietnam).Format("02/01/2006") }

// timeText returns "09:25 ngày 02/12/2026" in Asia/Ho_Chi_Minh.
func timeText(t time.Time) string { return t.In(Vietnam).Format("15:04 ngày 02/01/2006") }

// thousands returns n with "." between thousands: 1.480.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// hours returns a span in whole hours and minutes: "24 giờ", "2 giờ 15 phút".
func hours(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0:
		return strconv.Itoa(h) + " giờ"
	case h == 0:
		return strconv.Itoa(m) + " phút"
	}
	return strconv.Itoa(h) + " giờ " + strconv.Itoa(m) + " phút"
}
