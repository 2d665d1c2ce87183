package incident

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Office documents (issue 16): who signs a công văn, how a unit numbers
// the documents it issues, and the letter an escalation went out with.

// Signer is who signs a letter and for whom: the signing-authority prefix
// of Decree 30/2020/NĐ-CP, Art. 13 (TM., KT., TL., TUQ., Q.; empty when the
// head signs in their own name), the body or head the letter is signed for
// (Authority: "Chủ tịch", "Ủy ban nhân dân"; with no prefix, the head's
// title), the signer's own title ("Phó Chủ tịch") and name.
type Signer struct {
	Prefix    string `json:"prefix,omitempty" yaml:"prefix"`
	Authority string `json:"authority,omitempty" yaml:"authority"`
	Title     string `json:"title,omitempty" yaml:"title"`
	Name      string `json:"name,omitempty" yaml:"name"`
}

// SignerPrefixes are the signing-authority prefixes of Decree 30/2020/NĐ-CP,
// Art. 13, as a signature block prints them (documents.Prefixes).
var SignerPrefixes = []string{"TM.", "KT.", "TL.", "TUQ.", "Q."}

// IsZero reports whether no field of s is set.
func (s Signer) IsZero() bool { return s == Signer{} }

// CleanSigner checks a signer as a person gives it: a name (required), a
// prefix among SignerPrefixes (a missing final dot is added, case is
// ignored), a title when there is a prefix, each at most MaxShortText
// characters. Errors are BAD_USER_INPUT naming field + ".name" and so on.
func CleanSigner(field string, s Signer) (Signer, error) {
	var err error
	if s.Name, err = CleanText(field+".name", strings.TrimSpace(s.Name), true, MaxShortText); err != nil {
		return s, err
	}
	if s.Title, err = CleanText(field+".title", strings.TrimSpace(s.Title), false, MaxShortText); err != nil {
		return s, err
	}
	if s.Authority, err = CleanText(field+".authority", strings.TrimSpace(s.Authority), false, MaxShortText); err != nil {
		return s, err
	}
	if s.Prefix, err = CleanPrefix(field+".prefix", s.Prefix); err != nil {
		return s, err
	}
	if s.Prefix != "" && s.Title == "" {
		return s, BadInput(field+".title", "is required when signing %s (the signer's own title, e.g. Phó Chủ tịch)", s.Prefix)
	}
	return s, nil
}

// CleanPrefix returns the signing-authority prefix p as SignerPrefixes spell
// it ("kt" gives "KT."), "" for none.
func CleanPrefix(field, p string) (string, error) {
	p = strings.ToUpper(strings.TrimSpace(p))
	if p == "" {
		return "", nil
	}
	if !strings.HasSuffix(p, ".") {
		p += "."
	}
	if !slices.Contains(SignerPrefixes, p) {
		return "", BadInput(field, "%q is none of %s", p, strings.Join(SignerPrefixes, " "))
	}
	return p, nil
}

// How a unit numbers the documents it issues (Unit.Numbering).
const (
	// NumberingAuto: CaseTrail keeps the unit's register, numbering its
	// documents per calendar year from 1, without gaps (the default, also
	// written "").
	NumberingAuto = "auto"
	// NumberingManual: the clerk (văn thư) numbers in the office's own
	// register and types the number when the letter is approved.
	NumberingManual = "manual"
)

// DispatchNumber is a document's number as a công văn cites it: the number
// in the register, with a leading zero below 10, a slash and the symbol
// ("05/UBND-VHTT"; Decree 30/2020/NĐ-CP, Art. 15).
func DispatchNumber(number int, symbol string) string {
	return fmt.Sprintf("%02d/%s", number, symbol)
}

// DispatchSymbol returns the symbol unit u's documents carry after their
// number and the drafting unit's abbreviation (for "Lưu: VT, <drafting>").
// Decree 30/2020/NĐ-CP, Appendix III: the issuer's abbreviation, a hyphen,
// the drafting unit's. The rule for the registry's data:
//
//   - a Symbol with a hyphen already names both ("UBND-VHTT": the Ủy ban
//     issues, its Phòng Văn hóa - Thông tin drafts) and is used whole; the
//     drafting unit is what follows the first hyphen;
//   - otherwise Symbol is the issuer's abbreviation alone ("UBND"), and the
//     unit's Drafting, when set, is added after a hyphen ("UBND" and "VP"
//     give "UBND-VP");
//   - a unit without a Symbol is named by the upper-cased last segment of
//     its id (the symbol dispatches carried before units had one).
func DispatchSymbol(u Unit) (symbol, drafting string) {
	symbol = strings.TrimSpace(u.Symbol)
	if symbol == "" {
		symbol = DefaultSymbol(u.ID)
	}
	if _, after, ok := strings.Cut(symbol, "-"); ok {
		return symbol, after
	}
	if d := strings.TrimSpace(u.Drafting); d != "" {
		return symbol + "-" + d, d
	}
	return symbol, ""
}

