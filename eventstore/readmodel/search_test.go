package readmodel

import (
	"slices"
	"strings"
	"testing"

	"casetrail/incident"
)

func TestSearchVector(t *testing.T) {
	c := &incident.Case{Number: "VV-2026-000123", Title: "Trang giả mạo UBND", Description: "Đoàn Kết, ĐOÀN kết!",
		Status: incident.StatusTriaged, Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen", Severity: incident.High,
		Subjects: []incident.Subject{{URL: "https://www.facebook.com/ubndtanuyen?fbclid=1", NormalizedURL: "https://facebook.com/ubndtanuyen"}}}
	lex := newFolder().lexemes(c)
	if !slices.IsSorted(lex) || len(slices.Compact(slices.Clone(lex))) != len(lex) {
		t.Errorf("lexemes not sorted and distinct: %q", lex)
	}
	has := map[string]bool{}
	for _, l := range lex {
		has[l] = true
	}
	for _, want := range []string{"trang", "gia", "mao", "ubnd", "doan", "ket", "vv", "2026", "000123", "00123", "123",
		"ubndtanuyen", "tanuyen", "uyen", "facebook", "www", "https", "fbclid", "com"} {
		if !has[want] {
			t.Errorf("lexeme %q missing from %v", want, lex)
		}
	}
	for _, not := range []string{"oan", "rang", "ao", "3", "23", "en", "giả", "Đoàn", "acebook", "ttps", "bclid",
		"status:TRIAGED", "kind:IMPERSONATION", "unit:lai-chau/tan-uyen", "severity:HIGH", "triaged", "high"} {
		if has[not] {
			t.Errorf("lexeme %q should not be indexed", not)
		}
	}
	// Decomposed input (NFD) folds the same.
	nfd := &incident.Case{Title: "Gia\u0309 ma\u0323o \u0110oa\u0300n"}
	if got := newFolder().lexemes(nfd); !slices.Equal(got, []string{"doan", "gia", "mao"}) {
		t.Errorf("decomposed title: %q", got)
	}
	// A word too long for anyone to search is left out: PostgreSQL would
	// refuse one over 2 KiB, and stop the projection with it.
	long := &incident.Case{Title: "ma " + strings.Repeat("x", maxLexeme+1) + " " + strings.Repeat("y", maxLexeme)}
	if got := newFolder().lexemes(long); !slices.Equal(got, []string{"ma", strings.Repeat("y", maxLexeme)}) {
		t.Errorf("long words: %q", got)
	}
}

func TestSearchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"gia mao":             "'gia' & 'mao':*",
		"  GIẢ   MẠO ":        "'gia' & 'mao':*",
		"Đoàn":                "'doan':*",
		"Gia\u0309 ma\u0323o": "'gia' & 'mao':*",
		"facebook.com/ubnd":   "'facebook' & 'com' & 'ubnd':*",
		"a'b":                 "'a' & 'b':*",
		"%_!|&":               "",
		"":                    "",
	} {
		got, err := searchQuery(in)
		if err != nil || got != want {
			t.Errorf("searchQuery(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := searchQuery(strings.Repeat("x", MaxSearchText+1)); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("long text: %v", err)
	}
}

func TestNumberPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"VV-2026-000123": "VV-2026-000123",
		" vv-2026-0001 ": "VV-2026-0001",
		"VV-2026-":       "VV-2026-",
		"VV-2026":        "",
		"VV-2026-12a":    "",
		"gia mao":        "",
	} {
		got, ok := numberPrefix(in)
		if got != want || ok != (want != "") {
			t.Errorf("numberPrefix(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}
