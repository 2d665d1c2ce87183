package activities

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"casetrail/documents"
	"casetrail/incident"
)

// DigestRendering is a digest rendered for people: the subject line, the
// plain text, the HTML and the link of the message (the leaders' watch
// list; "" without a base URL).
type DigestRendering struct {
	Subject string
	Text    string
	HTML    string
	Link    string
}

// digestLine is one item of a rendered digest.
type digestLine struct {
	Number, Title, Unit string
	Detail              string // the deadline or the escalation, in words
	Link                string
}

// digestSection is one heading of a rendered digest and its lines.
type digestSection struct {
	Heading string
	Count   string // the heading inside a sentence: "2 quá hạn"
	Total   int
	Lines   []digestLine
	More    int // items counted in Total but not listed
}

// RenderDigest renders g for to, in Vietnamese: times in Vietnam time
// (+07:00, "09:25 02/12/2026"), units by their names (units, by id; the id
// when unnamed), links to each case's page "<base>/cases/<id>" and to the
// watch list and approval inbox when base is set. The headings follow the
// glossary: Quá hạn, Đến hạn hôm nay, Chờ lãnh đạo duyệt.
func RenderDigest(g incident.Digest, to Recipient, units map[string]string, base string) DigestRendering {
	base = strings.TrimRight(base, "/")
	unitName := func(id string) string {
		if n := units[id]; n != "" {
			return n
		}
		return id
	}
	link := func(path string) string {
		if base == "" {
			return ""
		}
		return base + path
	}
	now := g.At
	line := func(it incident.DigestItem) digestLine {
		return digestLine{Number: it.Number, Title: cut(it.Title, 200), Unit: unitName(it.Unit), Link: link("/cases/" + it.CaseID)}
	}
	var missed, due, pending digestSection
	missed = digestSection{Heading: "Quá hạn", Count: "quá hạn", Total: g.MissedTotal}
	for _, it := range g.Missed {
		l := line(it)
		l.Detail = fmt.Sprintf("%s: hạn %s, %s", documents.DeadlineText(it.DeadlineKind), notifyTime(it.DueAt), timeLeft(it.DueAt.Sub(now)))
		missed.Lines = append(missed.Lines, l)
	}
	due = digestSection{Heading: "Đến hạn hôm nay", Count: "đến hạn hôm nay", Total: g.DueTodayTotal}
	for _, it := range g.DueToday {
		l := line(it)
		l.Detail = fmt.Sprintf("%s: hạn %s, %s", documents.DeadlineText(it.DeadlineKind), notifyTime(it.DueAt), timeLeft(it.DueAt.Sub(now)))
		due.Lines = append(due.Lines, l)
	}
	pending = digestSection{Heading: "Chờ lãnh đạo duyệt", Count: "chờ lãnh đạo duyệt", Total: g.PendingApprovalTotal}
	for _, it := range g.PendingApproval {
		l := line(it)
		l.Detail = fmt.Sprintf("Đề nghị chuyển cấp trên lúc %s, người đề nghị: %s", notifyTime(it.RequestedAt), it.RequestedBy)
		if it.EscalationTo != "" {
			l.Detail += ", nơi nhận: " + unitName(it.EscalationTo)
		}
		if r := strings.TrimSpace(it.EscalationReason); r != "" {
			l.Detail += ". Lý do: " + cut(r, 300)
		}
		pending.Lines = append(pending.Lines, l)
	}
	var sections []digestSection
	var counts []string
	for _, s := range []digestSection{missed, due, pending} {
		if s.Total == 0 {
			continue
		}
		s.More = s.Total - len(s.Lines)
		sections = append(sections, s)
		counts = append(counts, strconv.Itoa(s.Total)+" "+s.Count)
	}

	day := g.From.In(incident.VietnamTime).Format("02/01/2006")
	var unitNames []string
	for _, u := range g.Units {
		unitNames = append(unitNames, unitName(u))
	}
	name := to.Name
	if name == "" {
		name = to.Subject
	}
	v := digestView{
		Subject:  fmt.Sprintf("Tổng hợp hằng ngày %s: %s", day, strings.Join(counts, ", ")),
		Greeting: "Kính gửi: " + name,
		Intro: fmt.Sprintf("Tổng hợp lúc %s các vụ việc của %s và các đơn vị trực thuộc cần lãnh đạo quan tâm.",
			notifyTime(now), strings.Join(unitNames, "; ")),
		Sections: sections,
		Watch:    link("/watch"),
		Inbox:    link("/approvals"),
		Footer:   "Thư này do hệ thống CaseTrail gửi tự động mỗi ngày; giờ ghi theo giờ Việt Nam (UTC+07:00).",
	}
	return DigestRendering{Subject: v.Subject, Text: v.text(), HTML: v.html(), Link: v.Watch}
}

type digestView struct {
	Subject, Greeting, Intro string
	Sections                 []digestSection
	Watch, Inbox             string
	Footer                   string
}

func (v digestView) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n", v.Greeting, v.Intro)
	for _, s := range v.Sections {
		fmt.Fprintf(&b, "\n%s (%d)\n", strings.ToUpper(s.Heading), s.Total)
		for i, l := range s.Lines {
			fmt.Fprintf(&b, "%d. %s — %s (%s)\n   %s\n", i+1, l.Number, l.Title, l.Unit, l.Detail)
			if l.Link != "" {
				fmt.Fprintf(&b, "   %s\n", l.Link)
			}
		}
		if s.More > 0 {
			fmt.Fprintf(&b, "… và %d mục khác.\n", s.More)
		}
	}
	if v.Watch != "" {
		fmt.Fprintf(&b, "\nVụ việc quá hạn: %s\nChờ duyệt: %s\n", v.Watch, v.Inbox)
	}
	fmt.Fprintf(&b, "\n--\n%s\n", v.Footer)
	return b.String()
}

var digestHTML = template.Must(template.New("digest").Parse(`<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: Arial, sans-serif; font-size: 14px; color: #1a1a1a">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
{{range .Sections}}<h2 style="font-size: 16px; margin: 16px 0 4px">{{.Heading}} ({{.Total}})</h2>
<ol>{{range .Lines}}
<li>{{if .Link}}<a href="{{.Link}}">{{.Number}}</a>{{else}}<strong>{{.Number}}</strong>{{end}} — {{.Title}} ({{.Unit}})<br>{{.Detail}}</li>{{end}}
</ol>{{if .More}}
<p>… và {{.More}} mục khác.</p>{{end}}
{{end}}{{if .Watch}}<p><a href="{{.Watch}}">Vụ việc quá hạn</a> · <a href="{{.Inbox}}">Chờ duyệt</a></p>
{{end}}<hr>
<p style="color: #555; font-size: 12px">{{.Footer}}</p>
</body></html>
`))

func (v digestView) html() string {
	var b bytes.Buffer
	if err := digestHTML.Execute(&b, v); err != nil {
		return "" // the channel sends Text only (cannot happen with these fields)
	}
	return b.String()
}

// cut shortens s to n runes, with "…".
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
