package workflows_test

import (
	"slices"
	"testing"
	"time"

	"casetrail/incident"
	"casetrail/workflows"
)

func input() workflows.Input {
	return workflows.Input{CaseID: caseID, Policy: incident.DefaultPolicy()}
}

// TestLifecycle walks a false-information case from report to close and
// checks every answer, the stored events in order, the delivery of the
// takedown request and the search attributes.
func TestLifecycle(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	var mid incident.Case
	end := h.walk(0, then(toResolved, step{"close", leader, incident.Close{Note: "Đã xác nhận"}})...)
	h.env.RegisterDelayedCallback(func() { mid = h.query() }, 90*time.Second)
	if err := h.run(input(), end+time.Minute); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		id     string
		status incident.Status
	}{
		{"report", incident.StatusReported}, {"triage", incident.StatusTriaged}, {"start", incident.StatusAnalysis},
		{"analyse", incident.StatusAnalysis}, {"takedown", incident.StatusAction}, {"resolve", incident.StatusResolved},
		{"close", incident.StatusClosed},
	}
	var prev int64
	for _, w := range want {
		c := h.ok(w.id)
		if c.Status != w.status {
			t.Errorf("%s: status %s, want %s", w.id, c.Status, w.status)
		}
		if c.Version <= prev {
			t.Errorf("%s: version %d did not grow from %d", w.id, c.Version, prev)
		}
		prev = c.Version
	}
	rep := h.ok("report")
	if rep.Number != "VV-2026-000001" || rep.ID != caseID || rep.ReportedBy != "reporter1" || !rep.ReportedAt.Equal(t0) {
		t.Errorf("reported case: number %q id %q by %q at %v", rep.Number, rep.ID, rep.ReportedBy, rep.ReportedAt)
	}
	if rep.Subjects[0].NormalizedURL != "https://facebook.com/tin.nong.lai.chau/posts/123" {
		t.Errorf("subject not normalized: %+v", rep.Subjects[0])
	}
	if mid.Version != h.ok("triage").Version || mid.Status != incident.StatusTriaged {
		t.Errorf("query between commands: version %d status %s", mid.Version, mid.Status)
	}
	final := h.ok("close")
	if final.Position != int64(len(acts.events(caseID))) {
		t.Errorf("position %d, want the last global position %d", final.Position, len(acts.events(caseID)))
	}

	got := eventTypes(acts.events(caseID))
	wantTypes := []string{
		incident.TypeCaseReported, incident.TypeDeadlineSet, // TRIAGE
		incident.TypeCaseTriaged, incident.TypeDeadlineMet, incident.TypeDeadlineSet, incident.TypeDeadlineSet, // ANALYSIS, RESOLUTION
		incident.TypeAnalysisStarted,
		incident.TypeAnalysisRecorded, incident.TypeDeadlineMet,
		incident.TypeTakedownRequested, incident.TypeDeadlineSet, // TAKEDOWN_RESPONSE
		incident.TypeCaseResolved, incident.TypeDeadlineMet, incident.TypeDeadlineCancelled,
		incident.TypeNotificationSent, // the reporter told of the resolution
		incident.TypeCaseClosed,
	}
	if !slices.Equal(got, wantTypes) {
		t.Errorf("events:\n got %v\nwant %v", got, wantTypes)
	}
	for _, e := range acts.events(caseID) {
		if e.Actor == "" || e.OccurredAt.IsZero() {
			t.Errorf("event %d %s without actor or time", e.Version, e.Type)
		}
	}
	if len(acts.takedowns) != 1 || acts.takedowns[0].TakedownID != "TD-1" || acts.takedowns[0].Number != rep.Number {
		t.Errorf("takedown deliveries: %+v", acts.takedowns)
	}
	wantAttrs := map[string]string{
		"CaseStatus": "CLOSED", "CaseKind": "FALSE_INFORMATION", "CaseUnit": "lai-chau/tan-uyen",
		"CaseSeverity": "MEDIUM", "CaseAssignee": handler,
	}
	for k, v := range wantAttrs {
		if h.attrs[k] != v {
			t.Errorf("search attribute %s = %q, want %q", k, h.attrs[k], v)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestCommands runs, for every command, one rejected attempt (nothing may be
// written) and then the accepted one on the same case.
func TestCommands(t *testing.T) {
	badReport := reportCmd()
	badReport.Title = "  "
	merge := reportCmd()
	merge.ClientRequestID = "client-req-2"
	emptyMerge := merge
	emptyMerge.Subjects = nil
	evidence := incident.AddEvidence{Description: "Ảnh chụp màn hình", MediaType: "image/png", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", SizeBytes: 2048}
	noBlob := evidence
	noBlob.SHA256 = ""

	tests := []struct {
		name   string
		setup  []step
		bad    step
		code   string
		field  string
		good   step
		status incident.Status
		check  func(t *testing.T, c incident.Case)
	}{
		{
			name: "reportIncident", bad: step{"bad", "reporter1", badReport}, code: incident.CodeBadUserInput, field: "title",
			good: step{"good", "reporter1", reportCmd()}, status: incident.StatusReported,
			check: func(t *testing.T, c incident.Case) {
				if c.Number != "VV-2026-000001" {
					t.Errorf("number %q: a rejected report must not use a number", c.Number)
				}
			},
		},
		{
			name: "mergeReport", setup: toReported, bad: step{"bad", "reporter2", incident.MergeReport{Report: emptyMerge}},
			code: incident.CodeBadUserInput, field: "subjects",
			good: step{"good", "reporter2", incident.MergeReport{Report: merge}}, status: incident.StatusReported,
			check: func(t *testing.T, c incident.Case) {
				if c.MergedReports != 1 {
					t.Errorf("merged reports %d", c.MergedReports)
				}
			},
		},
		{
			name: "triageCase", setup: toReported, bad: step{"bad", handler, incident.Triage{Severity: "URGENT", Assignee: handler}},
			code: incident.CodeBadUserInput, field: "severity",
			good: step{"good", handler, triageCmd()}, status: incident.StatusTriaged,
			check: func(t *testing.T, c incident.Case) {
				if c.Severity != incident.Medium || c.Assignee != handler {
					t.Errorf("severity %s assignee %s", c.Severity, c.Assignee)
				}
			},
		},
		{
			name: "assignCase", setup: toTriaged, bad: step{"bad", handler, incident.Assign{Assignee: ""}},
			code: incident.CodeBadUserInput, field: "assignee",
			good: step{"good", leader, incident.Assign{Assignee: "handler2"}}, status: incident.StatusTriaged,
			check: func(t *testing.T, c incident.Case) {
				if c.Assignee != "handler2" {
					t.Errorf("assignee %s", c.Assignee)
				}
			},
		},
		{
			name: "startAnalysis", setup: toReported, bad: step{"bad", handler, incident.StartAnalysis{}},
			code: incident.CodeInvalidTransition,
			good: step{"good", handler, triageCmd()}, status: incident.StatusTriaged,
		},
		{
			name: "startAnalysis/accepted", setup: toTriaged, bad: step{"bad", handler, incident.Reopen{Reason: "x"}},
			code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.StartAnalysis{}}, status: incident.StatusAnalysis,
		},
		{
			name: "recordAnalysis", setup: toTriaged, bad: step{"bad", handler, analysisCmd()}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.StartAnalysis{}}, status: incident.StatusAnalysis,
		},
		{
			name: "recordAnalysis/accepted", setup: toAnalysis, bad: step{"bad", handler, incident.RecordAnalysis{Findings: ""}},
			code: incident.CodeBadUserInput, field: "findings",
			good: step{"good", handler, analysisCmd()}, status: incident.StatusAnalysis,
			check: func(t *testing.T, c incident.Case) {
				if c.Analysis == nil || c.Analysis.Verdict != incident.VerdictFalse || c.Analysis.ImpersonatedAccount != nil {
					t.Errorf("analysis %+v", c.Analysis)
				}
			},
		},
		{
			name: "addEvidence", setup: toTriaged, bad: step{"bad", handler, noBlob}, code: incident.CodeBadUserInput, field: "contentBase64",
			good: step{"good", handler, evidence}, status: incident.StatusTriaged,
			check: func(t *testing.T, c incident.Case) {
				if len(c.Evidence) != 1 || c.Evidence[0].ID != "EV-1" || c.Evidence[0].AddedBy != handler {
					t.Errorf("evidence %+v", c.Evidence)
				}
			},
		},
		{
			name: "requestTakedown", setup: toAnalysis, bad: step{"bad", handler, takedownCmd()}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, analysisCmd()}, status: incident.StatusAnalysis,
		},
		{
			name: "requestTakedown/accepted", setup: toAnalysed,
			bad:  step{"bad", handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "ftp://x", Reason: "r"}},
			code: incident.CodeBadUserInput, field: "targetUrl",
			good: step{"good", handler, takedownCmd()}, status: incident.StatusAction,
			check: func(t *testing.T, c incident.Case) {
				if len(c.Takedowns) != 1 || c.Takedowns[0].Status != incident.TakedownSent || !c.Takedowns[0].DueAt.Equal(c.Takedowns[0].RequestedAt.Add(24*time.Hour)) {
					t.Errorf("takedowns %+v", c.Takedowns)
				}
			},
		},
		{
			name: "recordTakedownResponse", setup: toAction, bad: step{"bad", handler, incident.RecordTakedownResponse{TakedownID: "TD-9", Outcome: incident.OutcomeRemoved}},
			code: incident.CodeNotFound,
			good: step{"good", handler, responseCmd(incident.OutcomeRemoved)}, status: incident.StatusAction,
			check: func(t *testing.T, c incident.Case) {
				if c.Takedowns[0].Status != incident.TakedownRemoved || c.Takedowns[0].PlatformReference != "FB-998877" {
					t.Errorf("takedown %+v", c.Takedowns[0])
				}
			},
		},
		{
			name: "requestEscalation", setup: toTriaged, bad: step{"bad", handler, incident.RequestEscalation{Reason: "r"}},
			code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.StartAnalysis{}}, status: incident.StatusAnalysis,
		},
		{
			name: "requestEscalation/accepted", setup: toAction, bad: step{"bad", handler, incident.RequestEscalation{Reason: ""}},
			code: incident.CodeBadUserInput, field: "reason",
			good: step{"good", handler, incident.RequestEscalation{Reason: "Nền tảng không phản hồi"}}, status: incident.StatusEscalated,
			check: func(t *testing.T, c incident.Case) {
				if c.Escalation == nil || c.Escalation.Status != incident.EscPendingApproval || c.Escalation.To != "lai-chau/so-vhttdl" {
					t.Errorf("escalation %+v", c.Escalation)
				}
			},
		},
		{
			name: "approveEscalation", setup: toAction, bad: step{"bad", leader, incident.ApproveEscalation{}}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.RequestEscalation{Reason: "r"}}, status: incident.StatusEscalated,
		},
		{
			name: "approveEscalation/accepted", setup: toEscalated, bad: step{"bad", handler, incident.RecordEscalationResponse{Response: "r"}},
			code: incident.CodeInvalidTransition,
			good: step{"good", leader, incident.ApproveEscalation{Note: "Đồng ý"}}, status: incident.StatusEscalated,
			check: func(t *testing.T, c incident.Case) {
				if c.Escalation.Status != incident.EscSent || c.Escalation.DispatchNumber != "01/UBND-VHTT" || c.Escalation.ApprovedBy != leader {
					t.Errorf("escalation %+v", c.Escalation)
				}
				if d := lastDeadline(c, incident.DeadlineEscalationResponse); d == nil || d.State != incident.StatePending {
					t.Errorf("no pending ESCALATION_RESPONSE deadline: %+v", c.Deadlines)
				}
			},
		},
		{
			name: "declineEscalation", setup: toEscalated, bad: step{"bad", leader, incident.DeclineEscalation{Reason: ""}},
			code: incident.CodeBadUserInput, field: "reason",
			good: step{"good", leader, incident.DeclineEscalation{Reason: "Chưa đủ căn cứ"}}, status: incident.StatusAction,
			check: func(t *testing.T, c incident.Case) {
				if c.Escalation.Status != incident.EscDeclined {
					t.Errorf("escalation %+v", c.Escalation)
				}
			},
		},
		{
			name: "recordEscalationResponse", setup: toSent, bad: step{"bad", handler, incident.RecordEscalationResponse{Response: ""}},
			code: incident.CodeBadUserInput, field: "response",
			good: step{"good", handler, incident.RecordEscalationResponse{Response: "Sở đã làm việc với nền tảng", Resolved: true}}, status: incident.StatusEscalated,
			check: func(t *testing.T, c incident.Case) {
				if c.Escalation.Status != incident.EscResolved {
					t.Errorf("escalation %+v", c.Escalation)
				}
			},
		},
		{
			name: "resolveCase", setup: toTriaged, bad: step{"bad", handler, incident.Resolve{Resolution: "x"}}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.StartAnalysis{}}, status: incident.StatusAnalysis,
		},
		{
			name: "resolveCase/accepted", setup: toAction, bad: step{"bad", handler, incident.Resolve{Resolution: ""}},
			code: incident.CodeBadUserInput, field: "resolution",
			good: step{"good", handler, incident.Resolve{Resolution: "Đã gỡ"}}, status: incident.StatusResolved,
			check: func(t *testing.T, c incident.Case) {
				if len(c.PendingDeadlines()) != 0 || c.ResolvedAt == nil {
					t.Errorf("resolved case keeps deadlines %+v", c.PendingDeadlines())
				}
			},
		},
		{
			name: "closeCase", setup: toAction, bad: step{"bad", leader, incident.Close{}}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.Resolve{Resolution: "Đã gỡ"}}, status: incident.StatusResolved,
		},
		{
			name: "closeCase/accepted", setup: toResolved, bad: step{"bad", leader, incident.Resolve{Resolution: "again"}},
			code: incident.CodeInvalidTransition,
			good: step{"good", leader, incident.Close{Note: "Đã xác nhận"}}, status: incident.StatusClosed,
		},
		{
			name: "rejectCase", setup: toAction, bad: step{"bad", handler, incident.Reject{Reason: "x"}}, code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.Comment{Text: "Không thể bác bỏ khi đang xử lý"}}, status: incident.StatusAction,
		},
		{
			name: "rejectCase/accepted", setup: toReported, bad: step{"bad", handler, incident.Reject{Reason: ""}},
			code: incident.CodeBadUserInput, field: "reason",
			good: step{"good", handler, incident.Reject{Reason: "Không thuộc phạm vi"}}, status: incident.StatusRejected,
			check: func(t *testing.T, c incident.Case) {
				if len(c.PendingDeadlines()) != 0 {
					t.Errorf("rejected case keeps deadlines %+v", c.PendingDeadlines())
				}
			},
		},
		{
			name: "reopenCase", setup: then(toTriaged, step{"reject", handler, incident.Reject{Reason: "Không thuộc phạm vi"}}), bad: step{"bad", handler, incident.Triage{Severity: incident.Low, Assignee: handler}},
			code: incident.CodeInvalidTransition,
			good: step{"good", handler, incident.Reopen{Reason: "Có thêm bằng chứng"}}, status: incident.StatusTriaged,
			check: func(t *testing.T, c incident.Case) {
				if d := lastDeadline(c, incident.DeadlineAnalysis); d == nil || d.State != incident.StatePending {
					t.Errorf("reopened case without an ANALYSIS deadline: %+v", c.Deadlines)
				}
			},
		},
		{
			name: "addComment", setup: toTriaged, bad: step{"bad", handler, incident.Comment{Text: ""}},
			code: incident.CodeBadUserInput, field: "text",
			good: step{"good", "reporter1", incident.Comment{Text: "Trang vẫn còn đăng bài"}}, status: incident.StatusTriaged,
			check: func(t *testing.T, c incident.Case) {
				if c.Comments != 1 {
					t.Errorf("comments %d", c.Comments)
				}
			},
		},
		{
			name: "no actor", setup: toTriaged, bad: step{"bad", "", incident.Comment{Text: "x"}},
			code: incident.CodeBadUserInput, field: "actor",
			good: step{"good", handler, incident.Comment{Text: "x"}}, status: incident.StatusTriaged,
		},
		{
			name: "unknown case", bad: step{"bad", handler, triageCmd()}, code: incident.CodeNotFound,
			good: step{"good", "reporter1", reportCmd()}, status: incident.StatusReported,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acts := newMemActivities()
			h := newHarness(t, acts, t0)
			at := h.walk(0, tc.setup...)
			var before, after int
			h.env.RegisterDelayedCallback(func() { before = len(acts.events(caseID)) }, at)
			h.at(at+time.Second, tc.bad.id, tc.bad.actor, tc.bad.cmd)
			h.env.RegisterDelayedCallback(func() { after = len(acts.events(caseID)) }, at+time.Minute)
			h.at(at+2*time.Minute, tc.good.id, tc.good.actor, tc.good.cmd)
			if err := h.run(input(), at+3*time.Minute); err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.setup {
				h.ok(s.id)
			}
			e := h.refused("bad")
			if e.Code != tc.code || e.Field != tc.field {
				t.Errorf("rejected with %s %q (%s), want %s %q", e.Code, e.Field, e.Message, tc.code, tc.field)
			}
			if !h.outcomes["bad"].rejected {
				t.Errorf("the validator let the bad command through (handler error %v)", h.outcomes["bad"].err)
			}
			if after != before {
				t.Errorf("a rejected command wrote %d events", after-before)
			}
			c := h.ok("good")
			if c.Status != tc.status {
				t.Errorf("status %s, want %s", c.Status, tc.status)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

// TestExpectedVersion: a stale expectedVersion is a CONFLICT and writes
// nothing; the current one is accepted.
func TestExpectedVersion(t *testing.T) {
	acts := newMemActivities()
	h := newHarness(t, acts, t0)
	at := h.walk(0, toReported...)
	h.env.RegisterDelayedCallback(func() {
		v := h.query().Version
		h.send("stale", request{Actor: handler, ExpectedVersion: ptr(v - 1), Command: triageCmd()})
		h.send("ahead", request{Actor: handler, ExpectedVersion: ptr(v + 1), Command: triageCmd()})
	}, at)
	h.env.RegisterDelayedCallback(func() {
		v := h.query().Version
		h.send("current", request{Actor: handler, ExpectedVersion: ptr(v), Command: triageCmd()})
	}, at+time.Minute)
	if err := h.run(input(), at+2*time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"stale", "ahead"} {
		if e := h.refused(id); e.Code != incident.CodeConflict {
			t.Errorf("%s: %s %s, want CONFLICT", id, e.Code, e.Message)
		}
	}
	if c := h.ok("current"); c.Status != incident.StatusTriaged {
		t.Errorf("status %s", c.Status)
	}
	if n := len(acts.events(caseID)); n != 6 {
		t.Errorf("%d events stored, want 6 (report 2 + triage 4)", n)
	}
}

func lastDeadline(c incident.Case, kind incident.DeadlineKind) *incident.Deadline {
	for i := len(c.Deadlines) - 1; i >= 0; i-- {
		if c.Deadlines[i].Kind == kind {
			return &c.Deadlines[i]
		}
	}
	return nil
}
