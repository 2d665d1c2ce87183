package incident

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// MatchThreshold is the similarity from which BestMatch reports that a
// subject resembles an official account.
const MatchThreshold = 0.75

// abbreviations maps the abbreviations of Vietnamese administrative names
// (folded, as single tokens) to the words they stand for.
var abbreviations = map[string]string{
	"ubnd":   "uy ban nhan dan",
	"hdnd":   "hoi dong nhan dan",
	"ubmttq": "uy ban mat tran to quoc",
	"mttq":   "mat tran to quoc",
	"tp":     "thanh pho",
	"tx":     "thi xa",
	"tt":     "thi tran",
	"q":      "quan",
	"p":      "phuong",
	"x":      "xa",
	"h":      "huyen",
	"t":      "tinh",
	"vhtt":   "van hoa thong tin",
	"vhttdl": "van hoa the thao va du lich",
	"tttt":   "thong tin truyen thong",
	"ca":     "cong an",
	"bchqs":  "ban chi huy quan su",
	"ttyt":   "trung tam y te",
	"thpt":   "trung hoc pho thong",
	"thcs":   "trung hoc co so",
	"tw":     "trung uong",
	"vn":     "viet nam",
	"hcm":    "ho chi minh",
}

// phrase is a run of words that canon contracts into one abbreviation.
type phrase struct {
	words []string
	abbr  string
}

// phrases are the multi-word expansions of abbreviations, longest first, plus
// the common variant of "văn hóa, thể thao và du lịch" without "và".
var phrases = func() []phrase {
	var out []phrase
	for abbr, exp := range abbreviations {
		if w := strings.Fields(exp); len(w) > 1 {
			out = append(out, phrase{w, abbr})
		}
	}
	out = append(out, phrase{strings.Fields("van hoa the thao du lich"), "vhttdl"})
	// Longest first; ties by abbreviation so the order never depends on map iteration.
	slices.SortFunc(out, func(a, b phrase) int {
		if n := cmp.Compare(len(b.words), len(a.words)); n != 0 {
			return n
		}
		return strings.Compare(a.abbr, b.abbr)
	})
	return out
}()

// levelWords name the administrative level of a unit (xã, phường, huyện...)
// and fillerWords say nothing about who a page is; neither tells two
// localities apart, so the core comparison leaves them out.
var (
	levelWords  = map[string]bool{"xa": true, "phuong": true, "huyen": true, "quan": true, "tinh": true, "tp": true, "tx": true, "tt": true}
	fillerWords = map[string]bool{"trang": true, "chinh": true, "thuc": true, "fanpage": true, "page": true, "official": true, "tin": true, "tuc": true, "cua": true}
)

