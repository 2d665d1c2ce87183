package workflows_test

import (
	"testing"
	"time"

	"casetrail/incident"
)

// TestEscalationLetter: the approval records its signer (the one the leader
// named, else the issuing unit's default, asked of PrepareEscalation before
// the approval is decided), and EscalationSent records the letter
// IssueEscalation issued: number, symbol, issuer, date, signer and the
// SHA-256 of its PDF; the case's escalation carries it.
func TestEscalationLetter(t *testing.T) {
	named := incident.Signer{Prefix: "kt", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hoa"}
	for _, tc := range []struct {
		name  string
		given *incident.Signer
		want  incident.Signer
	}{
		{"named", &named, incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hoa"}},
		{"default", nil, defaultSigner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acts := newMemActivities()
			h := newHarness(t, acts, t0)
			at := h.walk(0, then(toEscalated, step{"approve", leader, incident.ApproveEscalation{Note: "Đồng ý", Signer: tc.given}})...)
			if err := h.run(input(), at+time.Minute); err != nil {
				t.Fatal(err)
			}
			c := h.ok("approve")
			key := caseID + "@" + c.Escalation.RequestedAt.UTC().Format(time.RFC3339Nano)
			if len(acts.prepared) != 1 || acts.prepared[0].Key != key || acts.prepared[0].Issuer != "lai-chau/tan-uyen" || acts.prepared[0].Approver != leader {
				t.Errorf("PrepareEscalation asked %+v", acts.prepared)
			}
			approved, _ := decoded[incident.EscalationApproved](t, acts.events(caseID))
			if len(approved) != 1 || approved[0].Signer == nil || *approved[0].Signer != tc.want || approved[0].RegisterNumber != 0 {
				t.Errorf("EscalationApproved %+v", approved)
			}
			sent, events := decoded[incident.EscalationSent](t, acts.events(caseID))
			if len(sent) != 1 {
				t.Fatalf("EscalationSent %+v", sent)
			}
			e := sent[0]
			if e.DispatchNumber != "01/UBND-VHTT" || e.Number != 1 || e.Symbol != "UBND-VHTT" || e.Issuer != "lai-chau/tan-uyen" ||
				e.SHA256 != letterSHA(key) || e.Signer == nil || *e.Signer != tc.want || e.Manual || e.To != "lai-chau/so-vhttdl" ||
				!e.IssuedAt.Equal(events[0].OccurredAt) {
				t.Errorf("EscalationSent %+v (signer %+v) at %v", e, e.Signer, events[0].OccurredAt)
			}
			l := c.Escalation.Letter
			if c.Escalation.Status != incident.EscSent || l == nil || l.SHA256 != letterSHA(key) || l.Signer != tc.want ||
				l.DispatchNumber() != c.Escalation.DispatchNumber || c.Escalation.Signer == nil || *c.Escalation.Signer != tc.want {
				t.Errorf("escalation %+v letter %+v", c.Escalation, l)
			}
			if len(acts.issued) != 1 || acts.issued[0].Case.Escalation.Status != incident.EscApproved || acts.issued[0].Case.Description != "" {
				t.Errorf("IssueEscalation asked %+v", acts.issued)
			}
		})
	}
}

// TestEscalationRegisterNumber: where the clerk numbers by hand, an approval
// without a number, or with one already used in the unit's register that
// year, is BAD_USER_INPUT and records nothing; a free number is the letter's.
func TestEscalationRegisterNumber(t *testing.T) {
	acts := newMemActivities()
	acts.manual = true
	acts.typed["lai-chau/tan-uyen/2026/7"] = "another-case@2026-11-20T01:00:00Z"
	h := newHarness(t, acts, t0)
	at := h.walk(0, then(toEscalated,
		step{"no number", leader, incident.ApproveEscalation{Note: "Đồng ý"}},
		step{"used", leader, incident.ApproveEscalation{Note: "Đồng ý", RegisterNumber: 7}},
		step{"negative", leader, incident.ApproveEscalation{Note: "Đồng ý", RegisterNumber: -3}},
		step{"approve", leader, incident.ApproveEscalation{Note: "Đồng ý", RegisterNumber: 8}},
	)...)
	if err := h.run(input(), at+time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"no number", "used", "negative"} {
		if e := h.refused(id); e.Code != incident.CodeBadUserInput || e.Field != "registerNumber" {
			t.Errorf("%s: %+v, want BAD_USER_INPUT on registerNumber", id, e)
		}
	}
	if approved, _ := decoded[incident.EscalationApproved](t, acts.events(caseID)); len(approved) != 1 || approved[0].RegisterNumber != 8 {
		t.Errorf("EscalationApproved %+v; want one, with number 8", approved)
	}
	c := h.ok("approve")
	if c.Escalation.DispatchNumber != "08/UBND-VHTT" || c.Escalation.Letter == nil || !c.Escalation.Letter.Manual || c.Escalation.RegisterNumber != 8 {
		t.Errorf("escalation %+v letter %+v", c.Escalation, c.Escalation.Letter)
	}
	if sent, _ := decoded[incident.EscalationSent](t, acts.events(caseID)); len(sent) != 1 || sent[0].Number != 8 || !sent[0].Manual {
		t.Errorf("EscalationSent %+v", sent)
	}
}
