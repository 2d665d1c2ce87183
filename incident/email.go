package incident

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxEmail is the longest e-mail address, in bytes (RFC 5321's path limit).
const MaxEmail = 254

// CleanEmail returns the e-mail address s as it is stored: trimmed, a bare
// address (local@domain, no display name, no angle brackets or spaces),
// at most MaxEmail bytes. "" stays "" (no address). Anything else is
// BAD_USER_INPUT on field "email".
func CleanEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := func() (string, error) {
		return "", BadInput("email", "%q is not an e-mail address (name@example.gov.vn, at most %d characters)", truncateRunes(s, 80), MaxEmail)
	}
	if len(s) > MaxEmail || !utf8.ValidString(s) || strings.ContainsAny(s, " \t\r\n<>,;\"()[]\\") {
		return bad()
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return bad()
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return bad()
	}
	return s, nil
}

// truncateRunes returns s cut to at most n characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
