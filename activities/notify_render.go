package activities

import (
	"bytes"
	"context"
	"embed"
	htmltemplate "html/template"
	"math"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"casetrail/incident"
)

// The templates of notifications about a case (Vietnamese): the subject
// and the plain text in notify_text.tmpl, the HTML body in
// notify_html.tmpl. Both branch on the event that caused the notification.
//
//go:embed templates/notify_text.tmpl templates/notify_html.tmpl
var notifyTemplateFiles embed.FS

var (
	notifyText = texttemplate.Must(texttemplate.New("notify").ParseFS(notifyTemplateFiles, "templates/notify_text.tmpl"))
	notifyHTML = htmltemplate.Must(htmltemplate.New("notify").ParseFS(notifyTemplateFiles, "templates/notify_html.tmpl"))
)

// NotifyTimeLayout is how notifications write times, in Vietnam time: as
// the case pages and GLOSSARY.md do ("09:25 02/12/2026").
const NotifyTimeLayout = "15:04 02/01/2006"

// notifyDeadlineWords are the deadlines' names (GLOSSARY).
var notifyDeadlineWords = map[incident.DeadlineKind]string{
	incident.DeadlineTriage:             "Hạn phân loại",
	incident.DeadlineAnalysis:           "Hạn xác minh",
	incident.DeadlineTakedownResponse:   "Hạn nền tảng phản hồi",
	incident.DeadlineEscalationApproval: "Hạn lãnh đạo duyệt",
	incident.DeadlineEscalationResponse: "Hạn cấp trên phản hồi",
	incident.DeadlineResolution:         "Hạn giải quyết",
}

// notifyView is what the templates see: everything already in words.
type notifyView struct {
	Event    string
	Subject  string // the rendered subject (HTML title)
	Number   string
	Title    string
	Unit     string // the case's unit, by name
	Deadline string // the deadline's name
	Due      string // its due time
	Left     string // "còn 2 giờ 15 phút", "quá hạn 3 giờ"
	Percent  int    // of the span used (reminders)
	Actor    string // who caused it, by name
	To       string // the escalation's target, by name
	Dispatch string // the letter's number
	Reason   string
	Link     string
	At       string
}

// render makes the Message of notification in for recipients: the
// Vietnamese subject, text and HTML, the link to the case and the webhook's
// Notification. names gives people's display names by subject.
func (a *Activities) render(ctx context.Context, in NotifyInput, key string, recipients []Recipient, names map[string]string) (Message, error) {
	at := in.At
	if at.IsZero() {
		at = time.Now()
	}
	units := a.notifyUnitNames(ctx)
	unit := func(id string) string {
		if n := units[id]; n != "" {
			return n
		}
		return id
	}
	v := notifyView{
		Event: in.Event, Number: in.Number, Title: in.Title, Unit: unit(in.Unit), To: unit(in.To),
		Dispatch: in.DispatchNumber, Reason: in.Reason, Link: a.caseLink(in.CaseID), At: notifyTime(at),
		Actor: personName(in.Actor, names),
	}
	if in.DeadlineKind != "" {
		v.Deadline = notifyDeadlineWords[in.DeadlineKind]
		if v.Deadline == "" {
			v.Deadline = string(in.DeadlineKind)
		}
	}
	if !in.DueAt.IsZero() {
		v.Due = notifyTime(in.DueAt)
		v.Left = timeLeft(in.DueAt.Sub(at))
	}
	v.Percent = int(math.Round(in.Fraction * 100))
	var subject, text, html bytes.Buffer
	if err := notifyText.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, err
	}
	v.Subject = strings.TrimSpace(subject.String())
	if err := notifyText.ExecuteTemplate(&text, "text", v); err != nil {
		return Message{}, err
	}
	if err := notifyHTML.ExecuteTemplate(&html, "html", v); err != nil {
		return Message{}, err
	}
	subjects := make([]string, len(recipients))
	for i, r := range recipients {
		subjects[i] = r.Subject
	}
	return Message{
		Key: key, Event: in.Event, CaseID: in.CaseID, Number: in.Number, Title: in.Title, Unit: in.Unit,
		Recipients: recipients, Subject: v.Subject, Text: text.String(), HTML: html.String(), Link: v.Link, At: at,
		Notification: Notification{
			Type: "notification", CaseID: in.CaseID, Number: in.Number, Title: in.Title, Unit: in.Unit,
			Event: in.Event, DeadlineKind: string(in.DeadlineKind), DueAt: in.DueAt, Fraction: in.Fraction,
			Recipients: subjects, Message: in.Message,
		},
	}, nil
}

// caseLink is the case page's URL, "" without a base URL.
func (a *Activities) caseLink(caseID string) string {
	if a.BaseURL == "" || caseID == "" {
		return ""
	}
	return strings.TrimRight(a.BaseURL, "/") + "/cases/" + caseID
}

// notifyUnitNames returns the registry's unit names by id (none without Units;
// a failure is logged and names units by their ids).
func (a *Activities) notifyUnitNames(ctx context.Context) map[string]string {
	if a.Units == nil {
		return nil
	}
	units, err := a.Units(ctx)
	if err != nil {
		a.logger().WarnContext(ctx, "notification: unit names", "err", err)
		return nil
	}
	out := make(map[string]string, len(units))
	for _, u := range units {
		out[u.ID] = u.Name
	}
	return out
}

// personName is the display name of subject ("Hệ thống" for the system).
func personName(subject string, names map[string]string) string {
	switch {
	case subject == incident.SystemActor:
		return "Hệ thống"
	case names[subject] != "":
		return names[subject]
	}
	return subject
}

// notifyTime writes t in Vietnam time.
func notifyTime(t time.Time) string { return t.In(incident.VietnamTime).Format(NotifyTimeLayout) }

// timeLeft says d in words: "còn 2 giờ 15 phút", "quá hạn 3 ngày 4 giờ".
func timeLeft(d time.Duration) string {
	prefix := "còn "
	if d < 0 {
		prefix, d = "quá hạn ", -d
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+" ngày")
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+" giờ")
	}
	if mins > 0 && days == 0 {
		parts = append(parts, strconv.Itoa(mins)+" phút")
	}
	if len(parts) == 0 {
		return prefix + "dưới 1 phút"
	}
	return prefix + strings.Join(parts, " ")
}
