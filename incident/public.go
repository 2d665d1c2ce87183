package incident

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The public's two doors (issue 18): what anyone, without logging in, may
// learn from the official-account check (Kiểm tra trang chính thức) and
// send through the citizens' report form (Phản ánh của người dân). The
// rules are here, once; package public runs them, package web shows them.

// ChannelPublic is the Report.Channel of a report sent through the
// citizens' report form.
const ChannelPublic = "PUBLIC"

// PublicSubject is the subject the citizens' report form reports as: a
// system subject granted the role PUBLIC (api.RolePublic) on the units
// that take citizens' reports. It may report there and join its report to
// an open case about the same subject (ActionJoinCase); it reads nothing.
// No person and no token should be given this name.
const PublicSubject = "public"

// PublicImpersonationStatuses are the statuses of a case whose verdict
// the public check tells: a case still open may change its finding, and
// saying "known impersonator" while it is open would tell the page's owner
// that it is being looked into, so only a settled (resolved or closed)
// case counts.
var PublicImpersonationStatuses = []Status{StatusResolved, StatusClosed}

// PublicCheck is the public's answer about a URL: whitelisted fields only
// (no ids, no assignee, nothing about open cases). Its JSON is the body of
// GET /public/check.
type PublicCheck struct {
	// Result is one of AccountChecks.
	Result string `json:"result"`
	// Unit is the name of the unit owning the official account (OFFICIAL).
	Unit string `json:"unit,omitempty"`
	// Platform and DisplayName are the official account's (OFFICIAL).
	Platform    Platform `json:"platform,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	// CaseNumber is the number of the settled case that found the URL
	// impersonating (KNOWN_IMPERSONATOR).
	CaseNumber string `json:"caseNumber,omitempty"`
}

// PublicAnswer turns an account check made over settled cases only
// (PublicImpersonationStatuses) into the public's answer; unitName is the
// name of the official account's unit. A KNOWN_IMPERSONATOR without a case
// number is answered UNKNOWN: "known, but we will not say by which case"
// would tell of a case the public may not see.
func PublicAnswer(c AccountCheck, unitName string) PublicCheck {
	switch {
	case c.Result == AccountOfficial && c.Account != nil:
		return PublicCheck{Result: AccountOfficial, Unit: unitName, Platform: c.Account.Platform, DisplayName: c.Account.DisplayName}
	case c.Result == AccountKnownImpersonator && c.CaseNumber != "":
		return PublicCheck{Result: AccountKnownImpersonator, CaseNumber: c.CaseNumber}
	}
	return PublicCheck{Result: AccountUnknown}
}

// What the tracking page of a public report says of its case: one of four
// words, and nothing else.
const (
	PublicReceived   = "RECEIVED"    // Mới tiếp nhận: REPORTED
	PublicInProgress = "IN_PROGRESS" // Đang xử lý: TRIAGED, ANALYSIS, ACTION, ESCALATED
	PublicResolved   = "RESOLVED"    // Đã giải quyết: RESOLVED, CLOSED
	PublicRejected   = "REJECTED"    // Không thụ lý: REJECTED
)

// PublicStatuses lists the public statuses in the order a case goes.
var PublicStatuses = []string{PublicReceived, PublicInProgress, PublicResolved, PublicRejected}

// PublicStatusOf returns the public status of a case in status s: the
// stages of the handling (triage, verification, takedowns, escalation)
// are all "in progress" to the public.
func PublicStatusOf(s Status) string {
	switch s {
	case StatusReported:
		return PublicReceived
	case StatusResolved, StatusClosed:
		return PublicResolved
	case StatusRejected:
		return PublicRejected
	}
	return PublicInProgress
}

// Limits of the citizens' report form.
const (
	MaxPublicURLs        = 5
	MaxPublicDescription = 2000
	MaxPublicName        = 100
	// MinPublicPhoneDigits and MaxPublicPhoneDigits bound the digits of a
	// phone number (a Vietnamese number has 10; "+84" and landlines vary).
	MinPublicPhoneDigits = 8
	MaxPublicPhoneDigits = 15
)

// PublicReport is what a citizen sends through the report form. Name,
// Phone and the consent are personal data: they never enter a case's
// history (Report leaves them out); package public keeps them apart.
type PublicReport struct {
	// Unit is the commune (or other unit) the report goes to.
	Unit        string
	Kind        Kind
	URLs        []string
	Description string
	Name        string
	Phone       string
	// Consent is the consent to the processing of Name and Phone (Decree
	// 13/2023/NĐ-CP), required when either is given; ConsentVersion names
	// the consent text shown.
	Consent        bool
	ConsentVersion string
}

// HasContact reports whether the citizen left a name or a phone number.
func (r PublicReport) HasContact() bool { return r.Name != "" || r.Phone != "" }

// PublicReportProblems checks r and returns it cleaned (texts
// NFC-normalized and trimmed, empty URL rows dropped, the phone number
// reduced to its digits and a leading "+") with every problem found, each
// a BAD_USER_INPUT naming its field: "unit", "kind", "urls" (none or more
// than MaxPublicURLs), "urls[i]" (the i-th URL given, empty rows not
// counted), "description", "name", "phone", "consent". The unit's
// existence is the caller's to check.
func PublicReportProblems(r PublicReport) (PublicReport, []*Error) {
	var errs []*Error
	bad := func(field, format string, args ...any) { errs = append(errs, BadInput(field, format, args...)) }
	add := func(err error) {
		if e := (*Error)(nil); errors.As(err, &e) {
			errs = append(errs, e)
		}
	}
	r.Unit = strings.TrimSpace(r.Unit)
	if r.Unit == "" || len(r.Unit) > MaxUnitID {
		bad("unit", "choose the unit the report goes to")
	}
	if !validKind(r.Kind) {
		bad("kind", "unknown incident kind %q", r.Kind)
	}
	var urls []string
	for _, u := range r.URLs {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	r.URLs = urls
	if len(urls) == 0 || len(urls) > MaxPublicURLs {
		bad("urls", "needs between 1 and %d links, got %d", MaxPublicURLs, len(urls))
	}
	for i, u := range urls {
		field := fmt.Sprintf("urls[%d]", i)
		if _, err := CleanText(field, u, true, MaxURL); err != nil {
			add(err)
		} else if _, err := NormalizeURL(u); err != nil {
			bad(field, "%q is not an absolute http(s) link", u)
		}
	}
	var err error
	if r.Description, err = CleanText("description", strings.TrimSpace(r.Description), false, MaxPublicDescription); err != nil {
		add(err)
	}
	if r.Name, err = CleanText("name", strings.TrimSpace(r.Name), false, MaxPublicName); err != nil {
		add(err)
	}
	if phone, ok := cleanPhone(r.Phone); ok {
		r.Phone = phone
	} else {
		bad("phone", "a phone number of %d to %d digits", MinPublicPhoneDigits, MaxPublicPhoneDigits)
	}
	if r.HasContact() && !r.Consent {
		bad("consent", "is required when a name or phone number is given")
	}
	return r, errs
}

// ValidatePublicReport is PublicReportProblems returning its first
// problem only.
func ValidatePublicReport(r PublicReport) (PublicReport, error) {
	r, errs := PublicReportProblems(r)
	if len(errs) > 0 {
		return r, errs[0]
	}
	return r, nil
}

// cleanPhone returns the phone number s as a leading "+" (when given) and
// its digits, dropping the spaces, dots, dashes and brackets people type;
// "" (ok) for none, and false for anything else or a wrong count of digits.
func cleanPhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	var b strings.Builder
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	out := b.String()
	digits := len(strings.TrimPrefix(out, "+"))
	if digits < MinPublicPhoneDigits || digits > MaxPublicPhoneDigits {
		return "", false
	}
	return out, true
}

// publicTitlePrefix begins the title of a case a public report opens.
const publicTitlePrefix = "Phản ánh của người dân: "

// Report returns the case report of r (checked by ValidatePublicReport),
// with clientRequestID: Channel ChannelPublic, a title naming the first
// link, each link's platform told from its host (PlatformOf). The name,
// phone and consent stay out of it.
func (r PublicReport) Report(clientRequestID string) Report {
	subjects := make([]SubjectInput, len(r.URLs))
	for i, u := range r.URLs {
		subjects[i] = SubjectInput{Platform: PlatformOf(u), URL: u}
	}
	return Report{
		ClientRequestID: clientRequestID,
		Kind:            r.Kind,
		Unit:            r.Unit,
		Title:           PublicReportTitle(r.URLs),
		Description:     r.Description,
		Subjects:        subjects,
		Channel:         ChannelPublic,
	}
}

// PublicReportTitle is the title of the case a public report about urls
// opens: "Phản ánh của người dân: " and the first link without its scheme,
// cut to MaxTitle characters.
func PublicReportTitle(urls []string) string {
	first := ""
	if len(urls) > 0 {
		first = urls[0]
		if n, err := NormalizeURL(first); err == nil {
			first = strings.TrimPrefix(n, "https://")
		}
	}
	t := publicTitlePrefix + first
	if utf8.RuneCountInString(t) > MaxTitle {
		t = string([]rune(t)[:MaxTitle-1]) + "…"
	}
	return t
}

// PublicSubjectsKey is the key of a report's links for duplicate
// suppression: their normalized forms, sorted, one per line (links that
// are not URLs as typed).
func PublicSubjectsKey(urls []string) string {
	keys := make([]string, 0, len(urls))
	for _, u := range urls {
		if n, err := NormalizeURL(u); err == nil {
			u = n
		}
		keys = append(keys, u)
	}
	slices.Sort(keys)
	return strings.Join(slices.Compact(keys), "\n")
}

// PublicReporter is the contact a citizen left with a public report: the
// name and phone number given with consent (Decree 13/2023/NĐ-CP). It is
// personal data, kept apart from the case's history (package public) and
// shown to the handlers and leaders of the case's unit only
// (ActionReadPublicReporters).
type PublicReporter struct {
	Name       string
	Phone      string
	ConsentAt  time.Time
	ReportedAt time.Time
}

// Tracking codes: what a citizen keeps to follow a public report.
const (
	// TrackingCodeAlphabet has 32 signs without the look-alikes 0/O and
	// 1/I, so a code read aloud or copied by hand survives.
	TrackingCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	// TrackingCodeLength signs of 5 bits: 50 random bits.
	TrackingCodeLength = 10
)

// NewTrackingCode returns a random tracking code from the system's strong
// random source: TrackingCodeLength signs of TrackingCodeAlphabet.
func NewTrackingCode() string {
	b := make([]byte, TrackingCodeLength)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on the supported systems
	}
	for i := range b {
		b[i] = TrackingCodeAlphabet[b[i]&31] // 256 is a multiple of 32: uniform
	}
	return string(b)
}

// CleanTrackingCode returns the code s as kept (upper case, without the
// spaces and dashes people type or the display puts in), and whether it
// has the form of a tracking code.
func CleanTrackingCode(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.TrimSpace(s)))
	if len(s) != TrackingCodeLength {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(TrackingCodeAlphabet, s[i]) < 0 {
			return "", false
		}
	}
	return s, true
}

// FormatTrackingCode shows a code in two groups of five: "7KQ2M-XP4RT".
func FormatTrackingCode(code string) string {
	if len(code) != TrackingCodeLength {
		return code
	}
	return code[:5] + "-" + code[5:]
}
