package activities_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/activities"
	"casetrail/incident"
	"casetrail/workflows"
)

// TestDeliverEscalation: the letter of an escalation to several units is
// issued once (its "Nơi nhận" naming the further recipients) and delivered
// to the addressee by IssueEscalation; DeliverEscalation sends that same
// letter (the stored PDF, the same number) to a further recipient with its
// role, through the recipient's channel, or hands it over to be sent by
// hand where the recipient has none.
func TestDeliverEscalation(t *testing.T) {
	ctx := context.Background()
	addressee, toDept := newHook(t, 0)
	police, toPolice := newHook(t, 0)
	units := append(append([]incident.Unit(nil), letterUnits...), incident.Unit{ID: "lai-chau/cong-an", Name: "Công an tỉnh Lai Châu", Parent: "lai-chau"})
	a := &activities.Activities{
		Store:      store,
		Units:      func(context.Context) ([]incident.Unit, error) { return units, nil },
		Escalation: map[string]activities.Webhook{"lai-chau/so-vhttdl": toDept, "lai-chau/cong-an": toPolice},
	}
	c := approvedCase("recipients", "lai-chau/tan-uyen", 0, nil)
	c.Escalation.Recipients = []incident.EscalationRecipient{
		{Unit: "lai-chau/so-vhttdl", Role: incident.RecipientAddressee},
		{Unit: "lai-chau/cong-an", Role: incident.RecipientCoordination},
		{Unit: "lai-chau/phuong-tan-phong", Role: incident.RecipientInformation},
	}
	at := time.Date(2041, 3, 2, 2, 0, 0, 0, time.UTC)
	res := issue(t, a, "recipients-1", at, c)
	l := res.Letter
	_, pdf, err := store.GetBlob(ctx, l.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strings.Fields(pdfText(t, pdf)), " "); text != "" {
		for _, want := range []string{"Kính gửi: Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu", "- Như trên;",
			"- Công an tỉnh Lai Châu (để phối hợp);", "- UBND phường Tân Phong (để biết);"} {
			if !strings.Contains(text, want) {
				t.Errorf("the letter lacks %q:\n%s", want, text)
			}
		}
	}
	if len(addressee.bodies) != 1 || len(police.bodies) != 0 {
		t.Fatalf("IssueEscalation delivered %d to the addressee, %d to the police; want the addressee's alone", len(addressee.bodies), len(police.bodies))
	}

	in := activities.DeliverEscalationInput{CaseID: c.ID, Number: c.Number, Title: c.Title, Letter: l, To: "lai-chau/cong-an",
		Role: incident.RecipientCoordination, Addressee: "lai-chau/so-vhttdl", Reason: c.Escalation.Reason, ApprovedBy: "leader1"}
	got, err := a.DeliverEscalation(ctx, in)
	if err != nil || got.Channel != workflows.ChannelWebhook {
		t.Fatalf("deliver to the police: %+v %v", got, err)
	}
	var body activities.EscalationLetter
	if err := json.Unmarshal(police.bodies[0], &body); err != nil || body.To != "lai-chau/cong-an" || body.Role != "COORDINATION" ||
		body.Addressee != "lai-chau/so-vhttdl" || body.DispatchNumber != l.DispatchNumber() || body.LetterSHA256 != l.SHA256 || body.From != l.Issuer {
		t.Errorf("delivered %+v (%v)", body, err)
	}
	if b, err := base64.StdEncoding.DecodeString(body.LetterPDF); err != nil || !bytes.Equal(b, pdf) {
		t.Errorf("the delivered PDF is not the issued one (%v)", err)
	}
	var first activities.EscalationLetter
	if err := json.Unmarshal(addressee.bodies[0], &first); err != nil || first.Role != "" || first.DispatchNumber != body.DispatchNumber {
		t.Errorf("the addressee's letter %+v (%v)", first, err)
	}

	in.To, in.Role = "lai-chau/phuong-tan-phong", incident.RecipientInformation
	if got, err := a.DeliverEscalation(ctx, in); err != nil || got.Channel != workflows.ChannelManual {
		t.Errorf("a recipient without a channel: %+v %v, want MANUAL", got, err)
	}
	in.Letter.SHA256 = ""
	if _, err := a.DeliverEscalation(ctx, in); err == nil {
		t.Error("a letter without its SHA-256 was delivered")
	}
}
