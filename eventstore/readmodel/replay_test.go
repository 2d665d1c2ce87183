package readmodel

import (
	"context"
	"fmt"
	"testing"
	"time"

	"casetrail/incident"
)

// longCase builds a case whose life has every kind of event, with the
// clock's reminders and misses in between.
func longCase(t *testing.T, e *env) *tcase {
	t.Helper()
	h := time.Hour
	at := t0.Add(-10 * day)
	tc := e.report(t, "reporter1", at, incident.Report{Kind: incident.Impersonation, Title: "Trang giả mạo UBND huyện Tân Uyên", EscalatesTo: "lai-chau/so-vhttdl"})
	tc.clock(t, at.Add(3*h))
	tc.do(t, "handler1", at.Add(3*h), incident.Triage{Severity: incident.High, Assignee: "handler1"})
	tc.do(t, "handler1", at.Add(4*h), incident.StartAnalysis{})
	tc.do(t, "handler1", at.Add(5*h), incident.AddEvidence{Description: "Ảnh chụp", MediaType: "image/png",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", SizeBytes: 1234})
	tc.do(t, "handler1", at.Add(6*h), incident.RecordAnalysis{Findings: "Giả mạo", Verdict: incident.VerdictFalse})
	tc.do(t, "handler1", at.Add(7*h), incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/fake", Reason: "Giả mạo"})
	tc.clock(t, at.Add(40*h)) // the takedown response is missed: automatic escalation
	tc.do(t, "leader1", at.Add(41*h), incident.ApproveEscalation{Note: "Đồng ý"})
	tc.do(t, incident.SystemActor, at.Add(41*h+time.Minute), incident.SendEscalation{DispatchNumber: "12/UBND-VHTT"})
	tc.do(t, "handler1", at.Add(50*h), incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved})
	tc.do(t, "handler1", at.Add(60*h), incident.RecordEscalationResponse{Response: "Đã xử lý", Resolved: true})
	tc.do(t, "handler1", at.Add(61*h), incident.Resolve{Resolution: "Đã gỡ"})
	tc.do(t, "leader1", at.Add(62*h), incident.Close{})
	tc.do(t, "handler1", at.Add(70*h), incident.Reopen{Reason: "Tái xuất hiện"})
	tc.do(t, "handler1", at.Add(71*h), incident.Comment{Text: "Theo dõi tiếp"})
	return tc
}

func TestCaseAsOfEveryVersion(t *testing.T) {
	e := newEnv(t)
	tc := longCase(t, e)
	ctx := context.Background()
	n := int64(len(tc.recs))
	if n < 30 {
		t.Fatalf("only %d events", n)
	}
	for v := int64(1); v <= n; v++ {
		got, err := e.reader.CaseAsOf(ctx, tc.id, &v, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, fmt.Sprintf("version %d", v), *got, tc.snaps[v])
	}
	// At each event's instant, and just before it.
	for i, r := range tc.recs {
		at := r.OccurredAt
		want := int64(0)
		for j, q := range tc.recs {
			if !q.OccurredAt.After(at) {
				want = int64(j + 1)
			}
		}
		got, err := e.reader.CaseAsOf(ctx, tc.id, nil, &at)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "at event", *got, tc.snaps[want])
		if i > 0 {
			before := at.Add(-time.Microsecond)
			prev := int64(0)
			for j, q := range tc.recs {
				if !q.OccurredAt.After(before) {
					prev = int64(j + 1)
				}
			}
			got, err := e.reader.CaseAsOf(ctx, tc.id, nil, &before)
			if prev == 0 {
				if codeOf(err) != incident.CodeNotFound {
					t.Fatalf("before the report: %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "just before an event", *got, tc.snaps[prev])
		}
	}
	// Both bounds: the earlier one wins.
	v := int64(5)
	late := t0
	got, err := e.reader.CaseAsOf(ctx, tc.id, &v, &late)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "version and at", *got, tc.snaps[5])
	early := tc.recs[2].OccurredAt
	v = n
	got, err = e.reader.CaseAsOf(ctx, tc.id, &v, &early)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version >= n || got.UpdatedAt.After(early) {
		t.Fatalf("at bound ignored: version %d", got.Version)
	}
	// Neither: the whole stream.
	got, err = e.reader.CaseAsOf(ctx, tc.id, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "current", *got, tc.c)

	before := tc.recs[0].OccurredAt.Add(-time.Second)
	for name, tc := range map[string]struct {
		id      string
		version *int64
		at      *time.Time
		code    string
	}{
		"version 0":        {tc.id, ptr(int64(0)), nil, incident.CodeBadUserInput},
		"beyond the end":   {tc.id, ptr(n + 1), nil, incident.CodeBadUserInput},
		"before reporting": {tc.id, nil, &before, incident.CodeNotFound},
		"unknown case":     {"nope", nil, nil, incident.CodeNotFound},
		"unknown case v1":  {"nope", ptr(int64(1)), nil, incident.CodeNotFound},
	} {
		if _, err := e.reader.CaseAsOf(ctx, tc.id, tc.version, tc.at); codeOf(err) != tc.code {
			t.Fatalf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

func TestCaseAsOfLongStream(t *testing.T) {
	e := newEnv(t)
	tc := e.report(t, "reporter1", t0, incident.Report{})
	var pays []incident.Payload
	for i := range 2300 {
		pays = append(pays, incident.CommentAdded{Text: "Bình luận " + string(rune('a'+i%26))})
	}
	for len(pays) > 0 {
		k := min(len(pays), 1000)
		tc.emit(t, "handler1", t0.Add(time.Minute), pays[:k]...)
		pays = pays[k:]
	}
	for _, v := range []int64{999, 1000, 1001, 2001, int64(len(tc.recs))} {
		got, err := e.reader.CaseAsOf(context.Background(), tc.id, &v, nil)
		if err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "long stream", *got, tc.snaps[v])
	}
}

func TestHistoryAndVerify(t *testing.T) {
	e := newEnv(t)
	tc := longCase(t, e)
	ctx := context.Background()
	all, err := e.reader.History(ctx, tc.id, 1, MaxHistory)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "history", all, tc.recs)
	part, err := e.reader.History(ctx, tc.id, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "history page", part, tc.recs[4:7])
	past, err := e.reader.History(ctx, tc.id, int64(len(tc.recs))+1, 10)
	if err != nil || len(past) != 0 {
		t.Fatalf("past the end: %d events, %v", len(past), err)
	}
	for name, c := range map[string]struct {
		id    string
		from  int64
		limit int
		code  string
	}{
		"from 0":       {tc.id, 0, 10, incident.CodeBadUserInput},
		"limit 0":      {tc.id, 1, 0, incident.CodeBadUserInput},
		"limit huge":   {tc.id, 1, MaxHistory + 1, incident.CodeBadUserInput},
		"unknown case": {"nope", 1, 10, incident.CodeNotFound},
	} {
		if _, err := e.reader.History(ctx, c.id, c.from, c.limit); codeOf(err) != c.code {
			t.Fatalf("%s: %v, want %s", name, err, c.code)
		}
	}

	rep, err := e.reader.Verify(ctx, tc.id)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.EventsChecked != len(tc.recs) || rep.HeadHash != tc.recs[len(tc.recs)-1].Hash || rep.FirstBadVersion != 0 {
		t.Fatalf("verify: %+v", rep)
	}
	if _, err := e.reader.Verify(ctx, "nope"); codeOf(err) != incident.CodeNotFound {
		t.Fatalf("verify unknown: %v", err)
	}
}

// TestVerifyComparesProjection: verifyCase folds the stream again and
// compares it with the projection; a projection that is only behind is not
// a mismatch, an edited or missing one is.
func TestVerifyComparesProjection(t *testing.T) {
	e := newEnv(t)
	tc := longCase(t, e)
	ctx := context.Background()
	e.catchUp(t)
	check := func(what string, wantOK bool) {
		t.Helper()
		rep, err := e.reader.Verify(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK != wantOK || rep.FirstBadVersion != 0 || rep.HeadHash != tc.recs[len(tc.recs)-1].Hash {
			t.Fatalf("%s: Verify = %+v; want ok=%v, no bad version, the chain's head", what, rep, wantOK)
		}
	}
	check("projected", true)
	tc.do(t, "handler1", t0, incident.Comment{Text: "chưa chiếu"})
	check("projection behind the stream", true)
	e.catchUp(t)
	check("projected again", true)

	exec := func(q string) {
		t.Helper()
		if _, err := e.store.Pool().Exec(ctx, q, tc.id); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE cases SET status = 'CLOSED', doc = jsonb_set(doc::jsonb, '{status}', '"CLOSED"')::json WHERE id = $1`)
	check("status edited in the projection", false)
	exec(`UPDATE cases SET status = 'TRIAGED', version = version - 1,
  doc = jsonb_set(jsonb_set(doc::jsonb, '{status}', '"TRIAGED"'), '{version}', to_jsonb(version - 1))::json WHERE id = $1`)
	check("projection set back one version", false)
	exec(`DELETE FROM cases WHERE id = $1`)
	check("projection deleted", false)
}
