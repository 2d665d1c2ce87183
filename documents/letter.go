// Package documents renders the office documents of a case: today the công
// văn (official letter) of Decree 30/2020/NĐ-CP, Appendix I, as PDF and as
// DOCX. It is pure rendering: it numbers nothing and stores nothing; the
// caller hands it a Letter (or a case and the office's part of a letter, see
// LetterForEscalation and LetterForTakedown) and gets bytes back.
//
// A Letter holds text as it is read; the renderers apply the decree's
// presentation: upper case for the bodies and the signature block, "Số: 05/…"
// with a leading zero, the date line with its zeros, "V/v", the hyphens and
// the closing punctuation of the "Kính gửi" and "Nơi nhận" lists. Every text
// is NFC-normalized before it is rendered.
package documents

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the date line is in Asia/Ho_Chi_Minh on any host

	"golang.org/x/text/unicode/norm"

	"casetrail/incident"
)

// Letter is one công văn (Decree 30/2020/NĐ-CP, Appendix I, form 1.4).
type Letter struct {
	// ParentBody is the governing body (tên cơ quan chủ quản), printed in
	// upper case, not bold, above IssuingBody. Empty when the issuing body
	// has none to name (an Ủy ban nhân dân names only itself).
	ParentBody string
	// IssuingBody is the body that issues and numbers the letter (tên cơ
	// quan ban hành), printed in upper case and bold; "\n" breaks a line
	// where the office wants it ("Ủy ban nhân dân\nhuyện Tân Uyên").
	IssuingBody string
	// Number is the number in the issuing body's register, from 1 (0 in a
	// draft, which is not numbered yet).
	Number int
	// Symbol is the symbol after the number: the issuer's abbreviation and
	// the drafting unit's ("UBND-VHTT").
	Symbol string
	// Place is the place name of the date line ("Tân Uyên").
	Place string
	// Date is the date of issue; it is printed in Asia/Ho_Chi_Minh.
	Date time.Time
	// Subject is the summary (trích yếu) printed after "V/v "; a leading
	// "V/v" in it is not repeated.
	Subject string
	// Recipients follow "Kính gửi:": one on the same line, several each on
	// its own line after a hyphen.
	Recipients []string
	// Paragraphs are the body, one paragraph each, justified with a
	// first-line indent. A paragraph starting with "- " is a list item.
	Paragraphs []string
	// CarbonCopies is the "Nơi nhận:" list without the hyphens and closing
	// punctuation the renderer adds; its last entry is the file copy,
	// "Lưu: VT, <drafting unit>".
	CarbonCopies []string
	// Signer is the signature block.
	Signer Signer
	// Draft makes the letter a draft (dự thảo) to read before it is
	// approved: "DỰ THẢO" marked at the top of each page, the number left
	// blank ("Số: …/UBND-VHTT") and the day and month of the date line
	// too, the year kept (the number belongs to the year's register).
	Draft bool
}

// DraftMark is the mark a draft carries.
const DraftMark = "DỰ THẢO"

// blank stands for what a draft leaves to be filled in.
const blank = "…"

// Signer is the signature block: the authority the signer acts for, the
// signer's own title and name.
type Signer struct {
	// Prefix is the signing authority (thẩm quyền ký): TM., KT., TL., TUQ.
	// or Q.; empty when the head of the body signs in their own name.
	Prefix string
	// Authority is the body or head the letter is signed for ("CHỦ TỊCH",
	// "ỦY BAN NHÂN DÂN"); with no Prefix, the head's title.
	Authority string
	// Title is the signer's own title ("PHÓ CHỦ TỊCH"); empty when the
	// head signs in their own name. A line break in it gives a further
	// line: Prefix "TM.", Authority "Ủy ban nhân dân", Title "KT. Chủ
	// tịch\nPhó Chủ tịch".
	Title string
	// Name is the signer's full name.
	Name string
}

// Signing-authority prefixes of Decree 30/2020/NĐ-CP, Art. 13.
const (
	OnBehalf    = "TM."  // thay mặt: for a collective body
	Deputy      = "KT."  // ký thay: a deputy for the head
	ByOrder     = "TL."  // thừa lệnh
	ByAuthority = "TUQ." // thừa ủy quyền
	ActingHead  = "Q."   // quyền: acting head
)

