package documents

import "casetrail/incident"

// The further recipients of an escalation routed to several units (issue
// 17, §3): the letter is addressed ("Kính gửi") to the addressee alone;
// "Nơi nhận" lists, after "Như trên" (the addressee), each other recipient
// with why it receives the letter.

// Why a further recipient receives the letter, as "Nơi nhận" says it.
const (
	ForCoordination = "để phối hợp"
	ForInformation  = "để biết"
)

// RecipientCopies returns the "Nơi nhận" entries of the recipients of esc
// other than its addressee, in order: each unit named as in "Kính gửi"
// (RecipientName) with its role, "Công an tỉnh Lai Châu (để phối hợp)".
func RecipientCopies(units *incident.UnitTree, esc *incident.Escalation) []string {
	if esc == nil {
		return nil
	}
	var out []string
	for _, r := range esc.RecipientList() {
		if r.Unit == esc.To {
			continue
		}
		why := ForCoordination
		if r.Role == incident.RecipientInformation {
			why = ForInformation
		}
		out = append(out, RecipientName(units, r.Unit)+" ("+why+")")
	}
	return out
}
