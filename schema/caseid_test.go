package schema

import (
	"testing"

	"github.com/google/uuid"
)

// TestCaseIDFor: new case ids are version 4 UUIDs that only the key's holder
// can compute: the same inputs and key give the same id (a retried report
// finds its case), another key another id, and the id is no longer the
// UUID v5 of reporter and clientRequestId anyone could compute offline.
func TestCaseIDFor(t *testing.T) {
	id := CaseIDFor(caseIDKey, "reporter1", "r-1")
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("id %s (%v): want a version 4 UUID", id, err)
	}
	if again := CaseIDFor(caseIDKey, "reporter1", "r-1"); again != id {
		t.Errorf("same report, different ids: %s %s", id, again)
	}
	other := append([]byte(nil), caseIDKey...)
	other[0] ^= 1
	for _, x := range []string{
		CaseIDFor(other, "reporter1", "r-1"),
		CaseIDFor(caseIDKey, "reporter1", "r-2"),
		CaseIDFor(caseIDKey, "reporter2", "r-1"),
		CaseIDFor(caseIDKey, "reporter1r", "-1"), // the separator counts
		uuid.NewSHA1(idNamespace, []byte("reporter1/r-1")).String(),
	} {
		if x == id {
			t.Errorf("%s repeats for other inputs", x)
		}
	}
}

// TestReportAnswersCasesWithOldIDs: a case opened under the old id scheme
// (UUID v5) is still found by a repeated report and not called merged.
func TestReportAnswersCasesWithOldIDs(t *testing.T) {
	_, e := newTestSchema(t)
	old := uuid.NewSHA1(idNamespace, []byte("reporter1/old-1")).String()
	c := e.seedWithID(t, old, "reporter1", unitCommune, "old-1", "https://facebook.com/old")
	d := e.ok(t, "reporter1", `mutation { reportIncident(input: {clientRequestId: "old-1", kind: IMPERSONATION, unit: "`+unitCommune+
		`", title: "Trang giả mạo UBND xã", description: "", subjects: [{platform: FACEBOOK, url: "https://facebook.com/old"}]}) { merged case { id } } }`, nil)
	if dig(d, "reportIncident", "case", "id") != c.ID || dig(d, "reportIncident", "merged") != false || len(e.w.reports) != 1 {
		t.Errorf("repeated report of an old case: %s", toJSON(d))
	}
}
