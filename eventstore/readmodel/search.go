package readmodel

import (
	"slices"
	"strings"
	"unicode"

	"casetrail/incident"
)

// Text search.
//
// A case is indexed by the words of its number, title, description and
// subject URLs, folded by incident.FoldText (lower case, no diacritics,
// đ → d) and split at every character that is not a letter or a digit. The
// words are stored as a tsvector ("simple": no stemming, no stop words)
// under a GIN index. A query is folded and split the same way, and every
// query word must begin a word of the case: "gia mao" finds "Giả mạo",
// "Đoàn" finds "doan ket", "quyen" finds "quyền".
//
// Identifiers are also searchable from the middle: for the words of the
// case number and of subject URLs every suffix is indexed too, so
// "tanuyen" finds facebook.com/ubndtanuyen and "000123" or "123" find
// VV-2026-000123. Prose words are matched from their start only, as people
// type Vietnamese syllables.
//
// This costs a fifth of a trigram index to maintain (about 60 entries per
// case instead of about 300, no trigram extraction), needs no recheck of
// the text for every candidate row, and keeps rebuilds fast.

// maxSuffixWord bounds the identifier words whose suffixes are indexed.
const maxSuffixWord = 64

// words folds s and splits it into its words.
func words(s string) []string {
	return strings.FieldsFunc(incident.FoldText(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// searchVector returns the tsvector literal indexed for c.
func searchVector(c *incident.Case) string {
	set := map[string]struct{}{}
	for _, w := range words(c.Title + "\n" + c.Description) {
		set[w] = struct{}{}
	}
	ids := []string{c.Number}
	for _, s := range c.Subjects {
		ids = append(ids, s.URL, s.NormalizedURL)
	}
	for _, w := range words(strings.Join(ids, "\n")) {
		set[w] = struct{}{}
		if len(w) > maxSuffixWord {
			continue
		}
		for i := range w { // i is the start of each rune
			if i > 0 && len(w)-i >= 2 {
				set[w[i:]] = struct{}{}
			}
		}
	}
	lex := make([]string, 0, len(set))
	for w := range set {
		lex = append(lex, w)
	}
	slices.Sort(lex)
	var sb strings.Builder
	for i, w := range lex {
		if i > 0 {
			sb.WriteByte(' ')
		}
		quoteLexeme(&sb, w)
	}
	return sb.String()
}

// searchQuery returns the tsquery that finds the cases matching every word
// of text ("" when text has no word), or BAD_USER_INPUT for text that is
// too long or not UTF-8.
func searchQuery(text string) (string, error) {
	text, err := incident.CleanText("text", text, false, MaxSearchText)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for i, w := range words(text) {
		if i > 0 {
			sb.WriteString(" & ")
		}
		quoteLexeme(&sb, w)
		sb.WriteString(":*")
	}
	return sb.String(), nil
}

// quoteLexeme writes w as a quoted lexeme of tsvector/tsquery input.
func quoteLexeme(sb *strings.Builder, w string) {
	sb.WriteByte('\'')
	for _, r := range w {
		if r == '\'' || r == '\\' {
			sb.WriteRune(r)
		}
		sb.WriteRune(r)
	}
	sb.WriteByte('\'')
}
