package readmodel

import (
	"context"

	"casetrail/incident"
)

// PublicCheckAccount is CheckAccount as the public may hear it (issue 18):
// a registered, not disabled official account, or a known impersonator
// found so by an IMPERSONATION case that is settled
// (incident.PublicImpersonationStatuses: resolved or closed), the most
// recent such case; a verdict of a case still open is not told.
func (r *Reader) PublicCheckAccount(ctx context.Context, url string) (incident.AccountCheck, error) {
	return r.checkAccount(ctx, url, incident.PublicImpersonationStatuses)
}

// statusTexts returns statuses as the text array of a query parameter:
// nil (SQL NULL) for nil.
func statusTexts(statuses []incident.Status) []string {
	if statuses == nil {
		return nil
	}
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = string(s)
	}
	return out
}
