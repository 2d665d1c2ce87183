package web

import (
	"strings"

	"casetrail/incident"
)

// deliveryMessages are the words of the delivery records (issue 18): a
// notification the case's workflow sent (NotificationSent) or could not
// send through every channel (NotificationFailed), as its history shows
// them — who was told, what, through which channel.
var deliveryMessages = map[string]msg{
	"event.NotificationSent":   {"Đã gửi thông báo “%s” tới %s", "Notification “%s” sent to %s"},
	"event.NotificationFailed": {"Gửi thông báo “%s” tới %s không thành công", "Notification “%s” to %s failed"},
	"delivery.nobody":          {"(không có người nhận)", "(nobody)"},
	"delivery.ok":              {"%s: đã gửi", "%s: sent"},
	"delivery.okTo":            {"%s: đã gửi tới %s", "%s: sent to %s"},
	"delivery.failed":          {"%s: không gửi được (%s)", "%s: not sent (%s)"},
	"delivery.failedTo":        {"%s: không gửi được tới %s (%s)", "%s: not sent to %s (%s)"},
	"channel.log":              {"nhật ký hệ thống", "system log"},
	"channel.webhook":          {"webhook thông báo", "notification webhook"},
	"channel.email":            {"thư điện tử", "e-mail"},
	"channel.inbox":            {"thông báo trong hệ thống", "in-app notifications"},
}

func init() { mergeCaseMessages(deliveryMessages) }

// describeDelivery says a delivery record: its title names the message
// and the people told, its detail how each channel went.
func describeDelivery(p *Printer, typ string, n incident.NotificationSent, names map[string]string) (text, detail string) {
	text = p.T("event."+typ, n.Subject, peopleList(p, names, n.Recipients))
	var lines []string
	for _, ch := range n.Channels {
		name := ch.Channel
		if _, ok := messages["channel."+name]; ok {
			name = p.T("channel." + name)
		}
		switch {
		case ch.OK && ch.To != nil:
			lines = append(lines, p.T("delivery.okTo", name, peopleList(p, names, ch.To)))
		case ch.OK:
			lines = append(lines, p.T("delivery.ok", name))
		case len(ch.Failed) > 0:
			lines = append(lines, p.T("delivery.failedTo", name, peopleList(p, names, ch.Failed), ch.Error))
		default:
			lines = append(lines, p.T("delivery.failed", name, ch.Error))
		}
	}
	return text, strings.Join(lines, "\n")
}

// peopleList names subjects, comma-separated.
func peopleList(p *Printer, names map[string]string, subjects []string) string {
	if len(subjects) == 0 {
		return p.T("delivery.nobody")
	}
	out := make([]string, len(subjects))
	for i, s := range subjects {
		out[i] = p.Actor(names, s)
	}
	return strings.Join(out, ", ")
}
