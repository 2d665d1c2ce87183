package web

import (
	"strings"
	"time"

	"casetrail/incident"
)

// The recipients of an escalation routed to several units (issue 17, §3)
// on the case page: the list with each unit's role and answer, the choice
// of the unit whose answer the response form records, and the other
// recipients in the history. The words follow shared/GLOSSARY.md: the
// roles are "Kính gửi" (the addressee), "Phối hợp" and "Để biết", the list
// "Nơi nhận".

// recipientData is an EscalationRecipient.
type recipientData struct {
	Unit        unitRef    `json:"unit"`
	Role        string     `json:"role"`
	SentAt      *time.Time `json:"sentAt"`
	Response    string     `json:"response"`
	RespondedAt *time.Time `json:"respondedAt"`
	Resolved    bool       `json:"resolved"`
}

// Several reports whether the escalation goes to more than its addressee.
func (e *escalationData) Several() bool { return e != nil && len(e.Recipients) > 1 }

// severalRecipients reports whether c's escalation goes to several units:
// its response form then asks whose answer it is.
func severalRecipients(c *caseData) bool { return c.Escalation.Several() }

// recipientChoices are the options of the response form's recipient, the
// addressee first; value is selected.
func recipientChoices(p *Printer, c *caseData, value string) []choice {
	if c.Escalation == nil {
		return nil
	}
	var out []choice
	for _, r := range c.Escalation.Recipients {
		out = append(out, choice{Value: r.Unit.ID, Label: r.Unit.Name + " (" + p.Word("recipientRole", r.Role) + ")", Selected: r.Unit.ID == value})
	}
	return out
}

// alsoTo says, in the history, which units other than to an escalation
// request also goes to ("" when none).
func alsoTo(p *Printer, rs []incident.Recipient, to string, unit func(string) string) string {
	var names []string
	for _, r := range rs {
		if r.Unit != to {
			names = append(names, unit(r.Unit)+" ("+p.Word("recipientRole", string(r.Role))+")")
		}
	}
	if len(names) == 0 {
		return ""
	}
	return p.T("event.EscalationRequested.also", strings.Join(names, ", "))
}

// recipientMessages are the words of the recipients.
var recipientMessages = map[string]msg{
	"recipientRole.ADDRESSEE":    {"Kính gửi", "Addressee"},
	"recipientRole.COORDINATION": {"Phối hợp", "Coordination"},
	"recipientRole.INFORMATION":  {"Để biết", "For information"},

	"case.escalation.recipients":    {"Nơi nhận", "Recipients"},
	"case.escalation.noAnswer":      {"Chưa trả lời", "No answer yet"},
	"case.escalation.answerSettled": {"Đã xử lý xong", "Settled"},
	"case.escalation.answered":      {"Trả lời lúc %s", "Answered at %s"},

	"field.recipient": {"Đơn vị trả lời", "Answering unit"},
	"field.recipientHint": {"Mặc định là đơn vị được kính gửi. Ý kiến của đơn vị phối hợp hoặc để biết được ghi riêng, không thay đổi trạng thái chuyển cấp trên.",
		"The addressee by default. The answer of a unit that coordinates or is informed is recorded on it alone and does not change the escalation's status."},

	"event.EscalationRequested.also": {"; đồng gửi: %s", "; also to: %s"},
}

func init() { mergeCaseMessages(recipientMessages) }
