package incident_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"casetrail/incident"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower-case host", "https://WWW.FaceBook.COM/UBNDTanUyen", "https://facebook.com/UBNDTanUyen"},
		{"www. dropped", "https://www.facebook.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"m. dropped", "https://m.facebook.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"mbasic. dropped", "https://mbasic.facebook.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"web. dropped", "https://web.facebook.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"stacked prefixes dropped", "https://www.m.facebook.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"fb.com is facebook.com", "https://fb.com/ubndtanuyen", "https://facebook.com/ubndtanuyen"},
		{"www. of a two-label host kept", "https://www.com/a", "https://www.com/a"},
		{"fbclid dropped", "https://www.facebook.com/ubndtanuyen?fbclid=IwAR0abc", "https://facebook.com/ubndtanuyen"},
		{"utm_* dropped, any case", "https://example.vn/tin?utm_source=fb&UTM_Medium=x&utm_campaign=y", "https://example.vn/tin"},
		{"other params kept and sorted", "https://www.facebook.com/profile.php?id=100&sk=about&fbclid=x", "https://facebook.com/profile.php?id=100&sk=about"},
		{"params sorted by key then value", "https://example.vn/a?b=2&a=3&a=1", "https://example.vn/a?a=1&a=3&b=2"},
		{"param values re-escaped", "https://example.vn/a?q=T%C3%A2n+Uy%C3%AAn", "https://example.vn/a?q=T%C3%A2n+Uy%C3%AAn"},
		{"no trailing slash", "https://www.facebook.com/ubndtanuyen/", "https://facebook.com/ubndtanuyen"},
		{"no trailing slashes", "https://example.vn/a//", "https://example.vn/a"},
		{"bare host", "https://example.vn/", "https://example.vn"},
		{"fragment dropped", "https://example.vn/a#comments", "https://example.vn/a"},
		{"http becomes https", "http://example.vn/a", "https://example.vn/a"},
		{"upper-case scheme", "HTTP://example.vn/a", "https://example.vn/a"},
		{"default ports dropped", "http://example.vn:80/a", "https://example.vn/a"},
		{"https default port dropped", "https://example.vn:443/a", "https://example.vn/a"},
		{"other port kept", "https://example.vn:8443/a", "https://example.vn:8443/a"},
		{"user info dropped", "https://user:secret@example.vn/a", "https://example.vn/a"},
		{"surrounding space trimmed", "  https://example.vn/a \n", "https://example.vn/a"},
		{"path case kept", "https://example.vn/Tin-Tuc", "https://example.vn/Tin-Tuc"},
		{"path non-ASCII escaped", "https://example.vn/tin/Tân", "https://example.vn/tin/T%C3%A2n"},
		{"IPv6 host keeps brackets", "http://[2001:db8::1]:8080/a", "https://[2001:db8::1]:8080/a"},
		{"IPv6 host without port", "https://[2001:DB8::1]/a", "https://[2001:db8::1]/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := incident.NormalizeURL(tt.in)
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeURLSameSubject(t *testing.T) {
	variants := []string{
		"https://www.facebook.com/ubndtanuyen",
		"http://facebook.com/ubndtanuyen/",
		"https://m.facebook.com/ubndtanuyen?fbclid=abc&utm_source=zalo",
		"https://WWW.FACEBOOK.COM/ubndtanuyen#posts",
		"https://fb.com/ubndtanuyen",
	}
	want, err := incident.NormalizeURL(variants[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants[1:] {
		if got, err := incident.NormalizeURL(v); err != nil || got != want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", v, got, err, want)
		}
	}
}

func TestNormalizeURLRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"   ",
		"facebook.com/ubndtanuyen",
		"/ubndtanuyen",
		"//facebook.com/ubndtanuyen",
		"ftp://example.vn/a",
		"javascript:alert(1)",
		"mailto:a@example.vn",
		"file:///etc/hosts",
		"https://",
		"https:///a",
		"http:example.vn",
		"https://:8080/a",
		"https://example.vn/%zz",
		"https://exa mple.vn/",
		"https://example.vn/\x00",
		"https://[fe80::1%25en0]/a",
		"https://a%25b.vn/",
		"http://%C3%80%C2%A0/",
	} {
		got, err := incident.NormalizeURL(in)
		if err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", in, got)
			continue
		}
		if code := incident.ErrorCode(err); code != incident.CodeBadUserInput {
			t.Errorf("NormalizeURL(%q) error code = %s, want BAD_USER_INPUT", in, code)
		}
	}
}

