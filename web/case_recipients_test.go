package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"casetrail/incident"
)

// The case page of an escalation routed to several units (issue 17, §3),
// against the real graph and read model: the recipients with their roles
// (Kính gửi, Phối hợp, Để biết) and answers, and the response form asking
// whose answer it is, the addressee chosen.
func TestCasePageRecipients(t *testing.T) {
	d := newLiveDesk(t, nil)
	now := time.Now().UTC().Truncate(time.Second)
	r := incident.Report{Unit: "lai-chau/tan-uyen", Kind: incident.AccountCompromised, Title: "Trang UBND bị chiếm quyền",
		EscalationRecipients: []incident.Recipient{
			{Unit: "lai-chau/so-vhttdl"},
			{Unit: "lai-chau/phuong-tan-phong", Role: incident.RecipientCoordination},
			{Unit: "lai-chau", Role: incident.RecipientInformation},
		}}
	s := d.seed("reporter1", now.Add(-5*time.Hour), r).escalate(now.Add(-4*time.Hour)).
		do("leader1", now.Add(-3*time.Hour), incident.ApproveEscalation{Note: "Đồng ý"}).
		do(incident.SystemActor, now.Add(-3*time.Hour), incident.SendEscalation{DispatchNumber: "05/UBND-VHTT"}).
		do("handler1", now.Add(-2*time.Hour), incident.RecordEscalationResponse{Recipient: "lai-chau/phuong-tan-phong", Response: "Phường đã phối hợp khóa trang"})
	d.project()
	c := d.loggedIn("handler1")
	page := c.get("/cases/" + s.c.ID)
	wantBody(t, page, http.StatusOK,
		`id="escalation-recipients"`, "Nơi nhận",
		`data-unit="lai-chau/so-vhttdl" data-role="ADDRESSEE"><strong>Sở Văn hóa, Thể thao và Du lịch</strong> <span class="badge">Kính gửi</span>`,
		`data-unit="lai-chau/phuong-tan-phong" data-role="COORDINATION"><strong>UBND phường Tân Phong</strong> <span class="badge">Phối hợp</span>`,
		`<span class="badge">Để biết</span>`, "Phường đã phối hợp khóa trang", "Chưa trả lời",
		`action="/cases/`+s.c.ID+`/recordEscalationResponse"`, `name="recipient"`,
		`<option value="lai-chau/so-vhttdl" selected>Sở Văn hóa, Thể thao và Du lịch (Kính gửi)</option>`,
		`<option value="lai-chau/phuong-tan-phong">UBND phường Tân Phong (Phối hợp)</option>`,
		"đồng gửi: UBND phường Tân Phong (Phối hợp), Tỉnh Lai Châu (Để biết)", // the history
	)
	checkNoRawEnums(t, "case page with recipients", page.body)

	// An escalation to one unit shows no list and asks for no recipient.
	one := d.seed("reporter1", now.Add(-5*time.Hour), incident.Report{Unit: "lai-chau/tan-uyen", EscalatesTo: "lai-chau/so-vhttdl", Title: "Tin sai"}).
		escalate(now.Add(-4*time.Hour)).
		do("leader1", now.Add(-3*time.Hour), incident.ApproveEscalation{Note: "Đồng ý"}).
		do(incident.SystemActor, now.Add(-3*time.Hour), incident.SendEscalation{DispatchNumber: "06/UBND-VHTT"})
	d.project()
	page = c.get("/cases/" + one.c.ID)
	wantBody(t, page, http.StatusOK, `action="/cases/`+one.c.ID+`/recordEscalationResponse"`)
	for _, absent := range []string{`id="escalation-recipients"`, `name="recipient"`} {
		if regexp.MustCompile(regexp.QuoteMeta(absent)).MatchString(page.body) {
			t.Errorf("an escalation to one unit shows %s", absent)
		}
	}
}

// The response form sends the recipient chosen; left out, none (the
// addressee's answer).
func TestRecordEscalationResponseRecipient(t *testing.T) {
	d, api := caseDesk(t)
	api.c.Status = "ESCALATED"
	api.c.Available = []string{"recordEscalationResponse"}
	api.c.Escalation = &escalationData{Status: "SENT", To: unitRef{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL"}, Recipients: []recipientData{
		{Unit: unitRef{ID: "lai-chau/so-vhttdl", Name: "Sở VHTTDL"}, Role: "ADDRESSEE"},
		{Unit: unitRef{ID: "lai-chau/cong-an", Name: "Công an tỉnh"}, Role: "COORDINATION"},
	}}
	c := d.client()
	c.login("handler1", goodPassword)
	wantBody(t, c.get("/cases/c1"), http.StatusOK, `<option value="lai-chau/cong-an">Công an tỉnh (Phối hợp)</option>`)
	for i, tc := range []struct {
		form url.Values
		want map[string]any
	}{
		{url.Values{"recipient": {"lai-chau/cong-an"}},
			map[string]any{"id": "c1", "expectedVersion": 9, "recipient": "lai-chau/cong-an", "response": "Đã tiếp nhận", "resolved": false}},
		{url.Values{},
			map[string]any{"id": "c1", "expectedVersion": 9, "response": "Đã tiếp nhận", "resolved": false}},
	} {
		tc.form.Set("expectedVersion", "9")
		tc.form.Set("key", fmt.Sprint("k-", i))
		tc.form.Set("response", "Đã tiếp nhận")
		wantRedirect(t, c.post("/cases/c1/recordEscalationResponse", tc.form), http.StatusSeeOther, "/cases/c1")
		calls := api.calls()
		if got := calls[len(calls)-1]; got.name != "recordEscalationResponse" || fmt.Sprint(got.vars) != fmt.Sprint(tc.want) {
			t.Errorf("variables %v, want %v", got.vars, tc.want)
		}
	}
}
