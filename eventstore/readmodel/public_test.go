package readmodel

import (
	"context"
	"testing"
	"time"

	"casetrail/incident"
)

// TestPublicCheckAccount: the public hears of an impersonator only through
// a settled case (resolved or closed), the most recent such one; a verdict
// recorded in a case still open, or a case reopened since, tells nothing.
func TestPublicCheckAccount(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.reg.UpsertUnits(ctx, genUnits); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.RegisterOfficialAccount(ctx, testChange, "lai-chau/tan-uyen", incident.Facebook, "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên"); err != nil {
		t.Fatal(err)
	}
	subject := func(u string) []incident.SubjectInput {
		return []incident.SubjectInput{{Platform: incident.Facebook, URL: u}}
	}
	settle := func(tc *tcase, at time.Time) { tc.do(t, "handler1", at, incident.Resolve{Resolution: "Đã gỡ"}) }

	resolved := "https://www.facebook.com/gia-mao-1"
	r1 := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(resolved)})
	r1.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.High, incident.VerdictFalse)
	settle(r1, t0.Add(-2*day))

	open := "https://www.facebook.com/gia-mao-2"
	o := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(open)})
	o.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.High, incident.VerdictFalse)

	// An older closed case and a newer open one about the same page: the
	// closed one answers.
	both := "https://www.facebook.com/gia-mao-3"
	old := e.report(t, "reporter1", t0.Add(-5*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(both)})
	old.triageAnalyse(t, t0.Add(-5*day+time.Hour), incident.High, incident.VerdictMisleading)
	settle(old, t0.Add(-4*day))
	old.do(t, "leader1", t0.Add(-4*day+time.Hour), incident.Close{})
	newer := e.report(t, "reporter1", t0.Add(-day), incident.Report{Kind: incident.Impersonation, Subjects: subject(both)})
	newer.triageAnalyse(t, t0.Add(-day+time.Hour), incident.High, incident.VerdictFalse)

	reopened := "https://www.facebook.com/gia-mao-4"
	re := e.report(t, "reporter1", t0.Add(-3*day), incident.Report{Kind: incident.Impersonation, Subjects: subject(reopened)})
	re.triageAnalyse(t, t0.Add(-3*day+time.Hour), incident.High, incident.VerdictFalse)
	settle(re, t0.Add(-2*day))
	re.do(t, "leader1", t0.Add(-day), incident.Reopen{Reason: "Trang xuất hiện lại"})
	e.catchUp(t)

	for _, tc := range []struct {
		url, want, number string
	}{
		{"https://facebook.com/ubndtanuyen", incident.AccountOfficial, ""},
		{resolved, incident.AccountKnownImpersonator, r1.c.Number},
		{open, incident.AccountUnknown, ""},
		{both, incident.AccountKnownImpersonator, old.c.Number},
		{reopened, incident.AccountUnknown, ""},
	} {
		got, err := e.reader.PublicCheckAccount(ctx, tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got.Result != tc.want || got.CaseNumber != tc.number {
			t.Errorf("%s: %+v, want %s %q", tc.url, got, tc.want, tc.number)
		}
	}
	// The logged-in check still tells of open cases (the GraphQL resolver
	// decides who sees the number).
	if got, err := e.reader.CheckAccount(ctx, open); err != nil || got.CaseNumber != o.c.Number {
		t.Errorf("CheckAccount(open): %+v, %v", got, err)
	}
	if _, err := e.reader.PublicCheckAccount(ctx, "facebook.com/x"); codeOf(err) != incident.CodeBadUserInput {
		t.Errorf("bad url: %v", err)
	}
}
