package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/api"
	"casetrail/incident"
)

// keyPrefixes returns the first parts of the catalog's keys. It is asked
// when a test runs, after the init functions of the messages_*.go files
// have added their keys (a package variable would be set before them).
func keyPrefixes() map[string]bool {
	m := map[string]bool{}
	for k := range messages {
		p, _, _ := strings.Cut(k, ".")
		m[p] = true
	}
	return m
}

// TestCatalog: every text has both languages; every key a template or the
// Go code names is in the catalog; every role and every contract error
// code has its words (the printer builds those keys).
func TestCatalog(t *testing.T) {
	for k, m := range messages {
		if strings.TrimSpace(m.vi) == "" || strings.TrimSpace(m.en) == "" {
			t.Errorf("%s: a language is missing (%q, %q)", k, m.vi, m.en)
		}
		if strings.Count(m.vi, "%") != strings.Count(m.en, "%") {
			t.Errorf("%s: the two languages take different arguments (%q, %q)", k, m.vi, m.en)
		}
	}

	used := map[string]string{} // key -> where
	tmplKey := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goLiteral := regexp.MustCompile(`"([a-z]+(?:\.[A-Za-z]+)+)"`)
	prefixes := keyPrefixes()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goLiteral.FindAllStringSubmatch(string(b), -1) {
			if p, _, _ := strings.Cut(m[1], "."); prefixes[p] {
				used[m[1]] = f
			}
		}
	}
	if len(used) < 40 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for k, where := range used {
		if _, ok := messages[k]; !ok {
			t.Errorf("%s names %q, which the catalog lacks", where, k)
		}
	}
	for _, role := range []string{"REPORTER", "HANDLER", "LEADER", "AUDITOR", "ADMIN", "CLERK"} {
		if _, ok := messages["role."+role]; !ok {
			t.Errorf("role %s has no words", role)
		}
	}
	for _, code := range append(slices.Clone(incident.Codes), api.TransportCodes...) {
		if _, ok := messages["code."+code]; !ok {
			t.Errorf("error code %s has no words", code)
		}
	}
}

func TestPrinter(t *testing.T) {
	vi, en := NewPrinter(Vietnamese), NewPrinter(English)
	at := time.Date(2026, 12, 2, 2, 25, 0, 0, time.UTC) // 09:25 in Hanoi
	if got := vi.Time(at); got != "09:25 02/12/2026" {
		t.Errorf("Time = %q", got)
	}
	if got := en.Time(at.In(time.FixedZone("X", -5*3600))); got != "09:25 02/12/2026" {
		t.Errorf("Time from another zone = %q", got)
	}
	if vi.Time(time.Time{}) != "" {
		t.Errorf("the zero time is shown")
	}
	if zone.String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("zone %s, want Asia/Ho_Chi_Minh (time/tzdata is embedded)", zone)
	}
	for d, want := range map[time.Duration]string{
		time.Millisecond: "1 giây", 59 * time.Second: "59 giây", 59900 * time.Millisecond: "1 phút",
		61 * time.Second: "2 phút", 15 * time.Minute: "15 phút",
	} {
		if got := vi.Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
	if vi.Role("LEADER") != "Lãnh đạo" || en.Role("LEADER") != "Leader" || vi.Role("GHOST") != "GHOST" {
		t.Errorf("roles: %q %q", vi.Role("LEADER"), en.Role("LEADER"))
	}
	if vi.Code("CONFLICT") != "Vụ việc vừa được cập nhật. Vui lòng tải lại trang rồi thao tác lại." || vi.Code("WHAT") != vi.Code("INTERNAL") {
		t.Errorf("codes: %q", vi.Code("CONFLICT"))
	}
	if vi.T("home.greeting", "Mai") != "Xin chào, Mai" || en.T("home.greeting", "Mai") != "Hello, Mai" {
		t.Errorf("greeting")
	}
	if vi.T("no.such.key") != "no.such.key" {
		t.Errorf("a missing key")
	}
}
