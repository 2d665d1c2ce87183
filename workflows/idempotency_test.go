package workflows_test

import (
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/workflows"
)

// keyed is a request with an idempotency key and the fingerprint the client
// helpers compute for its body.
func keyed(actor, key string, cmd incident.Command) request {
	return request{Actor: actor, RequestID: key, Command: cmd, Fingerprint: workflows.Fingerprint(cmd, nil)}
}

// TestIdempotencyKey: a key sent again with the same body is answered without
// a second event; with another body it is BAD_USER_INPUT and writes nothing;
// the keys travel across continue-as-new and are forgotten after 24 hours.
func TestIdempotencyKey(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toTriaged...)
	first := incident.Comment{Text: "Đã liên hệ nền tảng"}
	other := incident.Comment{Text: "Một nội dung khác"}
	h.env.RegisterDelayedCallback(func() { h.send("k1", keyed(handler, "k1", first)) }, at)
	h.env.RegisterDelayedCallback(func() { h.send("k1-again", keyed(handler, "k1", first)) }, at+time.Minute)
	h.env.RegisterDelayedCallback(func() { h.send("k1-other", keyed(handler, "k1", other)) }, at+2*time.Minute)
	h.env.RegisterDelayedCallback(func() { h.env.SetContinueAsNewSuggested(true) }, at+3*time.Minute)
	next := continued(t, h.run(input(), at+time.Hour))

	c := h.ok("k1")
	if again := h.ok("k1-again"); again.Version != c.Version {
		t.Errorf("the same key and body changed the case: v%d, want v%d", again.Version, c.Version)
	}
	if e := h.refused("k1-other"); e.Code != incident.CodeBadUserInput || e.Field != "Idempotency-Key" {
		t.Errorf("the same key with another body: %s %q %s", e.Code, e.Field, e.Message)
	}
	if n := countType(acts.events(caseID), incident.TypeCommentAdded); n != 1 {
		t.Fatalf("%d comments stored, want 1", n)
	}

	// The next run remembers the key with its fingerprint for 24 hours.
	handedOver := h.env.Now()
	h2 := newHarness(t, acts, handedOver)
	h2.env.RegisterDelayedCallback(func() { h2.send("k1-again", keyed(handler, "k1", first)) }, time.Minute)
	h2.env.RegisterDelayedCallback(func() { h2.send("k1-other", keyed(handler, "k1", other)) }, 2*time.Minute)
	// A day later a newer command makes the workflow forget k1: the key is
	// then a new request.
	h2.env.RegisterDelayedCallback(func() { h2.send("k2", keyed(handler, "k2", first)) }, 25*time.Hour)
	h2.env.RegisterDelayedCallback(func() { h2.send("k1-late", keyed(handler, "k1", other)) }, 25*time.Hour+time.Minute)
	if err := h2.run(next, 26*time.Hour); err != nil {
		t.Fatal(err)
	}
	if again := h2.ok("k1-again"); again.Version != c.Version {
		t.Errorf("after continue-as-new the same key changed the case: v%d", again.Version)
	}
	if e := h2.refused("k1-other"); e.Code != incident.CodeBadUserInput {
		t.Errorf("after continue-as-new the same key with another body: %s", e.Code)
	}
	h2.ok("k2")
	h2.ok("k1-late")
	if n := countType(acts.events(caseID), incident.TypeCommentAdded); n != 3 {
		t.Errorf("%d comments stored, want 3 (k1, k2, k1 after 24 h)", n)
	}
}

// TestStoreAhead: when the store holds events the workflow does not know (a
// run of older code lost a workflow task after appending), the next command
// catches up, is decided on the caught-up case and is stored once; so is the
// deadline clock's next decision.
func TestStoreAhead(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toTriaged...)
	h.env.RegisterDelayedCallback(func() {
		acts.storeAhead(caseID, handler, incident.CommentAdded{Text: "đã lưu, chưa biết"}, incident.CaseAssigned{Assignee: "handler9"})
	}, at)
	h.at(at+time.Minute, "comment", leader, incident.Comment{Text: "sau đó"})
	h.at(at+2*time.Minute, "start", handler, incident.StartAnalysis{})
	var final incident.Case
	h.env.RegisterDelayedCallback(func() { final = h.query() }, at+3*time.Minute)
	if err := h.run(input(), at+4*time.Minute); err != nil {
		t.Fatal(err)
	}
	events := acts.events(caseID)
	if c := h.ok("comment"); c.Version != int64(len(events))-1 || c.Assignee != "handler9" || c.Comments != 2 {
		t.Errorf("the command after the store got ahead answered v%d assignee %q comments %d (store has %d events)",
			c.Version, c.Assignee, c.Comments, len(events))
	}
	h.ok("start")
	if final.Version != int64(len(events)) || final.Status != incident.StatusAnalysis {
		t.Errorf("final case v%d %s, store v%d", final.Version, final.Status, len(events))
	}
	if n := countType(events, incident.TypeCommentAdded); n != 2 {
		t.Errorf("%d comments stored, want 2", n)
	}
	for i, e := range events {
		if e.Version != int64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
	}
}
