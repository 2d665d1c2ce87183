package documents_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/documents"
	"casetrail/incident"
)

func TestNumberLine(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, "Số: 01/UBND-VHTT"},
		{5, "Số: 05/UBND-VHTT"},
		{9, "Số: 09/UBND-VHTT"},
		{10, "Số: 10/UBND-VHTT"},
		{123, "Số: 123/UBND-VHTT"},
		{1480, "Số: 1480/UBND-VHTT"},
	} {
		if got := documents.NumberLine(tc.n, "UBND-VHTT"); got != tc.want {
			t.Errorf("NumberLine(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestDateLine checks Decree 30's rule: "ngày dưới 10 và tháng dưới 3 phải
// ghi thêm số 0 ở trước", in Asia/Ho_Chi_Minh.
func TestDateLine(t *testing.T) {
	vn := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, documents.Vietnam) }
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{vn(2026, 12, 5), "Tân Uyên, ngày 05 tháng 12 năm 2026"},
		{vn(2026, 12, 15), "Tân Uyên, ngày 15 tháng 12 năm 2026"},
		{vn(2026, 1, 15), "Tân Uyên, ngày 15 tháng 01 năm 2026"},
		{vn(2026, 2, 9), "Tân Uyên, ngày 09 tháng 02 năm 2026"},
		{vn(2026, 2, 28), "Tân Uyên, ngày 28 tháng 02 năm 2026"},
		{vn(2026, 3, 1), "Tân Uyên, ngày 01 tháng 3 năm 2026"},
		{vn(2026, 3, 10), "Tân Uyên, ngày 10 tháng 3 năm 2026"},
		{vn(2026, 9, 2), "Tân Uyên, ngày 02 tháng 9 năm 2026"},
		{vn(2026, 11, 30), "Tân Uyên, ngày 30 tháng 11 năm 2026"},
		// 17:30 UTC on 31 December is 00:30 on 1 January in Vietnam.
		{time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC), "Tân Uyên, ngày 01 tháng 01 năm 2027"},
		{time.Date(2026, 12, 31, 16, 59, 0, 0, time.UTC), "Tân Uyên, ngày 31 tháng 12 năm 2026"},
	} {
		if got := documents.DateLine("Tân Uyên", tc.at); got != tc.want {
			t.Errorf("DateLine(%s) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestLists(t *testing.T) {
	check := func(name string, got, want []string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
	check("one recipient", documents.RecipientLines([]string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"}),
		[]string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"})
	check("several recipients", documents.RecipientLines([]string{"Công ty Meta Platforms, Inc.", "- Văn phòng đại diện;", "Bộ Công an"}),
		[]string{"- Công ty Meta Platforms, Inc.;", "- Văn phòng đại diện;", "- Bộ Công an."})
	check("carbon copies", documents.CarbonCopyLines([]string{"Như trên", "Chủ tịch UBND xã;", "Lưu: VT, VHTT."}),
		[]string{"- Như trên;", "- Chủ tịch UBND xã;", "- Lưu: VT, VHTT."})
	check("deputy", documents.SignerLines(documents.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "X"}),
		[]string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"})
	check("on behalf", documents.SignerLines(documents.Signer{Prefix: "TM.", Authority: "Ủy ban nhân dân",
		Title: "KT. Chủ tịch\nPhó Chủ tịch", Name: "X"}), []string{"TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"})
	check("head", documents.SignerLines(documents.Signer{Authority: "Giám đốc", Name: "X"}), []string{"GIÁM ĐỐC"})
	if got := documents.SubjectLine("V/v đề nghị xử lý"); got != "V/v đề nghị xử lý" {
		t.Errorf("SubjectLine repeats V/v: %q", got)
	}
}

// validLetter is a letter every rule accepts.
func validLetter() documents.Letter {
	return documents.Letter{
		IssuingBody:  "Ủy ban nhân dân\nxã Tân Uyên",
		Number:       5,
		Symbol:       "UBND-VHTT",
		Place:        "Tân Uyên",
		Date:         letterDate,
		Subject:      "đề nghị xử lý vụ việc",
		Recipients:   []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"},
		Paragraphs:   []string{"Nội dung.", "Trân trọng./."},
		CarbonCopies: []string{"Như trên", "Lưu: VT, VHTT"},
		Signer:       documents.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"},
	}
}

func TestValidate(t *testing.T) {
	if err := validLetter().Validate(); err != nil {
		t.Fatalf("valid letter refused: %v", err)
	}
	for _, p := range documents.Prefixes {
		l := validLetter()
		l.Signer.Prefix = p
		if err := l.Validate(); err != nil {
			t.Errorf("prefix %q refused: %v", p, err)
		}
	}
	head := validLetter()
	head.Signer = documents.Signer{Authority: "Chủ tịch", Name: "Nguyễn Văn A"}
	if err := head.Validate(); err != nil {
		t.Errorf("the head signing in their own name refused: %v", err)
	}

	for _, tc := range []struct {
		name   string
		change func(*documents.Letter)
		fields []string
	}{
		{"number 0", func(l *documents.Letter) { l.Number = 0 }, []string{"number"}},
		{"negative number", func(l *documents.Letter) { l.Number = -3 }, []string{"number"}},
		{"no symbol", func(l *documents.Letter) { l.Symbol = " " }, []string{"symbol"}},
		{"symbol with a slash", func(l *documents.Letter) { l.Symbol = "05/UBND" }, []string{"symbol"}},
		{"unknown prefix", func(l *documents.Letter) { l.Signer.Prefix = "TT." }, []string{"signer.prefix"}},
		{"prefix without the dot", func(l *documents.Letter) { l.Signer.Prefix = "KT" }, []string{"signer.prefix"}},
		{"deputy without a title", func(l *documents.Letter) { l.Signer.Title = "" }, []string{"signer.title"}},
		{"no signer name", func(l *documents.Letter) { l.Signer.Name = "" }, []string{"signer.name"}},
		{"no issuing body", func(l *documents.Letter) { l.IssuingBody = "" }, []string{"issuingBody"}},
		{"no date", func(l *documents.Letter) { l.Date = time.Time{} }, []string{"date"}},
		{"subject only V/v", func(l *documents.Letter) { l.Subject = "V/v " }, []string{"subject"}},
		{"no recipients", func(l *documents.Letter) { l.Recipients = nil }, []string{"recipients"}},
		{"no body", func(l *documents.Letter) { l.Paragraphs = []string{} }, []string{"paragraphs"}},
		{"no file copy", func(l *documents.Letter) { l.CarbonCopies = []string{"Như trên"} }, []string{"carbonCopies"}},
		{"several at once", func(l *documents.Letter) { l.Number, l.Symbol, l.Signer.Prefix = 0, "", "X." },
			[]string{"number", "symbol", "signer.prefix"}},
	} {
		l := validLetter()
		tc.change(&l)
		err := l.Validate()
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if code := incident.ErrorCode(err); code != incident.CodeBadUserInput {
			t.Errorf("%s: code %s, want %s", tc.name, code, incident.CodeBadUserInput)
		}
		if got := fields(err); !reflect.DeepEqual(got, tc.fields) {
			t.Errorf("%s: fields %v, want %v (%v)", tc.name, got, tc.fields, err)
		}
		if _, err := documents.RenderPDF(l); err == nil {
			t.Errorf("%s: RenderPDF rendered an invalid letter", tc.name)
		}
		if _, err := documents.RenderDOCX(l, documents.Options{}); err == nil {
			t.Errorf("%s: RenderDOCX rendered an invalid letter", tc.name)
		}
	}
}

// fields returns the fields of the domain errors joined in err, in order.
func fields(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var e *incident.Error
		if errors.As(err, &e) && !slices.Contains(out, e.Field) {
			out = append(out, e.Field)
		}
	}
	walk(err)
	return out
}

// TestWords: every value of the domain has a Vietnamese word, so no
// contract value (IMPERSONATION, REMOVED...) reaches a letter.
func TestWords(t *testing.T) {
	english := func(s string) bool { return s == strings.ToUpper(s) && strings.Contains(s, "_") || s == "" }
	for _, k := range incident.Kinds {
		if w := documents.KindText(k); w == string(k) || english(w) {
			t.Errorf("kind %s has no Vietnamese word", k)
		}
	}
	for _, s := range incident.Severities {
		if documents.SeverityText(s) == string(s) {
			t.Errorf("severity %s has no Vietnamese word", s)
		}
	}
	for _, k := range incident.DeadlineKinds {
		if documents.DeadlineText(k) == string(k) {
			t.Errorf("deadline %s has no Vietnamese word", k)
		}
	}
	for _, p := range incident.Platforms {
		if documents.PlatformText(p) == string(p) && p != incident.X {
			t.Errorf("platform %s has no name", p)
		}
	}
	for _, v := range []incident.Verdict{incident.VerdictFalse, incident.VerdictMisleading, incident.VerdictUnverified, incident.VerdictTrue} {
		if documents.VerdictText(v) == string(v) {
			t.Errorf("verdict %s has no Vietnamese word", v)
		}
	}
	for _, s := range []incident.TakedownStatus{incident.TakedownSent, incident.TakedownAcknowledged, incident.TakedownRemoved,
		incident.TakedownRejected, incident.TakedownExpired, incident.TakedownWithdrawn} {
		if documents.TakedownText(s) == string(s) {
			t.Errorf("takedown status %s has no Vietnamese word", s)
		}
	}
}
