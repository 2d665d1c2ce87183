package workflows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/workflows"
)

// DeliverEscalation records the letters sent to further recipients.
func (m *memActivities) DeliverEscalation(_ context.Context, in workflows.DeliverEscalationInput) (workflows.DeliveryResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delivered = append(m.delivered, in)
	return workflows.DeliveryResult{Channel: workflows.ChannelManual}, nil
}

func (m *memActivities) deliveries() []workflows.DeliverEscalationInput {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.delivered)
}

// The recipients of the routed fixture case: the department it is
// addressed to, the police for coordination, the science department for
// information.
const (
	department = "lai-chau/so-vhttdl"
	police     = "lai-chau/cong-an"
	science    = "lai-chau/so-khcn"
)

// routedWalk is the fixture case reported with three recipients, up to its
// escalation approved (and so sent).
func routedWalk() []step {
	r := reportCmd()
	r.EscalationRecipients = []incident.Recipient{
		{Unit: department}, {Unit: police}, {Unit: science, Role: incident.RecipientInformation},
	}
	walk := then(toSent)
	walk[0] = step{"report", "reporter1", r}
	return walk
}

// TestEscalationToSeveralRecipients: an escalation routed to three units
// is issued once (one letter, one number) and that letter is delivered to
// the two recipients other than the addressee, each with its role; a
// coordination recipient's answer is recorded on it and keeps the case
// ESCALATED, the escalation SENT and its ESCALATION_RESPONSE deadline
// running; the addressee's resolution settles the escalation and meets the
// deadline, after which resolveCase ends the case.
func TestEscalationToSeveralRecipients(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, routedWalk()...)
	h.at(at+time.Hour, "police", handler, incident.RecordEscalationResponse{Recipient: police, Response: "Công an tỉnh đã tiếp nhận, phối hợp xác minh", Resolved: true})
	h.at(at+2*time.Hour, "stranger", handler, incident.RecordEscalationResponse{Recipient: "lai-chau/xa-sin-ho", Response: "?"})
	h.at(at+3*time.Hour, "department", handler, incident.RecordEscalationResponse{Response: "Sở đã xử lý xong", Resolved: true})
	h.at(at+4*time.Hour, "resolve", handler, incident.Resolve{Resolution: "Đã gỡ bài viết"})
	if err := h.run(input(), at+5*time.Hour); err != nil {
		t.Fatal(err)
	}

	sent := h.ok("approve")
	if sent.Status != incident.StatusEscalated || sent.Escalation.Status != incident.EscSent || sent.Escalation.Letter == nil {
		t.Fatalf("after the approval: %s / %+v", sent.Status, sent.Escalation)
	}
	if len(acts.issued) != 1 {
		t.Errorf("IssueEscalation called %d times, want once (one letter, one number)", len(acts.issued))
	}
	letter := *sent.Escalation.Letter
	got := acts.deliveries()
	want := map[string]incident.RecipientRole{police: incident.RecipientCoordination, science: incident.RecipientInformation}
	if len(got) != 2 {
		t.Fatalf("DeliverEscalation asked %+v, want the two further recipients", got)
	}
	for _, d := range got {
		if role, ok := want[d.To]; !ok || d.Role != role || d.Letter != letter || d.Addressee != department || d.CaseID != caseID || d.Number != sent.Number {
			t.Errorf("delivery %+v; want one of %v with the issued letter %+v", d, want, letter)
		}
		delete(want, d.To)
	}
	for _, r := range sent.Escalation.RecipientList() {
		if r.SentAt == nil {
			t.Errorf("recipient %s has no sentAt", r.Unit)
		}
	}

	c := h.ok("police")
	if c.Status != incident.StatusEscalated || c.Escalation.Status != incident.EscSent {
		t.Errorf("after the police's answer: %s / %s, want ESCALATED / SENT", c.Status, c.Escalation.Status)
	}
	if r := c.Escalation.Recipient(police); r == nil || !r.Resolved || r.Response == "" {
		t.Errorf("the police's answer is not recorded on it: %+v", r)
	}
	if d := deadlineOfKind(c, incident.DeadlineEscalationResponse); d == nil || d.State != incident.StatePending {
		t.Errorf("ESCALATION_RESPONSE after the police's answer: %+v, want PENDING", d)
	}
	if e := h.refused("stranger"); e.Code != incident.CodeBadUserInput || e.Field != "recipient" {
		t.Errorf("answer of a unit that is no recipient: %+v", e)
	}

	c = h.ok("department")
	if c.Status != incident.StatusEscalated || c.Escalation.Status != incident.EscResolved {
		t.Errorf("after the department's resolution: %s / %s, want ESCALATED / RESOLVED", c.Status, c.Escalation.Status)
	}
	if d := deadlineOfKind(c, incident.DeadlineEscalationResponse); d == nil || d.State != incident.StateMet {
		t.Errorf("ESCALATION_RESPONSE after the addressee's answer: %+v, want MET", d)
	}
	if c = h.ok("resolve"); c.Status != incident.StatusResolved {
		t.Errorf("resolveCase: %s", c.Status)
	}
	responded, _ := decoded[incident.EscalationResponded](t, acts.events(caseID))
	if len(responded) != 2 || responded[0].Recipient != police || responded[1].Recipient != department {
		t.Errorf("EscalationResponded %+v", responded)
	}
}

