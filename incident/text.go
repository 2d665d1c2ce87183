package incident

import (
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of the contract (docs/ARCHITECTURE.md, "Limits of the contract").
const (
	MaxTitle       = 300
	MaxDescription = 20000
	MaxText        = 10000 // comments, reasons, notes, findings
	MaxSubjects    = 20
	MaxEvidence    = 10 << 20
	MaxShortText   = 500 // assignees, references, display names
	MaxURL         = 2048
	MaxMediaType   = 255
)

// CleanText checks that s is valid UTF-8 of at most max characters (and at
// least one when required) and returns it NFC-normalized, otherwise verbatim.
func CleanText(field, s string, required bool, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", BadInput(field, "is not valid UTF-8")
	}
	s = norm.NFC.String(s)
	if required && strings.TrimSpace(s) == "" {
		return "", BadInput(field, "is required")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", BadInput(field, "is %d characters long; at most %d are allowed", n, max)
	}
	return s, nil
}

// trackingParams are query parameters that only track the click and never
// change the page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "igshid": true, "igsh": true, "mibextid": true,
	"ref": true, "ref_src": true, "ref_url": true, "__tn__": true, "__cft__[0]": true,
	"si": true, "feature": true, "_rdc": true, "_rdr": true, "is_from_webapp": true,
	"sender_device": true, "share_app_id": true, "rdid": true, "s": true, "t": true,
}

// NormalizeURL returns the canonical form of an absolute http(s) URL used to
// de-duplicate subjects: https scheme, lower-cased host without "www.", "m.",
// "mobile.", "web." or "mbasic." prefixes, no fragment, no tracking
// parameters (fbclid, utm_*, ...), remaining parameters sorted, no trailing
// slash. It returns BAD_USER_INPUT for anything that is not an absolute
// http(s) URL.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", BadInput("url", "%q is not an absolute http(s) URL", raw)
	}
	host := strings.ToLower(u.Hostname())
	if !validHost(host) {
		return "", BadInput("url", "%q is not an absolute http(s) URL", raw)
	}
	for stripped := true; stripped; {
		stripped = false
		for _, p := range []string{"www.", "m.", "mobile.", "web.", "mbasic."} {
			if strings.HasPrefix(host, p) && strings.Count(host, ".") >= 2 {
				host = strings.TrimPrefix(host, p)
				stripped = true
				break
			}
		}
	}
	if host == "fb.com" {
		host = "facebook.com"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	if port := u.Port(); port != "" && port != "80" && port != "443" {
		host += ":" + port
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	q := u.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		lk := strings.ToLower(k)
		if trackingParams[lk] || strings.HasPrefix(lk, "utm_") {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var qs []string
	for _, k := range keys {
		vals := q[k]
		sort.Strings(vals)
		for _, v := range vals {
			qs = append(qs, url.QueryEscape(k)+"="+url.QueryEscape(v))
		}
	}
	out := "https://" + host + path
	if len(qs) > 0 {
		out += "?" + strings.Join(qs, "&")
	}
	return out, nil
}

// validHost reports whether host (as url.URL.Hostname returns it) is a host
// name or IP literal: letters, digits, '-', '.', '_' and the ':' of IPv6.
// Spaces, '%' (IPv6 zones) and other punctuation the URL parser lets through
// never name a public page, and would not survive a second normalization.
func validHost(host string) bool {
	if host == "" {
		return false
	}
	for _, r := range host {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-._:", r) {
			return false
		}
	}
	return true
}

// FoldText lower-cases s and strips Vietnamese diacritics (đ/Đ become d), so
// "Giả mạo" and "gia mao" compare equal. Search and similarity use it.
func FoldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	// NFD, without the nonspacing marks, back to NFC (as a transform chain
	// would, without its buffers: this runs for every name compared).
	var b strings.Builder
	d := norm.NFD.String(s)
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'đ', 'Đ':
			return 'd'
		}
		return unicode.ToLower(r)
	}, norm.NFC.String(b.String()))
}