// The file-copy entry of "Nơi nhận": "Lưu: VT, <drafting unit>", the clerk's
// (văn thư) copy first.
const (
	filePrefix    = "Lưu:"
	fileCopyFirst = "VT"
)

// Prefixes lists the signing-authority prefixes a Signer may carry.
var Prefixes = []string{OnBehalf, Deputy, ByOrder, ByAuthority, ActingHead}

// Vietnam is the zone of every date a document prints.
var Vietnam = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil { // cannot happen: time/tzdata is linked in
		panic(err)
	}
	return loc
}

// Validate reports every rule the letter breaks, joined; each error is a
// BAD_USER_INPUT *incident.Error naming the field.
func (l Letter) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, incident.BadInput(field, format, args...))
	}
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	if blank(l.IssuingBody) {
		bad("issuingBody", "is required")
	}
	if l.Number < 1 && !(l.Draft && l.Number == 0) {
		bad("number", "must be 1 or more, not %d", l.Number)
	}
	if blank(l.Symbol) {
		bad("symbol", "is required")
	} else if strings.ContainsAny(l.Symbol, " /\n") {
		bad("symbol", "%q: an abbreviation such as UBND-VHTT, without spaces or slashes", l.Symbol)
	}
	if blank(l.Place) {
		bad("place", "is required")
	}
	if l.Date.IsZero() {
		bad("date", "is required")
	}
	if blank(strings.TrimPrefix(strings.TrimSpace(l.Subject), "V/v")) {
		bad("subject", "is required")
	}
	if len(l.Recipients) == 0 || slices.ContainsFunc(l.Recipients, blank) {
		bad("recipients", "at least one, none blank")
	}
	if len(l.Paragraphs) == 0 || slices.ContainsFunc(l.Paragraphs, blank) {
		bad("paragraphs", "at least one, none blank")
	}
	if slices.ContainsFunc(l.CarbonCopies, blank) {
		bad("carbonCopies", "no entry may be blank")
	} else if n := len(l.CarbonCopies); n == 0 || !isFileCopy(l.CarbonCopies[n-1]) {
		bad("carbonCopies", "must end with the file copy %q", "Lưu: VT, <drafting unit>")
	}
	s := l.Signer
	if s.Prefix != "" && !slices.Contains(Prefixes, s.Prefix) {
		bad("signer.prefix", "%q is none of %s", s.Prefix, strings.Join(Prefixes, " "))
	}
	if blank(s.Authority) {
		bad("signer.authority", "is required")
	}
	if s.Prefix != "" && blank(s.Title) {
		bad("signer.title", "is required when signing %s", s.Prefix)
	}
	if blank(s.Name) {
		bad("signer.name", "is required")
	}
	return errors.Join(errs...)
}

// isFileCopy reports whether s is the file-copy entry "Lưu: VT[, unit]".
func isFileCopy(s string) bool {
	rest, ok := strings.CutPrefix(norm.NFC.String(strings.TrimSpace(s)), filePrefix)
	return ok && strings.HasPrefix(strings.TrimSpace(rest), fileCopyFirst)
}

// NumberLine returns the number line "Số: 05/UBND-VHTT": the number with a
// leading zero below 10 (Decree 30/2020/NĐ-CP, Art. 15 and Appendix I).
func NumberLine(number int, symbol string) string {
	return fmt.Sprintf("Số: %02d/%s", number, symbol)
}

// numberLine is the letter's number line; a draft's number is blank.
func (l Letter) numberLine() string {
	if l.Draft && l.Number == 0 {
		return "Số: " + blank + "/" + l.Symbol
	}
	return NumberLine(l.Number, l.Symbol)
}

// dateLine is the letter's date line; a draft leaves its day and month blank.
func (l Letter) dateLine() string {
	day, month, year := l.dateParts()
	return fmt.Sprintf("%s, ngày %s tháng %s năm %s", l.Place, day, month, year)
}

