package incident_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"casetrail/incident"
)

// allEventTypes are the event type names of the contract.
var allEventTypes = []string{
	incident.TypeCaseReported, incident.TypeReportMerged, incident.TypeCaseTriaged, incident.TypeCaseAssigned,
	incident.TypeAnalysisStarted, incident.TypeAnalysisRecorded, incident.TypeEvidenceAdded,
	incident.TypeTakedownRequested, incident.TypeTakedownResponded, incident.TypeEscalationRequested,
	incident.TypeEscalationApproved, incident.TypeEscalationDeclined, incident.TypeEscalationSent,
	incident.TypeEscalationResponded, incident.TypeDeadlineSet, incident.TypeDeadlineReminder,
	incident.TypeDeadlineMet, incident.TypeDeadlineMissed, incident.TypeDeadlineCancelled,
	incident.TypeCaseResolved, incident.TypeCaseClosed, incident.TypeCaseRejected, incident.TypeCaseReopened,
	incident.TypeCommentAdded, incident.TypeTaskCompleted, incident.TypeTaskWaived,
	incident.TypeNotificationSent, incident.TypeNotificationFailed,
}

func TestEventTypes(t *testing.T) {
	got := incident.EventTypes()
	sort.Strings(got)
	want := append([]string(nil), allEventTypes...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EventTypes() = %v, want %v", got, want)
	}
}

// longHistory walks a case through every event type: reported, merged,
// triaged, rejected, reopened, analysed (with the impersonated account),
// evidence, two takedowns (one missed, auto-escalated and declined, one
// answered), escalated by hand, approved, sent, answered, resolved, closed,
// with reminders, misses and comments along the way.
func longHistory(t *testing.T) *history {
	t.Helper()
	h := newHistory(t)
	h.do(reporter, validReport(), t0)
	merge := validReport()
	merge.ClientRequestID = "req-2"
	merge.Subjects = []incident.SubjectInput{{Platform: incident.Zalo, URL: "https://zalo.me/123456"}}
	h.do(reporter, incident.MergeReport{Report: merge}, at(0.5))
	h.tick(at(2)) // TRIAGE reminder
	h.record(incident.SystemActor, at(2), []incident.Payload{incident.NotificationSent{
		Key: "ev-3", Cause: incident.TypeDeadlineReminder, Recipients: []string{handler}, Subject: "Nhắc hạn",
		Channels: []incident.NotificationChannel{{Channel: "log", OK: true}},
	}})
	h.do(handler, incident.Triage{Severity: incident.Medium, Assignee: handler, Note: "Xem gấp"}, at(3))
	h.do(leader, incident.Reject{Reason: "Nhầm"}, at(3.5))
	h.do(leader, incident.Reopen{Reason: "Không nhầm"}, at(4))
	h.do(leader, incident.Assign{Assignee: "handler2"}, at(4.1))
	h.do("handler2", incident.StartAnalysis{}, at(4.2))
	sim := 0.93
	h.do("handler2", incident.RecordAnalysis{
		Findings: "Trang mạo danh", Verdict: incident.VerdictFalse, LegalBasis: "Điều 101 Nghị định 15/2020",
		Match:      &incident.OfficialAccountRef{ID: "oa-1", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook, URL: "https://www.facebook.com/ubndtanuyen", DisplayName: "UBND huyện Tân Uyên"},
		Similarity: &sim,
	}, at(5))
	h.do(reporter, incident.AddEvidence{Description: "Ảnh", URL: "https://facebook.com/x/posts/1", MediaType: "image/jpeg", SHA256: strings.Repeat("0f", 32), SizeBytes: 2048}, at(5.5))
	h.do("handler2", incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: "Mạo danh", LegalBasis: "Điều 23"}, at(6))
	h.tick(at(31)) // TD-1 missed: auto-escalation
	h.record(incident.SystemActor, at(31), []incident.Payload{incident.NotificationRecord(incident.NotificationSent{
		Key: "ev-20", Cause: incident.TypeDeadlineMissed, Recipients: []string{"handler2", leader}, Subject: "Quá hạn",
		Channels: []incident.NotificationChannel{{Channel: "log", OK: true}, {Channel: "email", Error: "dial failed"}},
	})})
	h.do(leader, incident.DeclineEscalation{Reason: "Chờ thêm"}, at(32))
	h.do("handler2", incident.RequestTakedown{Platform: incident.Zalo, TargetURL: "https://zalo.me/123456", Reason: "Mạo danh"}, at(33))
	h.do("handler2", incident.RecordTakedownResponse{TakedownID: "TD-2", Outcome: incident.OutcomeAcknowledged, PlatformReference: "ZL-9", Note: "Đang xem"}, at(34))
	h.do("handler2", incident.RequestEscalation{Reason: "Nền tảng chậm"}, at(35))
	h.do(leader, incident.ApproveEscalation{Note: "Gửi Sở"}, at(36))
	h.do(incident.SystemActor, incident.SendEscalation{DispatchNumber: "45/UBND-VHTT"}, at(36.5))
	h.do("handler2", incident.RecordEscalationResponse{Response: "Sở đã yêu cầu gỡ", Resolved: true}, at(40))
	h.do(reporter, incident.Comment{Text: "Cảm ơn"}, at(41))
	h.do("handler2", incident.CompleteTask{TaskID: "public-warning", URL: "https://www.facebook.com/ubndtanuyen/posts/1"}, at(41.5))
	h.do(leader, incident.WaiveTask{TaskID: "escalate-if-persists", Reason: "Đã chuyển Sở"}, at(41.6))
	h.do("handler2", incident.Resolve{Resolution: "Đã gỡ"}, at(42))
	h.do(leader, incident.Close{Note: "Đóng"}, at(43))
	h.do(reporter, incident.Comment{Text: "Xong"}, at(44))
	return h
}