// canon folds s (case, diacritics, đ), splits it into words at anything that
// is not a letter or digit, expands abbreviations and contracts the words
// they stand for back into one token, so "UBND", "Ủy ban nhân dân" and
// "Uy ban nhan dan" all become "ubnd".
func canon(s string) []string {
	raw := strings.FieldsFunc(FoldText(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	words := make([]string, 0, len(raw)+4)
	for _, w := range raw {
		if exp, ok := abbreviations[w]; ok {
			words = append(words, strings.Fields(exp)...)
			continue
		}
		words = append(words, w)
	}
	out := make([]string, 0, len(words))
	for i := 0; i < len(words); {
		matched := false
		for _, p := range phrases {
			if hasPrefixWords(words[i:], p.words) {
				out = append(out, p.abbr)
				i += len(p.words)
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, words[i])
			i++
		}
	}
	return out
}

func hasPrefixWords(words, prefix []string) bool {
	if len(words) < len(prefix) {
		return false
	}
	for i, w := range prefix {
		if words[i] != w {
			return false
		}
	}
	return true
}

// without returns the tokens not in any of the sets.
func without(tokens []string, sets ...map[string]bool) []string {
	out := make([]string, 0, len(tokens))
next:
	for _, t := range tokens {
		for _, s := range sets {
			if s[t] {
				continue next
			}
		}
		out = append(out, t)
	}
	return out
}

// Similarity returns how alike two names of pages or accounts are, from 0
// (nothing in common) to 1 (the same name). It ignores case, diacritics,
// spacing and punctuation, and knows the usual abbreviations of Vietnamese
// administrative names (UBND, HĐND, TP., Q., P., X., H., T., VHTT, CA, ...),
// so "UBND huyện Tân Uyên" and "Uy ban nhan dan huyen Tan Uyen" score 1.
// The score blends the whole names with their core (the names without
// administrative level and filler words), each compared as the better of a
// token-set Jaccard index and a character-bigram Dice coefficient. It is
// symmetric.
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	return tokenSimilarity(canon(a), canon(b))
}

func tokenSimilarity(ta, tb []string) float64 {
	full := tokenScore(ta, tb)
	ca, cb := without(ta, levelWords, fillerWords), without(tb, levelWords, fillerWords)
	if len(ca) == 0 || len(cb) == 0 {
		return full
	}
	return 0.75*tokenScore(ca, cb) + 0.25*full
}

// tokenScore is the better of the token-set Jaccard index and the Dice
// coefficient of the character bigrams of the tokens written together.
func tokenScore(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	return max(jaccard(a, b), dice(strings.Join(a, ""), strings.Join(b, "")))
}

func jaccard(a, b []string) float64 {
	sa := make(map[string]bool, len(a))
	for _, t := range a {
		sa[t] = true
	}
	sb := make(map[string]bool, len(b))
	for _, t := range b {
		sb[t] = true
	}
	inter := 0
	for t := range sa {
		if sb[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

// dice is the Sørensen–Dice coefficient of the multisets of rune bigrams of a
// and b; strings too short for a bigram score 1 when equal, else 0.
func dice(a, b string) float64 {
	if a == b {
		return 1
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) < 2 || len(rb) < 2 {
		return 0
	}
	counts := make(map[[2]rune]int, len(ra))
	for i := 0; i+1 < len(ra); i++ {
		counts[[2]rune{ra[i], ra[i+1]}]++
	}
	inter := 0
	for i := 0; i+1 < len(rb); i++ {
		k := [2]rune{rb[i], rb[i+1]}
		if counts[k] > 0 {
			counts[k]--
			inter++
		}
	}
	return 2 * float64(inter) / float64(len(ra)-1+len(rb)-1)
}

// nonNameSegments are path segments of platform URLs that never name the page.
var nonNameSegments = map[string]bool{
	"pages": true, "people": true, "groups": true, "profile.php": true, "pg": true,
	"channel": true, "c": true, "user": true, "u": true, "p": true, "watch": true,
	"videos": true, "posts": true, "reel": true, "reels": true, "video": true, "photo": true,
	"photos": true, "permalink.php": true, "story.php": true, "s": true, "share": true,
}

// platformHosts are hosts whose first label is the platform, not the page.
var platformHosts = map[string]bool{
	"facebook.com": true, "tiktok.com": true, "youtube.com": true, "youtu.be": true,
	"zalo.me": true, "instagram.com": true, "x.com": true, "twitter.com": true, "t.me": true,
}

// urlSlug returns the part of an absolute http(s) URL that names a page or
// account, and whether raw is such a URL. On a platform it is the first path
// segment that is not the platform's own (facebook.com/ubndtanuyen gives
// "ubndtanuyen", tiktok.com/@abc gives "abc", facebook.com/profile.php?id=1
// gives ""); on any other site it is the first label of the host
// (tanuyen.laichau.gov.vn/tin-tuc gives "tanuyen").
func urlSlug(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(strings.ToLower(raw), "http://") && !strings.HasPrefix(strings.ToLower(raw), "https://") {
		return "", false
	}
	n, err := NormalizeURL(raw)
	if err != nil {
		return "", false
	}
	u, err := url.Parse(n)
	if err != nil {
		return "", false
	}
	host := u.Hostname()
	if !platformHosts[host] {
		first, _, _ := strings.Cut(host, ".")
		return first, true
	}
	for _, seg := range strings.Split(u.Path, "/") {
		seg = strings.TrimPrefix(seg, "@")
		if seg == "" || nonNameSegments[strings.ToLower(seg)] {
			continue
		}
		return seg, true
	}
	return "", true
}

// slugSimilarity compares the canonical tokens of a URL's slug with those of
// a name: slugs are written without spaces and often without the
// administrative level, so the slug is compared with the name written
// together in several such forms.
func slugSimilarity(ts, tn []string) float64 {
	if len(ts) == 0 || len(tn) == 0 {
		return 0
	}
	best := tokenSimilarity(ts, tn)
	s := strings.Join(ts, "")
	var expanded []string
	for _, t := range tn {
		if exp, ok := abbreviations[t]; ok {
			expanded = append(expanded, exp)
			continue
		}
		expanded = append(expanded, t)
	}
	for _, form := range [][]string{tn, without(tn, levelWords), without(tn, levelWords, fillerWords), expanded} {
		best = max(best, dice(s, strings.ReplaceAll(strings.Join(form, ""), " ", "")))
	}
	return best
}

// BestMatch returns the official account that subject (a page's display name
// or its URL) most resembles, comparing it with each candidate's DisplayName
// and the name in the candidate's URL (facebook.com/ubndtanuyen), and the
// 0..1 score of that match. ok reports whether the score reaches
// MatchThreshold; with no candidates it is false and the score 0. Ties go
// to the earlier candidate.
func BestMatch(subject string, candidates []OfficialAccountRef) (OfficialAccountRef, float64, bool) {
	var best OfficialAccountRef
	bestScore := -1.0
	slug, subjectIsURL := urlSlug(subject)
	var subjectURL string
	var subjectTokens []string
	if subjectIsURL {
		subjectURL, _ = NormalizeURL(subject)
		subjectTokens = canon(slug)
	} else {
		subjectTokens = canon(subject)
	}
	for _, c := range candidates {
		nameTokens := canon(c.DisplayName)
		var slugTokens []string
		if s, ok := urlSlug(c.URL); ok && s != "" {
			slugTokens = canon(s)
		}
		var score float64
		if subjectIsURL {
			if n, err := NormalizeURL(c.URL); err == nil && n == subjectURL {
				score = 1
			}
			// The subject's slug against the name and against the other slug.
			score = max(score, slugSimilarity(subjectTokens, nameTokens))
			if len(subjectTokens) > 0 && len(slugTokens) > 0 {
				score = max(score, tokenSimilarity(subjectTokens, slugTokens), dice(strings.Join(subjectTokens, ""), strings.Join(slugTokens, "")))
			}
		} else {
			score = max(tokenSimilarity(subjectTokens, nameTokens), slugSimilarity(slugTokens, subjectTokens))
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	if bestScore < 0 {
		return OfficialAccountRef{}, 0, false
	}
	return best, bestScore, bestScore >= MatchThreshold
}
