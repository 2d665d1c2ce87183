package workflows

import (
	"go.temporal.io/sdk/workflow"

	"casetrail/incident"
)

// The escalation's other recipients (issue 17, §3). An escalation routed
// by kind goes to several units: the letter is issued once, numbered in
// the issuer's register and delivered to the addressee by IssueEscalation;
// since recipientsVersion each further recipient (for coordination or for
// information) is then sent the same letter by DeliverEscalation, in the
// background like a takedown request (delivery never blocks nor fails the
// approval).

// ActivityDeliverEscalation delivers an issued escalation letter to one
// recipient other than its addressee.
const ActivityDeliverEscalation = "DeliverEscalation"

// recipientsVersion is the workflow.GetVersion change that sends an
// escalation's letter to its recipients other than the addressee. It is
// asked only when there are such recipients, so the histories of
// escalations to one unit are as before.
const recipientsVersion = "escalation-recipients"

// DeliverEscalationInput asks DeliverEscalation to send the letter issued
// for case CaseID (its PDF is in the blob store under Letter.SHA256) to
// unit To, which receives it as Role; Addressee is the unit the letter is
// addressed to.
type DeliverEscalationInput struct {
	CaseID     string                 `json:"caseId"`
	Number     string                 `json:"number"`
	Title      string                 `json:"title"`
	Letter     incident.Letter        `json:"letter"`
	To         string                 `json:"to"`
	Role       incident.RecipientRole `json:"role"`
	Addressee  string                 `json:"addressee"`
	Reason     string                 `json:"reason"`
	ApprovedBy string                 `json:"approvedBy"`
}

// deliverToRecipients sends the letter the escalation went out with to each
// of its recipients other than the addressee, in the background. The
// caller holds the lock.
func (w *caseWorkflow) deliverToRecipients(ctx workflow.Context) {
	esc := w.state.Escalation
	if esc == nil || esc.Letter == nil {
		return
	}
	var others []incident.EscalationRecipient
	for _, r := range esc.RecipientList() {
		if r.Unit != esc.To {
			others = append(others, r)
		}
	}
	if len(others) == 0 || workflow.GetVersion(ctx, recipientsVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	for _, r := range others {
		in := DeliverEscalationInput{
			CaseID: w.caseID, Number: w.state.Number, Title: w.state.Title, Letter: *esc.Letter,
			To: r.Unit, Role: r.Role, Addressee: esc.To, Reason: esc.Reason, ApprovedBy: esc.ApprovedBy,
		}
		w.background(ctx, "deliver escalation to "+r.Unit, func(ctx workflow.Context) error {
			var res DeliveryResult
			if err := workflow.ExecuteActivity(activity(ctx, deliveryOptions), ActivityDeliverEscalation, in).Get(ctx, &res); err != nil {
				return err
			}
			workflow.GetLogger(ctx).Info("escalation delivered", "case", w.caseID, "to", in.To, "role", in.Role, "channel", res.Channel, "error", res.Error)
			return nil
		})
	}
}