// TestEscalationResponseDeadlineIsTheAddressee: the ESCALATION_RESPONSE
// deadline runs for the addressee alone, as before: answers of the other
// recipients leave it running and it is missed when the addressee does
// not answer in time.
func TestEscalationResponseDeadlineIsTheAddressee(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, routedWalk()...)
	h.at(at+time.Hour, "police", handler, incident.RecordEscalationResponse{Recipient: police, Response: "Đã tiếp nhận"})
	h.at(at+2*time.Hour, "science", handler, incident.RecordEscalationResponse{Recipient: science, Response: "Đã biết", Resolved: true})
	span := incident.DefaultPolicy().EscalationResponse
	var before, after incident.Case
	h.env.RegisterDelayedCallback(func() { before = h.query() }, at+span-time.Hour)
	h.env.RegisterDelayedCallback(func() { after = h.query() }, at+span+time.Hour)
	if err := h.run(input(), at+span+2*time.Hour); err != nil {
		t.Fatal(err)
	}
	h.ok("police")
	h.ok("science")
	if d := deadlineOfKind(before, incident.DeadlineEscalationResponse); d == nil || d.State != incident.StatePending {
		t.Errorf("before the span: %+v, want PENDING", d)
	}
	if d := deadlineOfKind(after, incident.DeadlineEscalationResponse); d == nil || d.State != incident.StateMissed {
		t.Errorf("after the span: %+v, want MISSED", d)
	}
	if after.Status != incident.StatusEscalated || after.Escalation.Status != incident.EscSent {
		t.Errorf("after the span: %s / %s, want ESCALATED / SENT", after.Status, after.Escalation.Status)
	}
}

// TestEscalationToOneUnitDeliversNoFurther: an escalation to its addressee
// alone asks DeliverEscalation nothing (and so, like the histories of
// before, records no version marker for it).
func TestEscalationToOneUnitDeliversNoFurther(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toSent...)
	if err := h.run(input(), at+time.Hour); err != nil {
		t.Fatal(err)
	}
	c := h.ok("approve")
	if c.Escalation.Status != incident.EscSent || len(acts.deliveries()) != 0 {
		t.Errorf("escalation %s, deliveries %+v", c.Escalation.Status, acts.deliveries())
	}
	if r := c.Escalation.RecipientList(); len(r) != 1 || r[0].Unit != department || r[0].Role != incident.RecipientAddressee {
		t.Errorf("recipients %+v", r)
	}
}

// deadlineOfKind returns the last deadline of kind of c.
func deadlineOfKind(c incident.Case, kind incident.DeadlineKind) *incident.Deadline {
	for i := len(c.Deadlines) - 1; i >= 0; i-- {
		if c.Deadlines[i].Kind == kind {
			return &c.Deadlines[i]
		}
	}
	return nil
}