func TestLongHistoryCoversEveryEventType(t *testing.T) {
	h := longHistory(t)
	seen := map[string]bool{}
	for _, e := range h.events {
		seen[e.Type] = true
	}
	for _, typ := range allEventTypes {
		if !seen[typ] {
			t.Errorf("the long history has no %s event", typ)
		}
	}
	c := h.c
	if c.Status != incident.StatusClosed || c.MergedReports != 1 || len(c.Subjects) != 2 || c.Comments != 2 ||
		c.Escalation.Status != incident.EscResolved || len(c.Takedowns) != 2 || len(c.Evidence) != 1 ||
		c.Analysis.ImpersonatedAccount == nil || *c.Analysis.Similarity != 0.93 || c.Version != int64(len(h.events)) {
		t.Errorf("final case = %+v", c)
	}
}

// TestFoldEqualsIncrementalState checks that replaying the log from zero gives
// the state the workflow built decision by decision, at every prefix.
func TestFoldEqualsIncrementalState(t *testing.T) {
	h := longHistory(t)
	replay := newHistory(t)
	for i, e := range h.events {
		replay.record(e.Actor, e.At, []incident.Payload{e.Data})
		folded, err := incident.Fold(h.events[:i+1])
		if err != nil {
			t.Fatalf("Fold: %v", err)
		}
		if !reflect.DeepEqual(folded, replay.c) {
			t.Fatalf("after event %d (%s): Fold differs from Apply one by one", i+1, e.Type)
		}
	}
	if !reflect.DeepEqual(replay.c, h.c) {
		t.Fatalf("Fold of the log differs from the state built while deciding:\n got %+v\nwant %+v", replay.c, h.c)
	}
}