// normalizeSeeds are the fuzz corpus, also run by TestNormalizeURLIdempotent.
var normalizeSeeds = []string{
	"https://www.facebook.com/ubndtanuyen?fbclid=x&utm_source=y",
	"http://m.facebook.com/profile.php?id=1&sk=about#x",
	"https://www.m.facebook.com/a/",
	"https://m.www.facebook.com/a/",
	"https://[2001:db8::1]:8080/a?b=1",
	"https://[fe80::1%25en0]/a",
	"https://example.vn:443/",
	"https://example.vn:/a",
	"https://%C3%A2.vn/a",
	"https://a%25b.vn/",
	"https://example.vn/a%2Fb/",
	"https://example.vn/a;b?c;d=1",
	"https://example.vn/?=1&&a",
	"https://example.vn/a?q=%zz&b=1",
	"https://example.vn/T%C3%A2n?q=T%C3%A2n+Uy%C3%AAn",
	"https://example.vn//",
	"https://u@example.vn",
	"HTTPS://EXAMPLE.VN/A",
	"https://www.fb.com/a",
	"https://mobile.www.fb.com",
	"http://%C3%80%C2%A0",
	"https://a]b.vn/",
	"not a url",
	"",
}

func checkIdempotent(t *testing.T, in string) {
	t.Helper()
	once, err := incident.NormalizeURL(in)
	if err != nil {
		if incident.ErrorCode(err) != incident.CodeBadUserInput {
			t.Fatalf("NormalizeURL(%q): error %v is not BAD_USER_INPUT", in, err)
		}
		return
	}
	twice, err := incident.NormalizeURL(once)
	if err != nil {
		t.Fatalf("NormalizeURL(%q) = %q, which it then rejects: %v", in, once, err)
	}
	if twice != once {
		t.Fatalf("NormalizeURL is not idempotent on %q: %q then %q", in, once, twice)
	}
}

func TestNormalizeURLIdempotent(t *testing.T) {
	for _, s := range normalizeSeeds {
		checkIdempotent(t, s)
	}
}

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkIdempotent)
}

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Giả mạo", "gia mao"},
		{"Đồng", "dong"},
		{"ĐỒNG", "dong"},
		{"đồng", "dong"},
		{"Ủy ban nhân dân huyện Tân Uyên", "uy ban nhan dan huyen tan uyen"},
		{norm.NFD.String("Ủy ban nhân dân"), "uy ban nhan dan"},
		{"Phúc Khoa", "phuc khoa"},
		{"ABC 123", "abc 123"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := incident.FoldText(tt.in); got != tt.want {
			t.Errorf("FoldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// foldReference is FoldText written the plain way: NFD, drop nonspacing
// marks, NFC, đ→d, lower case.
func foldReference(s string) string {
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		panic(err)
	}
	return strings.Map(func(r rune) rune {
		if r == 'đ' || r == 'Đ' {
			return 'd'
		}
		return unicode.ToLower(r)
	}, out)
}

var foldSeeds = []string{
	"Giả mạo", "ĐỒNG", "Ủy ban nhân dân", "한국어 페이지", "ÅNGSTRÖM", "e\u0301\u0327", "ǅ", "ﬁ", "İstanbul", "日本語", "ASCII only",
	"\u1100\u1161\u11a8", "a\u0345b", "\u0915\u093f",
}

func checkFold(t *testing.T, s string) {
	if !utf8.ValidString(s) {
		return // text is validated as UTF-8 before anything folds it
	}
	if got, want := incident.FoldText(s), foldReference(s); got != want {
		t.Fatalf("FoldText(%q) = %q, want %q", s, got, want)
	}
}

func TestFoldTextMatchesReference(t *testing.T) {
	for _, s := range foldSeeds {
		checkFold(t, s)
	}
}

func FuzzFoldText(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(checkFold)
}

func TestCleanText(t *testing.T) {
	composed := "Ủy ban nhân dân"
	decomposed := norm.NFD.String(composed)
	if decomposed == composed {
		t.Fatal("test data: the decomposed form must differ from the composed one")
	}
	tests := []struct {
		name     string
		in       string
		required bool
		max      int
		want     string
		wantErr  bool
	}{
		{"NFC", decomposed, true, 100, composed, false},
		{"verbatim otherwise", "  a\tb  ", true, 100, "  a\tb  ", false},
		{"at max", strings.Repeat("ư", 5), true, 5, strings.Repeat("ư", 5), false},
		// The limit counts characters after NFC: 5 composed characters, 10 runes decomposed.
		{"limit counts composed characters", norm.NFD.String(strings.Repeat("ư", 5)), true, 5, strings.Repeat("ư", 5), false},
		{"over max", strings.Repeat("ư", 6), true, 5, "", true},
		{"required empty", "", true, 5, "", true},
		{"required blank", " \n\t", true, 5, "", true},
		{"optional empty", "", false, 5, "", false},
		{"invalid UTF-8", "a\xffb", false, 5, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := incident.CleanText("f", tt.in, tt.required, tt.max)
			if tt.wantErr {
				if incident.ErrorCode(err) != incident.CodeBadUserInput || fieldOf(err) != "f" {
					t.Fatalf("CleanText(%q) error = %v, want BAD_USER_INPUT on f", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CleanText(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