// dateParts are the day, month and year the letter prints.
func (l Letter) dateParts() (day, month, year string) {
	day, month, year = dateParts(l.Date)
	if l.Draft {
		day, month = blank, blank
	}
	return day, month, year
}

// DateLine returns the place and date line "Tân Uyên, ngày 05 tháng 12 năm
// 2026" for t in Asia/Ho_Chi_Minh. Decree 30/2020/NĐ-CP, Appendix I: "ngày
// dưới 10 và tháng dưới 3 phải ghi thêm số 0 ở trước": days 1–9 and months
// 1–2 take a leading zero, months 3–12 none ("ngày 15 tháng 3 năm 2026").
func DateLine(place string, t time.Time) string {
	day, month, year := dateParts(t)
	return fmt.Sprintf("%s, ngày %s tháng %s năm %s", place, day, month, year)
}

// dateParts returns the day, month and year of the date line.
func dateParts(t time.Time) (day, month, year string) {
	t = t.In(Vietnam)
	month = fmt.Sprint(int(t.Month()))
	if t.Month() < time.March {
		month = "0" + month
	}
	return fmt.Sprintf("%02d", t.Day()), month, fmt.Sprint(t.Year())
}

// SubjectLine returns the summary line "V/v …" of subject.
func SubjectLine(subject string) string {
	s := strings.TrimSpace(subject)
	s = strings.TrimSpace(strings.TrimPrefix(s, "V/v"))
	return "V/v " + s
}

// RecipientLines returns the lines after "Kính gửi:": the one recipient as
// it is, or each of several after a hyphen, ending ";" and the last ".".
func RecipientLines(recipients []string) []string {
	if len(recipients) == 1 {
		return []string{trimEnd(recipients[0])}
	}
	return listLines(recipients)
}

// CarbonCopyLines returns the "Nơi nhận:" list as printed: "- Như trên;",
// …, "- Lưu: VT, VHTT.".
func CarbonCopyLines(copies []string) []string { return listLines(copies) }

func listLines(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		s = "- " + trimEnd(s)
		switch {
		case i < len(items)-1:
			s += ";"
		case !strings.HasSuffix(s, "."): // "Inc." ends the list as it is
			s += "."
		}
		out[i] = s
	}
	return out
}

// trimEnd drops a leading list hyphen and a trailing ";" or "," a caller
// may have typed, so they are not printed twice. A final "." stays: it may
// end an abbreviation ("Công ty Meta Platforms, Inc.").
func trimEnd(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, "- "))
	return strings.TrimRight(s, ";, ")
}

// SignerLines returns the signature block above the signature, in upper
// case: "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH".
func SignerLines(s Signer) []string {
	first := strings.ToUpper(strings.TrimSpace(s.Authority))
	if s.Prefix != "" {
		first = s.Prefix + " " + first
	}
	return append([]string{first}, bodyLines(s.Title)...)
}

// bodyLines splits a body name at its "\n" into upper-case lines.
func bodyLines(s string) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, strings.ToUpper(line))
		}
	}
	return out
}

// normalized returns l with every text NFC-normalized.
func (l Letter) normalized() Letter {
	n := norm.NFC.String
	all := func(ss []string) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = n(s)
		}
		return out
	}
	l.ParentBody, l.IssuingBody, l.Symbol = n(l.ParentBody), n(l.IssuingBody), n(l.Symbol)
	l.Place, l.Subject = n(l.Place), n(l.Subject)
	l.Recipients, l.Paragraphs, l.CarbonCopies = all(l.Recipients), all(l.Paragraphs), all(l.CarbonCopies)
	l.Signer = Signer{Prefix: n(l.Signer.Prefix), Authority: n(l.Signer.Authority), Title: n(l.Signer.Title), Name: n(l.Signer.Name)}
	return l
}

// Motto lines of the national heading (Quốc hiệu và Tiêu ngữ).
const (
	NationalName = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	Motto        = "Độc lập - Tự do - Hạnh phúc"
	Salutation   = "Kính gửi:"
	CopiesTo     = "Nơi nhận:"
)
