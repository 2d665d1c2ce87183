package web

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even on a system without zone files

	"golang.org/x/text/language"
)

// Lang is a language of the interface.
type Lang string

// The interface's languages; Vietnamese is the default.
const (
	Vietnamese Lang = "vi"
	English    Lang = "en"
)

// langCookie holds the language a visitor chose with the switch.
const langCookie = "casetrail_lang"

var langMatcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// requestLang is the language of r: the switch's cookie, else the best of
// Accept-Language, else Vietnamese.
func requestLang(r *http.Request) Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		switch Lang(c.Value) {
		case Vietnamese, English:
			return Lang(c.Value)
		}
	}
	if al := r.Header.Get("Accept-Language"); al != "" {
		tag, _ := language.MatchStrings(langMatcher, al)
		if base, _ := tag.Base(); base.String() == "en" {
			return English
		}
	}
	return Vietnamese
}

// zone is the time zone every date is shown in: Asia/Ho_Chi_Minh (UTC+7,
// no daylight saving), a fixed +07:00 should the zone data be missing.
var zone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}()

// Printer gives the texts of the catalog in one language. Templates reach
// it as .P: {{.P.T "login.title"}}.
type Printer struct {
	lang Lang
}

// NewPrinter returns the printer of lang.
func NewPrinter(lang Lang) *Printer { return &Printer{lang: lang} }

// Lang returns the printer's language code (for <html lang>).
func (p *Printer) Lang() string { return string(p.lang) }

var missingOnce sync.Map

// T returns the text of key, its fmt verbs filled with args. A key missing
// from the catalog is shown as itself and logged (once per key).
func (p *Printer) T(key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		if _, seen := missingOnce.LoadOrStore(key, true); !seen {
			slog.Error("web: message missing from the catalog", "key", key)
		}
		return key
	}
	text := m.vi
	if p.lang == English {
		text = m.en
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

// Time formats t as HH:mm dd/mm/yyyy in Asia/Ho_Chi_Minh (GLOSSARY.md:
// "09:25 02/12/2026"); "" for the zero
// time.
func (p *Printer) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("15:04 02/01/2006")
}

// Role names a role (REPORTER, HANDLER, ...) in the printer's language.
func (p *Printer) Role(role string) string {
	if _, ok := messages["role."+role]; !ok {
		return role
	}
	return p.T("role." + role)
}

// Code says a contract error code (FORBIDDEN, CONFLICT, ...) as the
// interface does; an unknown code is INTERNAL.
func (p *Printer) Code(code string) string {
	if _, ok := messages["code."+code]; !ok {
		code = "INTERNAL"
	}
	return p.T("code." + code)
}

// Duration says d rounded up: in seconds under a minute, else in minutes.
func (p *Printer) Duration(d time.Duration) string {
	secs := max(1, int(math.Ceil(d.Seconds())))
	if secs < 60 {
		return p.T("duration.seconds", secs)
	}
	return p.T("duration.minutes", (secs+59)/60)
}
