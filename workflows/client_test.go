package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"casetrail/incident"
	"casetrail/workflows"
)

// TestDomainError: what a client call to a case workflow can fail with
// becomes the contract's answer; when the command may have been handed over
// but its outcome was not learned, the answer says so.
func TestDomainError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want *incident.Error
	}{
		{fmt.Errorf("update: %w", context.DeadlineExceeded), incident.ErrOutcomeUnknown},
		{fmt.Errorf("update: %w", context.Canceled), incident.ErrOutcomeUnknown},
		{serviceerror.NewUnavailable("workflow update was aborted"), incident.ErrOutcomeUnknown},
		{serviceerror.NewDeadlineExceeded("context deadline exceeded"), incident.ErrOutcomeUnknown},
		{serviceerror.NewNotFound("workflow update was aborted by closing workflow"), incident.ErrOutcomeUnknown},
		{serviceerror.NewNotFound("workflow not found"), &incident.Error{Code: incident.CodeNotFound, Message: "case not found"}},
		{temporal.NewNonRetryableApplicationError("no", incident.CodeConflict, nil, ""), &incident.Error{Code: incident.CodeConflict, Message: "no"}},
		{errors.New("boom"), &incident.Error{Code: incident.CodeInternal, Message: "internal error"}},
	} {
		var got *incident.Error
		if !errors.As(workflows.DomainError(tc.err), &got) || got.Code != tc.want.Code || got.Message != tc.want.Message {
			t.Errorf("DomainError(%v) = %v, want %s %q", tc.err, got, tc.want.Code, tc.want.Message)
		}
	}
}
