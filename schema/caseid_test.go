package schema

import (
	"testing"

	"github.com/google/uuid"
)

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
