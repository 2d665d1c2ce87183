package readmodel

import (
	"bytes"
	"testing"
	"time"

	"casetrail/incident"
)

// TestCaseIDKey: every database gets its own key of at least 32 bytes,
// written once: migrating again and a rebuild of the projection keep it.
func TestCaseIDKey(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	ka, err := a.reader.CaseIDKey(a.ctx)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := b.reader.CaseIDKey(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ka) < 32 || bytes.Equal(ka, kb) {
		t.Fatalf("keys %x and %x: want two different keys of at least 32 bytes", ka, kb)
	}
	if err := EnsureSchema(a.ctx, a.store.Pool()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.proj.Rebuild(a.ctx); err != nil {
		t.Fatal(err)
	}
	again, err := a.reader.CaseIDKey(a.ctx)
	if err != nil || !bytes.Equal(again, ka) {
		t.Fatalf("key after migrating and rebuilding: %x, %v; want %x", again, err, ka)
	}
}

// TestEvidenceBytes sums the evidence each subject added.
func TestEvidenceBytes(t *testing.T) {
	e := newEnv(t)
	tc := e.report(t, "reporter1", t0, incident.Report{Kind: incident.Impersonation, Unit: "lai-chau/tan-uyen",
		Title: "Giả mạo", Subjects: []incident.SubjectInput{{Platform: incident.Facebook, URL: "https://facebook.com/fake"}}})
	sum := "0000000000000000000000000000000000000000000000000000000000000000"
	for i, ev := range []struct {
		actor string
		size  int64
	}{{"handler1", 1000}, {"handler1", 2500}, {"reporter1", 7}} {
		tc.do(t, ev.actor, t0.Add(time.Duration(i+1)*time.Minute), incident.AddEvidence{Description: "ảnh", MediaType: "image/png", SHA256: sum, SizeBytes: ev.size})
	}
	e.catchUp(t)
	for sub, want := range map[string]int64{"handler1": 3500, "reporter1": 7, "nobody": 0} {
		got, err := e.reader.EvidenceBytes(e.ctx, sub)
		if err != nil || got != want {
			t.Errorf("EvidenceBytes(%s) = %d, %v; want %d", sub, got, err, want)
		}
	}
}