// TestFoldAfterStoreRoundTrip encodes every event as the store does and
// folds the decoded log: the case must come out identical.
func TestFoldAfterStoreRoundTrip(t *testing.T) {
	h := longHistory(t)
	stored := make([]incident.Event, len(h.events))
	for i, e := range h.events {
		raw, err := incident.EncodePayload(e.Data)
		if err != nil {
			t.Fatalf("encode %s: %v", e.Type, err)
		}
		p, err := incident.DecodePayload(e.Type, raw)
		if err != nil {
			t.Fatalf("decode %s: %v", e.Type, err)
		}
		if !reflect.DeepEqual(p, e.Data) {
			t.Errorf("%s round trip: got %+v, want %+v", e.Type, p, e.Data)
		}
		stored[i] = e
		stored[i].Data = p
		stored[i].Version = int64(i + 1)
		stored[i].GlobalPosition = int64(1000 + i)
	}
	got, err := incident.Fold(stored)
	if err != nil {
		t.Fatalf("Fold: %v", err)
	}
	want := h.c
	want.Position = stored[len(stored)-1].GlobalPosition // the store's, unknown while deciding
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Fold after round trip:\n got %+v\nwant %+v", got, want)
	}
}

// samplePayloads has one payload of every type with every field set.
func samplePayloads() []incident.Payload {
	due := time.Date(2025, 7, 2, 8, 30, 0, 123456789, time.UTC)
	sim := 0.875
	subj := []incident.Subject{{Platform: incident.Facebook, URL: "https://www.facebook.com/a?fbclid=1", NormalizedURL: "https://facebook.com/a", DisplayName: "Trang Ủy ban"}}
	return []incident.Payload{
		incident.CaseReported{CaseID: "c", Number: "VV-2025-000007", Kind: incident.FalseInformation, Unit: "u", EscalatesTo: "p", Title: "Tiêu đề", Description: "Mô tả", Subjects: subj, ClientRequestID: "r"},
		incident.ReportMerged{Title: "t", Description: "d", Unit: "u", Subjects: subj, ClientRequestID: "r2"},
		incident.CaseTriaged{Severity: incident.Critical, Assignee: "a", Note: "n", Tasks: []incident.PlannedTask{{ID: "fact-check", Title: "Kiểm chứng", Required: true, Role: "HANDLER", DueAt: &due, RecordsURL: true}}},
		incident.CaseAssigned{Assignee: "b"},
		incident.AnalysisStarted{},
		incident.AnalysisRecorded{Findings: "f", Verdict: incident.VerdictUnverified, LegalBasis: "l", ImpersonatedAccount: &incident.OfficialAccountRef{ID: "i", Unit: "u", Platform: incident.YouTube, URL: "https://youtube.com/@x", DisplayName: "X"}, Similarity: &sim},
		incident.EvidenceAdded{EvidenceID: "EV-1", Description: "d", URL: "https://x.vn", SHA256: strings.Repeat("a", 64), MediaType: "image/png", SizeBytes: 9},
		incident.TakedownRequested{TakedownID: "TD-1", Platform: incident.Telegram, TargetURL: "https://t.me/x", Reason: "r", LegalBasis: "l", DueAt: due},
		incident.TakedownResponded{TakedownID: "TD-1", Outcome: incident.OutcomeRejected, PlatformReference: "ref", Note: "n"},
		incident.EscalationRequested{Reason: "r", To: "p"},
		incident.EscalationApproved{Note: "n"},
		incident.EscalationDeclined{Reason: "r"},
		incident.EscalationSent{DispatchNumber: "1/UBND", To: "p"},
		incident.EscalationResponded{Response: "r", Resolved: true},
		incident.DeadlineSet{DeadlineID: "RESOLUTION-3", Kind: incident.DeadlineResolution, Ref: "x", DueAt: due, StartedAt: due.Add(-time.Hour)},
		incident.DeadlineReminder{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage, Fraction: 0.8, DueAt: due},
		incident.DeadlineMet{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage},
		incident.DeadlineMissed{DeadlineID: "TAKEDOWN_RESPONSE-4", Kind: incident.DeadlineTakedownResponse, Ref: "TD-1"},
		incident.DeadlineCancelled{DeadlineID: "ANALYSIS-2", Kind: incident.DeadlineAnalysis},
		incident.CaseResolved{Resolution: "r"},
		incident.CaseClosed{Note: "n"},
		incident.CaseRejected{Reason: "r"},
		incident.CaseReopened{Reason: "r"},
		incident.CommentAdded{Text: "t"},
		incident.TaskCompleted{TaskID: "fact-check", Note: "n", URL: "https://x.vn/dinh-chinh"},
		incident.TaskWaived{TaskID: "escalate", Reason: "r"},
		incident.NotificationSent{Key: "k", Cause: incident.TypeDeadlineMissed, Recipients: []string{"handler1"}, Subject: "s",
			Channels: []incident.NotificationChannel{{Channel: "email", OK: true, To: []string{"handler1"}}}},
		incident.NotificationFailed{Key: "k", Cause: incident.TypeCaseResolved, Recipients: []string{"reporter1"},
			Channels: []incident.NotificationChannel{{Channel: "email", To: []string{"reporter1"}, Failed: []string{"reporter1"}, Error: "550"}}},
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range samplePayloads() {
		seen[p.EventType()] = true
		raw, err := incident.EncodePayload(p)
		if err != nil {
			t.Fatalf("encode %s: %v", p.EventType(), err)
		}
		if !json.Valid(raw) {
			t.Fatalf("%s encodes to invalid JSON %s", p.EventType(), raw)
		}
		got, err := incident.DecodePayload(p.EventType(), raw)
		if err != nil {
			t.Fatalf("decode %s: %v", p.EventType(), err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", p.EventType(), got, p)
		}
	}
	for _, typ := range allEventTypes {
		if !seen[typ] {
			t.Errorf("no sample payload for %s", typ)
		}
	}
}

func TestPayloadJSONNames(t *testing.T) {
	// Field names are read by auditors and other programs: spot-check the contract.
	raw, err := incident.EncodePayload(incident.TakedownRequested{TakedownID: "TD-1", TargetURL: "https://x.vn", DueAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"takedownId":"TD-1"`, `"targetUrl":"https://x.vn"`, `"dueAt":"2025-07-01T08:00:00Z"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("%s lacks %s", raw, key)
		}
	}
	// A DeadlineSet that starts with its event keeps the stored form it always had.
	raw, err = incident.EncodePayload(incident.DeadlineSet{DeadlineID: "TRIAGE-1", Kind: incident.DeadlineTriage, DueAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"deadlineId":"TRIAGE-1","kind":"TRIAGE","dueAt":"2025-07-01T08:00:00Z"}`; string(raw) != want {
		t.Errorf("DeadlineSet = %s, want %s", raw, want)
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	if _, err := incident.DecodePayload("CaseExploded", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "CaseExploded") {
		t.Errorf("unknown type: err = %v, want an error naming the type", err)
	}
	if _, err := incident.DecodePayload(incident.TypeCaseTriaged, []byte(`{"severity":`)); err == nil {
		t.Error("malformed JSON decoded without error")
	}
	if _, err := incident.DecodePayload(incident.TypeCaseTriaged, []byte(`{"severity":1}`)); err == nil {
		t.Error("mistyped JSON decoded without error")
	}
	// An empty body is the zero payload (AnalysisStarted has no fields).
	p, err := incident.DecodePayload(incident.TypeAnalysisStarted, nil)
	if err != nil || p != (incident.AnalysisStarted{}) {
		t.Errorf("empty AnalysisStarted = %v, %v", p, err)
	}
}

// strangePayload is a payload the fold does not know.
type strangePayload struct{}

func (strangePayload) EventType() string { return "Strange" }

func TestApplyUnknownPayload(t *testing.T) {
	h := fixture(t, fxReported)
	before := h.c.Clone()
	c := h.c
	err := incident.Apply(&c, incident.Event{Type: "Strange", At: at(1), Data: strangePayload{}})
	if err == nil {
		t.Fatal("Apply accepted an unknown payload")
	}
	if !reflect.DeepEqual(c, before) {
		t.Error("a failed Apply changed the case")
	}
	if err := incident.Apply(&c, incident.Event{Type: "none", At: at(1)}); err == nil {
		t.Error("Apply accepted an event without payload")
	}
	events := append(append([]incident.Event(nil), h.events...), incident.Event{Type: "Strange", Data: strangePayload{}})
	if _, err := incident.Fold(events); err == nil {
		t.Error("Fold accepted an unknown payload")
	}
}

func TestApplyStoreVersion(t *testing.T) {
	h := fixture(t, fxReported)
	c := h.c
	if err := incident.Apply(&c, incident.Event{Type: incident.TypeCommentAdded, At: at(1), Data: incident.CommentAdded{Text: "x"}, Version: 42, GlobalPosition: 7}); err != nil {
		t.Fatal(err)
	}
	if c.Version != 42 || c.Position != 7 {
		t.Errorf("version/position = %d/%d, want the store's 42/7", c.Version, c.Position)
	}
	// Without store numbers the version counts on and the position stays.
	if err := incident.Apply(&c, incident.Event{Type: incident.TypeCommentAdded, At: at(2), Data: incident.CommentAdded{Text: "y"}}); err != nil {
		t.Fatal(err)
	}
	if c.Version != 43 || c.Position != 7 {
		t.Errorf("version/position = %d/%d, want 43/7", c.Version, c.Position)
	}
}

func TestCloneIsDeep(t *testing.T) {
	h := longHistory(t)
	c := h.c.Clone()
	c.Subjects[0].URL = "changed"
	c.Takedowns[0].Status = incident.TakedownWithdrawn
	c.Deadlines[0].State = incident.StateCancelled
	c.Evidence[0].ID = "changed"
	c.Analysis.Findings = "changed"
	c.Escalation.Reason = "changed"
	if h.c.Subjects[0].URL == "changed" || h.c.Takedowns[0].Status == incident.TakedownWithdrawn ||
		h.c.Deadlines[0].State == incident.StateCancelled || h.c.Evidence[0].ID == "changed" ||
		h.c.Analysis.Findings == "changed" || h.c.Escalation.Reason == "changed" {
		t.Error("Clone shares memory with the original")
	}
}

func TestPolicyValidate(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name    string
		edit    func(p *incident.Policy)
		wantErr string
	}{
		{"defaults", func(*incident.Policy) {}, ""},
		{"no reminders", func(p *incident.Policy) { p.Reminders = nil }, ""},
		{"one reminder", func(p *incident.Policy) { p.Reminders = []float64{0.9} }, ""},
		{"triage zero", func(p *incident.Policy) { p.Triage = 0 }, "TRIAGE"},
		{"triage negative", func(p *incident.Policy) { p.Triage = -h }, "TRIAGE"},
		{"takedown response zero", func(p *incident.Policy) { p.TakedownResponse = 0 }, "TAKEDOWN_RESPONSE"},
		{"escalation approval zero", func(p *incident.Policy) { p.EscalationApproval = 0 }, "ESCALATION_APPROVAL"},
		{"escalation response zero", func(p *incident.Policy) { p.EscalationResponse = 0 }, "ESCALATION_RESPONSE"},
		{"analysis severity missing", func(p *incident.Policy) {
			p.Analysis = map[incident.Severity]time.Duration{incident.Low: h, incident.Medium: h, incident.High: h}
		}, "ANALYSIS"},
		{"analysis nil", func(p *incident.Policy) { p.Analysis = nil }, "ANALYSIS"},
		{"resolution negative", func(p *incident.Policy) {
			p.Resolution = map[incident.Severity]time.Duration{incident.Low: h, incident.Medium: h, incident.High: h, incident.Critical: -h}
		}, "RESOLUTION"},
		{"reminders decreasing", func(p *incident.Policy) { p.Reminders = []float64{0.8, 0.5} }, "reminders"},
		{"reminders repeated", func(p *incident.Policy) { p.Reminders = []float64{0.5, 0.5} }, "reminders"},
		{"reminder zero", func(p *incident.Policy) { p.Reminders = []float64{0} }, "reminders"},
		{"reminder negative", func(p *incident.Policy) { p.Reminders = []float64{-0.5} }, "reminders"},
		{"reminder at 1", func(p *incident.Policy) { p.Reminders = []float64{0.5, 1} }, "reminders"},
		{"reminder past 1", func(p *incident.Policy) { p.Reminders = []float64{1.5} }, "reminders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := incident.DefaultPolicy()
			tt.edit(&p)
			err := p.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate = %v, want an error about %s", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultPolicyIsTheDesign(t *testing.T) {
	p := incident.DefaultPolicy()
	h := time.Hour
	want := map[incident.DeadlineKind]map[incident.Severity]time.Duration{
		incident.DeadlineTriage:             {incident.Low: 4 * h, incident.Medium: 4 * h, incident.High: 4 * h, incident.Critical: 4 * h},
		incident.DeadlineAnalysis:           {incident.Low: 72 * h, incident.Medium: 24 * h, incident.High: 12 * h, incident.Critical: 4 * h},
		incident.DeadlineTakedownResponse:   {incident.Low: 24 * h, incident.Medium: 24 * h, incident.High: 24 * h, incident.Critical: 24 * h},
		incident.DeadlineEscalationApproval: {incident.Low: 4 * h, incident.Medium: 4 * h, incident.High: 4 * h, incident.Critical: 4 * h},
		incident.DeadlineEscalationResponse: {incident.Low: 48 * h, incident.Medium: 48 * h, incident.High: 48 * h, incident.Critical: 48 * h},
		incident.DeadlineResolution:         {incident.Low: 480 * h, incident.Medium: 240 * h, incident.High: 120 * h, incident.Critical: 48 * h},
	}
	for kind, bySev := range want {
		for sev, d := range bySev {
			if got := p.Span(kind, sev); got != d {
				t.Errorf("Span(%s, %s) = %v, want %v", kind, sev, got, d)
			}
		}
	}
	if got := p.Span(incident.DeadlineAnalysis, ""); got != 24*h {
		t.Errorf("Span without severity = %v, want MEDIUM's 24h", got)
	}
	if got := p.Span("NOPE", incident.Low); got != 0 {
		t.Errorf("Span of an unknown kind = %v, want 0", got)
	}
	if !reflect.DeepEqual(p.Reminders, []float64{0.5, 0.8}) || !p.AutoEscalateOnTakedownMiss {
		t.Errorf("reminders/auto-escalation = %v/%v", p.Reminders, p.AutoEscalateOnTakedownMiss)
	}
}

func TestErrorCode(t *testing.T) {
	bad := incident.BadInput("title", "is required")
	tests := []struct {
		err      error
		code     string
		message  string
		hasField string
	}{
		{nil, "", "internal error", ""},
		{bad, incident.CodeBadUserInput, "title: is required", "title"},
		{fmt.Errorf("decide: %w", bad), incident.CodeBadUserInput, "title: is required", "title"},
		{incident.Errorf(incident.CodeNotFound, "case %s not found", "c-1"), incident.CodeNotFound, "case c-1 not found", ""},
		{errors.New("pq: connection refused at 10.0.0.1"), incident.CodeInternal, "internal error", ""},
	}
	for _, tt := range tests {
		if got := incident.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := incident.ErrorMessage(tt.err); got != tt.message {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.message)
		}
		if got := fieldOf(tt.err); got != tt.hasField {
			t.Errorf("field of %v = %q, want %q", tt.err, got, tt.hasField)
		}
	}
}

func TestStatusOpen(t *testing.T) {
	want := map[incident.Status]bool{
		incident.StatusReported: true, incident.StatusTriaged: true, incident.StatusAnalysis: true,
		incident.StatusAction: true, incident.StatusEscalated: true,
		incident.StatusResolved: false, incident.StatusClosed: false, incident.StatusRejected: false,
	}
	if len(want) != len(incident.Statuses) {
		t.Fatalf("%d statuses, want %d", len(incident.Statuses), len(want))
	}
	for _, s := range incident.Statuses {
		if s.Open() != want[s] {
			t.Errorf("%s.Open() = %v", s, s.Open())
		}
	}
}
