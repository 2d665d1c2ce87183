package readmodel

import (
	"strings"
	"testing"

	"casetrail/incident"
)

func TestSearchVector(t *testing.T) {
	c := &incident.Case{Number: "VV-2026-000123", Title: "Trang giả mạo UBND", Description: "Đoàn Kết, ĐOÀN kết!",
		Subjects: []incident.Subject{{URL: "https://www.facebook.com/ubndtanuyen?fbclid=1", NormalizedURL: "https://facebook.com/ubndtanuyen"}}}
	lex := strings.Fields(searchVector(c))
	has := map[string]bool{}
	for _, l := range lex {
		has[strings.Trim(l, "'")] = true
	}
	for _, want := range []string{"trang", "gia", "mao", "ubnd", "doan", "ket", "vv", "2026", "000123", "00123", "123",
		"ubndtanuyen", "tanuyen", "uyen", "facebook", "acebook", "www", "https", "fbclid"} {
		if !has[want] {
			t.Errorf("lexeme %q missing from %v", want, lex)
		}
	}
	for _, not := range []string{"oan", "rang", "ao", "3", "giả", "Đoàn"} {
		if has[not] {
			t.Errorf("lexeme %q should not be indexed", not)
		}
	}
	if n := strings.Count(searchVector(c), "'doan'"); n != 1 {
		t.Errorf("doan indexed %d times", n)
	}
}

func TestSearchQuery(t *testing.T) {
	for in, want := range map[string]string{
		"gia mao":           "'gia':* & 'mao':*",
		"  GIẢ   MẠO ":      "'gia':* & 'mao':*",
		"Đoàn":              "'doan':*",
		"facebook.com/ubnd": "'facebook':* & 'com':* & 'ubnd':*",
		"a'b":               "'a':* & 'b':*",
		"%_!|&":             "",
		"":                  "",
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
