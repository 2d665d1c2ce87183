package documents_test

import (
	"slices"
	"strings"
	"testing"

	"casetrail/documents"
	"casetrail/incident"
)

// TestEscalationLetterRecipients: an escalation to several units is one
// letter: "Kính gửi" names the addressee alone, and "Nơi nhận" lists after
// "Như trên" each other recipient with why it receives it, before the file
// copy; the PDF prints them. An escalation to one unit lists none.
func TestEscalationLetterRecipients(t *testing.T) {
	units := incident.NewUnitTree(append(officeUnits.Units(),
		incident.Unit{ID: "lai-chau/cong-an", Name: "Công an tỉnh Lai Châu", Parent: "lai-chau"},
		incident.Unit{ID: "lai-chau/so-khcn", Name: "Sở Khoa học và Công nghệ", Parent: "lai-chau"},
	))
	c := fixtureCase(t)
	single, err := documents.EscalationLetter(units, c, documents.Issue{Date: letterDate, Number: 5, Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Escalation.Recipients = []incident.EscalationRecipient{
		{Unit: c.Escalation.To, Role: incident.RecipientAddressee},
		{Unit: "lai-chau/cong-an", Role: incident.RecipientCoordination},
		{Unit: "lai-chau/so-khcn", Role: incident.RecipientInformation},
	}
	l, err := documents.EscalationLetter(units, c, documents.Issue{Date: letterDate, Number: 5, Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.Recipients, single.Recipients) || len(l.Recipients) != 1 {
		t.Errorf("Kính gửi %v, want the addressee alone %v", l.Recipients, single.Recipients)
	}
	want := []string{"Như trên", "Công an tỉnh Lai Châu (để phối hợp)", "Sở Khoa học và Công nghệ (để biết)"}
	if len(l.CarbonCopies) != 4 || !slices.Equal(l.CarbonCopies[:3], want) || !strings.HasPrefix(l.CarbonCopies[3], "Lưu: VT") {
		t.Errorf("Nơi nhận %q, want %q then the file copy", l.CarbonCopies, want)
	}
	if len(single.CarbonCopies) != 2 || single.CarbonCopies[0] != "Như trên" {
		t.Errorf("Nơi nhận of a letter to one unit: %q", single.CarbonCopies)
	}
	pdf, err := documents.RenderPDF(l)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(pdfText(t, writeFile(t, t.TempDir(), "letter.pdf", pdf))), " ")
	for _, w := range []string{"- Công an tỉnh Lai Châu (để phối hợp);", "- Sở Khoa học và Công nghệ (để biết);"} {
		if !strings.Contains(flat, w) {
			t.Errorf("the PDF lacks %q:\n%s", w, flat)
		}
	}
}
