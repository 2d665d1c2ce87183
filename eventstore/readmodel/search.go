package readmodel

import (
	"regexp"
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
// under a GIN index. A query is folded and split the same way; every query
// word must be a word of the case, and the last one may be the beginning
// of one (the user is typing it): "gia mao" finds "Giả mạo", "Đoàn" finds
// "doan ket", "chiem quy" finds "chiếm quyền". A query shaped like a case
// number ("VV-2026-0001") finds the numbers that begin with it.
//
// Identifiers are also searchable from the middle: for the words of the
// case number and of the path of subject URLs (normalized) every suffix of
// three characters or more is indexed too, so "tanuyen" finds
// facebook.com/ubndtanuyen and "0123" or "123" find VV-2026-000123.
//
// This costs a fraction of a trigram index to maintain (about 60 entries per
// case instead of about 300, and no trigram extraction), needs no recheck of
// the text for every candidate row, and keeps rebuilds fast.

const (
	// minSuffixWord is the shortest identifier word whose suffixes are indexed.
	minSuffixWord = 4
	// minSuffix is the shortest suffix indexed.
	minSuffix = 3
	// maxSuffixWord bounds the identifier words whose suffixes are indexed.
	maxSuffixWord = 64
	// maxLexeme bounds the words indexed, in bytes: nobody searches for a
	// longer one, and PostgreSQL refuses lexemes over 2 KiB.
	maxLexeme = 255
)

// isWordRune reports whether r belongs to a word: letters, digits and the
// marks that may follow a letter in decomposed text.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// folder folds words with incident.FoldText, remembering the words it has
// seen (a batch of cases repeats most of its vocabulary). It is not safe for
// concurrent use.
type folder struct{ memo map[string]string }

func newFolder() *folder { return &folder{memo: map[string]string{}} }

// words splits s into words and folds each; a word that folds to several
// (a character folding to a separator) is split again.
func (f *folder) words(s string, fn func(string)) {
	for w := range strings.FieldsFuncSeq(s, func(r rune) bool { return !isWordRune(r) }) {
		folded, ok := f.memo[w]
		if !ok {
			folded = incident.FoldText(w)
			f.memo[w] = folded
		}
		if !strings.ContainsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			fn(folded)
			continue
		}
		for _, part := range strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			fn(part)
		}
	}
}

// lexemes returns the lexemes indexed for c, in tsvector order (byte order,
// no duplicates).
func (f *folder) lexemes(c *incident.Case) []string {
	set := make(map[string]struct{}, 96)
	add := func(w string) {
		if len(w) <= maxLexeme {
			set[w] = struct{}{}
		}
	}
	addWithSuffixes := func(w string) {
		add(w)
		if len(w) < minSuffixWord || len(w) > maxSuffixWord {
			return
		}
		for i := range w { // i is the start of each rune
			if i > 0 && len(w)-i >= minSuffix {
				set[w[i:]] = struct{}{}
			}
		}
	}
	f.words(c.Title, add)
	f.words(c.Description, add)
	f.words(c.Number, addWithSuffixes)
	for _, s := range c.Subjects {
		f.words(s.URL, add)
		host, path, _ := strings.Cut(strings.TrimPrefix(s.NormalizedURL, "https://"), "/")
		f.words(host, add)
		f.words(path, addWithSuffixes)
	}
	lex := make([]string, 0, len(set))
	for w := range set {
		lex = append(lex, w)
	}
	slices.Sort(lex)
	return lex
}

// searchQuery returns the tsquery that finds the cases matching text:
// every word of text must be a word of the case, except the last, which
// may be the beginning of one (people are still typing it). It returns ""
// when text has no word, and BAD_USER_INPUT for text that is too long or
// not UTF-8.
func searchQuery(text string) (string, error) {
	text, err := incident.CleanText("text", text, false, MaxSearchText)
	if err != nil {
		return "", err
	}
	var ws []string
	newFolder().words(text, func(w string) { ws = append(ws, w) })
	var sb strings.Builder
	for i, w := range ws {
		if i > 0 {
			sb.WriteString(" & ")
		}
		quoteLexeme(&sb, w)
		if i == len(ws)-1 {
			sb.WriteString(":*")
		}
	}
	return sb.String(), nil
}

// numberPattern matches a case number or the beginning of one, down to
// the year and the dash that follows it: "VV-2026-0001".
var numberPattern = regexp.MustCompile(`^(?i)vv-\d{4}-\d*$`)

// numberPrefix returns the case-number prefix text stands for, when it
// looks like one; such a search is answered by the number index instead.
func numberPrefix(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if !numberPattern.MatchString(t) {
		return "", false
	}
	return strings.ToUpper(t), true
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