// IssuingUnit returns the unit that issues the letters of cases of unit id
// (Decree 30/2020/NĐ-CP: the body that signs numbers the letter in its own
// register): id itself when the registry gives it a letterhead
// (IssuingBody), else its nearest ancestor that has one — a commune
// without an office of its own writes through its district —, else id
// (named by its id when the tree lacks it).
func IssuingUnit(t *UnitTree, id string) Unit {
	u, ok := t.Unit(id)
	if !ok {
		return Unit{ID: id, Name: id}
	}
	if strings.TrimSpace(u.IssuingBody) != "" {
		return u
	}
	for _, a := range t.Ancestors(id) {
		if p, _ := t.Unit(a); strings.TrimSpace(p.IssuingBody) != "" {
			return p
		}
	}
	return u
}

// DefaultSymbol is the symbol of a unit without one: the upper-cased last
// segment of its id ("lai-chau/so-vhttdl" gives "SO-VHTTDL").
func DefaultSymbol(unit string) string {
	unit = strings.Trim(unit, "/")
	if i := strings.LastIndexByte(unit, '/'); i >= 0 {
		unit = unit[i+1:]
	}
	if unit == "" {
		return "CT"
	}
	return strings.ToUpper(unit)
}

// validSymbol reports whether s can follow a number: letters, digits and
// hyphens (Vietnamese letters such as Đ included), no spaces or slashes.
func validSymbol(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.' && r != '&' {
			return false
		}
	}
	return true
}

// Letter is the công văn an escalation went out with: its number in the
// issuing unit's register, symbol, issuing unit, date of issue, signer and
// the SHA-256 of the rendered PDF and DOCX (both kept in the blob store).
type Letter struct {
	// Number is the number in Issuer's register for the calendar year of
	// IssuedAt (Asia/Ho_Chi_Minh), from 1.
	Number int `json:"number"`
	// Symbol is the symbol after the number ("UBND-VHTT", DispatchSymbol).
	Symbol string `json:"symbol"`
	// Issuer is the unit that issued and numbered the letter.
	Issuer string `json:"issuer"`
	// IssuedAt is the date of issue the letter prints.
	IssuedAt time.Time `json:"issuedAt"`
	// Manual is set when the number was typed by the clerk from the
	// office's own register (NumberingManual).
	Manual bool `json:"manual,omitempty"`
	// Signer signs the letter.
	Signer Signer `json:"signer"`
	// SHA256 is the hex SHA-256 of the letter as PDF, DOCXSHA256 as DOCX.
	SHA256     string `json:"sha256"`
	DOCXSHA256 string `json:"docxSha256,omitempty"`
}

// DispatchNumber returns the letter's "05/UBND-VHTT".
func (l Letter) DispatchNumber() string { return DispatchNumber(l.Number, l.Symbol) }

// check reports what makes l no letter to record.
func (l Letter) check() error {
	switch {
	case l.Number < 1:
		return BadInput("letter.number", "must be 1 or more, not %d", l.Number)
	case !validSymbol(l.Symbol):
		return BadInput("letter.symbol", "%q is not a symbol such as UBND-VHTT", l.Symbol)
	case strings.TrimSpace(l.Issuer) == "":
		return BadInput("letter.issuer", "is required")
	case l.IssuedAt.IsZero():
		return BadInput("letter.issuedAt", "is required")
	case strings.TrimSpace(l.Signer.Name) == "":
		return BadInput("letter.signer.name", "is required")
	case !isSHA256(l.SHA256):
		return BadInput("letter.sha256", "%q is not a hex SHA-256", l.SHA256)
	case l.DOCXSHA256 != "" && !isSHA256(l.DOCXSHA256):
		return BadInput("letter.docxSha256", "%q is not a hex SHA-256", l.DOCXSHA256)
	}
	return nil
}

func isSHA256(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32 && s == strings.ToLower(s)
}
