package schema

import (
	"testing"

	"casetrail/intake"
)

// TestIntakeReadsCasesAsTheGraph: the intake merges a report only into a
// case the reporter may read, checked with the action the graph's case
// queries check.
func TestIntakeReadsCasesAsTheGraph(t *testing.T) {
	if intake.ActionReadCase != ActionReadCase {
		t.Errorf("intake.ActionReadCase = %q, schema.ActionReadCase = %q", intake.ActionReadCase, ActionReadCase)
	}
}
