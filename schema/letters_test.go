package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// TestEscalationLetterFields: approveEscalation's optional signer and
// registerNumber reach the command; the escalation shows the approval's
// signer, a preview link while it awaits its letter, and once sent the
// letter: number, symbol, issuer, date, signer, SHA-256 and the web
// interface's links.
func TestEscalationLetterFields(t *testing.T) {
	_, e := newTestSchema(t)
	c := e.seed(t, "reporter1", unitCommune, "l-1", "https://facebook.com/fake-letter")
	e.do(t, c.ID, "handler1", incident.Triage{Severity: incident.High, Assignee: "handler1"}, incident.StartAnalysis{},
		incident.RequestEscalation{Reason: "Nền tảng không phản hồi"})
	const q = `query($id: ID!) { case(id: $id) { escalation { status letterPreviewUrl signer { prefix authority title name } issuer { id }
		letter { number symbol dispatchNumber issuer { id } issuedAt manual sha256 docxSha256 pdfUrl docxUrl signer { prefix title name } } } } }`
	d := e.ok(t, "leader1", q, map[string]any{"id": c.ID})
	if got := dig(d, "case", "escalation", "letterPreviewUrl"); got != "/cases/"+c.ID+"/letters/escalation-preview.pdf" {
		t.Errorf("preview url %v", got)
	}
	if got := dig(d, "case", "escalation", "letter"); got != nil {
		t.Errorf("a letter before approval: %v", got)
	}
	if got := dig(d, "case", "escalation", "issuer", "id"); got != unitCommune {
		t.Errorf("issuer %v; want the case's unit (no unit has a letterhead)", got)
	}
	e.w.units[2].IssuingBody = "Ủy ban nhân dân\nhuyện Tân Uyên"
	d = e.ok(t, "leader1", q, map[string]any{"id": c.ID})
	if got := dig(d, "case", "escalation", "issuer", "id"); got != "lai-chau/tan-uyen" {
		t.Errorf("issuer %v; want the district, whose letterhead the commune writes through", got)
	}
	e.w.units[2].IssuingBody = ""

	r := e.run(t, "leader1", `mutation($id: ID!) { approveEscalation(id: $id, registerNumber: 0) { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeBadUserInput || r.field() != "registerNumber" {
		t.Errorf("register number 0: %s", toJSON(r.Errors))
	}
	r = e.run(t, "leader1", `mutation($id: ID!) { approveEscalation(id: $id, signer: {name: "A", prefix: "KT."}) { id } }`, map[string]any{"id": c.ID})
	if r.code() != incident.CodeBadUserInput || r.field() != "signer.title" {
		t.Errorf("signer without a title: %s", toJSON(r.Errors))
	}
	e.ok(t, "leader1", `mutation($id: ID!) { approveEscalation(id: $id, note: "Đồng ý",
		signer: {name: "Lê Văn Thành", title: "Phó Chủ tịch", prefix: "kt", authority: "Chủ tịch"}, registerNumber: 12) { id } }`,
		map[string]any{"id": c.ID})
	esc := e.w.cases[c.ID].Escalation
	if esc.Signer == nil || *esc.Signer != (incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}) || esc.RegisterNumber != 12 {
		t.Fatalf("approved escalation %+v", esc)
	}
	sum := strings.Repeat("1f", 32)
	issued := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	e.do(t, c.ID, incident.SystemActor, incident.SendEscalation{Letter: &incident.Letter{
		Number: 12, Symbol: "UBND-VHTT", Issuer: unitCommune, IssuedAt: issued, Manual: true, Signer: *esc.Signer, SHA256: sum, DOCXSHA256: sum}})

	d = e.ok(t, "reporter1", q, map[string]any{"id": c.ID})
	if got := dig(d, "case", "escalation", "signer", "prefix"); got != "KT." {
		t.Errorf("signer %v", dig(d, "case", "escalation", "signer"))
	}
	if got := dig(d, "case", "escalation", "letterPreviewUrl"); got != nil {
		t.Errorf("a preview of a sent letter: %v", got)
	}
	l := dig(d, "case", "escalation", "letter")
	want := map[string]any{
		"number": float64(12), "symbol": "UBND-VHTT", "dispatchNumber": "12/UBND-VHTT", "issuedAt": "2026-12-05T09:00:00+07:00",
		"manual": true, "sha256": sum, "docxSha256": sum,
		"pdfUrl": "/cases/" + c.ID + "/letters/escalation.pdf", "docxUrl": "/cases/" + c.ID + "/letters/escalation.docx",
	}
	for k, v := range want {
		if got := dig(l, k); got != v {
			t.Errorf("letter.%s = %v, want %v", k, got, v)
		}
	}
	if dig(l, "issuer", "id") != unitCommune || dig(l, "signer", "name") != "Lê Văn Thành" || dig(l, "signer", "title") != "Phó Chủ tịch" {
		t.Errorf("letter %v", l)
	}
}

// TestUnitOfficeFields: a unit's symbol, numbering mode and default signer.
func TestUnitOfficeFields(t *testing.T) {
	_, e := newTestSchema(t)
	e.w.units[2].Symbol = "UBND-VHTT"
	e.w.units[2].Signer = incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}
	e.w.units[3].Symbol, e.w.units[3].Drafting, e.w.units[3].Numbering = "UBND", "VP", incident.NumberingManual
	d := e.ok(t, "leader1", `{ units { id symbol numbering defaultSigner { prefix authority title name } } }`, nil)
	got := map[string]string{}
	for _, u := range d["units"].([]any) {
		b, _ := json.Marshal(u)
		got[dig(u, "id").(string)] = string(b)
	}
	for id, want := range map[string]string{
		"lai-chau/tan-uyen": `{"defaultSigner":{"authority":"Chủ tịch","name":"Lê Văn Thành","prefix":"KT.","title":"Phó Chủ tịch"},"id":"lai-chau/tan-uyen","numbering":"AUTO","symbol":"UBND-VHTT"}`,
		unitCommune:         `{"defaultSigner":null,"id":"lai-chau/tan-uyen/xa-phuc-khoa","numbering":"MANUAL","symbol":"UBND-VP"}`,
		"lai-chau":          `{"defaultSigner":null,"id":"lai-chau","numbering":"AUTO","symbol":"LAI-CHAU"}`,
	} {
		if got[id] != want {
			t.Errorf("%s: %s\nwant %s", id, got[id], want)
		}
	}
}
