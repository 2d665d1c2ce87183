package incident_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"casetrail/incident"

	"golang.org/x/text/unicode/norm"
)

// Short names for the event types the tables below expect.
const (
	dSet = incident.TypeDeadlineSet
	dMet = incident.TypeDeadlineMet
	dCan = incident.TypeDeadlineCancelled
)

// fixtureStatus is the case status of a fixture stage.
func fixtureStatus(fx string) incident.Status {
	name, _, _ := strings.Cut(fx, "/")
	name, _, _ = strings.Cut(name, "+")
	return incident.Status(name)
}

// validCommands are commands with valid input for every fixture stage they are
// allowed in, keyed by command name.
func validCommands() map[string]incident.Command {
	merge := validReport()
	merge.ClientRequestID = "req-2"
	merge.Subjects = append(merge.Subjects, incident.SubjectInput{Platform: incident.TikTok, URL: "https://www.tiktok.com/@ubndtanuyen.fake"})
	return map[string]incident.Command{
		incident.CmdMergeReport:              incident.MergeReport{Report: merge},
		incident.CmdTriageCase:               incident.Triage{Severity: incident.Critical, Assignee: "handler2", Note: "Khẩn"},
		incident.CmdAssignCase:               incident.Assign{Assignee: "handler2"},
		incident.CmdStartAnalysis:            incident.StartAnalysis{},
		incident.CmdRecordAnalysis:           incident.RecordAnalysis{Findings: "Đã xác minh", Verdict: incident.VerdictMisleading, LegalBasis: "Nghị định 147/2024/NĐ-CP"},
		incident.CmdAddEvidence:              incident.AddEvidence{Description: "Ảnh chụp màn hình", MediaType: "image/png", SHA256: strings.Repeat("ab", 32), SizeBytes: 1234, URL: "https://www.facebook.com/ubnd.tanuyen.fake/posts/1"},
		incident.CmdRequestTakedown:          incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://www.facebook.com/ubnd.tanuyen.fake/posts/2", Reason: "Mạo danh", LegalBasis: "Điều 23"},
		incident.CmdRecordTakedownResponse:   incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved, PlatformReference: "FB-77", Note: "Đã gỡ"},
		incident.CmdRequestEscalation:        incident.RequestEscalation{Reason: "Cần Sở hỗ trợ"},
		incident.CmdApproveEscalation:        incident.ApproveEscalation{Note: "Đồng ý"},
		incident.CmdDeclineEscalation:        incident.DeclineEscalation{Reason: "Chưa cần"},
		incident.CmdSendEscalation:           incident.SendEscalation{DispatchNumber: "124/UBND-VHTT"},
		incident.CmdRecordEscalationResponse: incident.RecordEscalationResponse{Response: "Sở đã xử lý"},
		incident.CmdResolveCase:              incident.Resolve{Resolution: "Đã gỡ trang giả mạo"},
		incident.CmdCloseCase:                incident.Close{Note: "Đóng"},
		incident.CmdRejectCase:               incident.Reject{Reason: "Ngoài phạm vi"},
		incident.CmdReopenCase:               incident.Reopen{Reason: "Trang xuất hiện lại"},
		incident.CmdAddComment:               incident.Comment{Text: "Ghi chú"},
		incident.CmdCompleteTask:             incident.CompleteTask{TaskID: "public-warning", Note: "Đã đăng", URL: "https://www.facebook.com/ubndtanuyen/posts/9"},
		incident.CmdWaiveTask:                incident.WaiveTask{TaskID: "escalate-if-persists", Reason: "Trang đã bị gỡ"},
	}
}

// allowed is the lifecycle table of docs/ARCHITECTURE.md as this package implements it:
// for each command, each fixture stage it is allowed from, the exact events
// it emits there and the status the case folds to. Every stage not listed is
// INVALID_TRANSITION.
var allowed = func() map[string]map[string]struct {
	types  []string
	status incident.Status
} {
	type want = struct {
		types  []string
		status incident.Status
	}
	open := []string{fxReported, fxTriaged, fxAnalysis, fxAnalysed, fxAction, fxEscPending, fxEscApproved, fxEscSent, fxEscAcknowledge}
	m := map[string]map[string]want{}
	same := func(cmd string, stages []string, types ...string) {
		m[cmd] = map[string]want{}
		for _, fx := range stages {
			m[cmd][fx] = want{types, fixtureStatus(fx)}
		}
	}
	same(incident.CmdMergeReport, open, incident.TypeReportMerged)
	same(incident.CmdAssignCase, open, incident.TypeCaseAssigned)
	same(incident.CmdAddEvidence, open, incident.TypeEvidenceAdded)
	same(incident.CmdAddComment, fixtures, incident.TypeCommentAdded)
	triaged := []string{fxTriaged, fxAnalysis, fxAnalysed, fxAction, fxEscPending, fxEscApproved, fxEscSent, fxEscAcknowledge}
	same(incident.CmdCompleteTask, triaged, incident.TypeTaskCompleted)
	same(incident.CmdWaiveTask, triaged, incident.TypeTaskWaived)
	same(incident.CmdRecordTakedownResponse, []string{fxAction, fxEscPending, fxEscApproved, fxEscSent, fxEscAcknowledge}, incident.TypeTakedownResponded, dMet)

	m[incident.CmdTriageCase] = map[string]want{
		fxReported: {[]string{incident.TypeCaseTriaged, dMet, dSet, dSet}, incident.StatusTriaged},
	}
	m[incident.CmdStartAnalysis] = map[string]want{
		fxTriaged: {[]string{incident.TypeAnalysisStarted}, incident.StatusAnalysis},
	}
	rec := []string{incident.TypeAnalysisRecorded}
	m[incident.CmdRecordAnalysis] = map[string]want{
		fxAnalysis:       {[]string{incident.TypeAnalysisRecorded, dMet}, incident.StatusAnalysis},
		fxAnalysed:       {rec, incident.StatusAnalysis},
		fxAction:         {rec, incident.StatusAction},
		fxEscPending:     {rec, incident.StatusEscalated},
		fxEscApproved:    {rec, incident.StatusEscalated},
		fxEscSent:        {rec, incident.StatusEscalated},
		fxEscAcknowledge: {rec, incident.StatusEscalated},
	}
	td := []string{incident.TypeTakedownRequested, dSet}
	m[incident.CmdRequestTakedown] = map[string]want{
		fxAnalysed:       {td, incident.StatusAction},
		fxAction:         {td, incident.StatusAction},
		fxEscPending:     {td, incident.StatusEscalated},
		fxEscApproved:    {td, incident.StatusEscalated},
		fxEscSent:        {td, incident.StatusEscalated},
		fxEscAcknowledge: {td, incident.StatusEscalated},
	}
	esc := []string{incident.TypeEscalationRequested, dSet}
	m[incident.CmdRequestEscalation] = map[string]want{
		fxAnalysis: {esc, incident.StatusEscalated},
		fxAnalysed: {esc, incident.StatusEscalated},
		fxAction:   {esc, incident.StatusEscalated},
	}
	m[incident.CmdApproveEscalation] = map[string]want{
		fxEscPending: {[]string{incident.TypeEscalationApproved, dMet}, incident.StatusEscalated},
	}
	m[incident.CmdDeclineEscalation] = map[string]want{
		fxEscPending: {[]string{incident.TypeEscalationDeclined, dMet}, incident.StatusAction},
	}
	m[incident.CmdSendEscalation] = map[string]want{
		fxEscApproved: {[]string{incident.TypeEscalationSent, dSet}, incident.StatusEscalated},
	}
	m[incident.CmdRecordEscalationResponse] = map[string]want{
		fxEscSent:        {[]string{incident.TypeEscalationResponded, dMet}, incident.StatusEscalated},
		fxEscAcknowledge: {[]string{incident.TypeEscalationResponded}, incident.StatusEscalated},
	}
	resolved := func(cancels int) want {
		ts := []string{incident.TypeCaseResolved, dMet}
		for range cancels {
			ts = append(ts, dCan)
		}
		return want{ts, incident.StatusResolved}
	}
	m[incident.CmdResolveCase] = map[string]want{
		fxAnalysis:       resolved(1), // ANALYSIS
		fxAnalysed:       resolved(0),
		fxAction:         resolved(1), // TAKEDOWN_RESPONSE
		fxEscPending:     resolved(2), // TAKEDOWN_RESPONSE, ESCALATION_APPROVAL
		fxEscApproved:    resolved(1), // TAKEDOWN_RESPONSE
		fxEscSent:        resolved(2), // TAKEDOWN_RESPONSE, ESCALATION_RESPONSE
		fxEscAcknowledge: resolved(1), // TAKEDOWN_RESPONSE
	}
	m[incident.CmdCloseCase] = map[string]want{
		fxResolved: {[]string{incident.TypeCaseClosed}, incident.StatusClosed},
	}
	m[incident.CmdRejectCase] = map[string]want{
		fxReported: {[]string{incident.TypeCaseRejected, dCan}, incident.StatusRejected},
		fxTriaged:  {[]string{incident.TypeCaseRejected, dCan, dCan}, incident.StatusRejected},
		fxAnalysis: {[]string{incident.TypeCaseRejected, dCan, dCan}, incident.StatusRejected},
		fxAnalysed: {[]string{incident.TypeCaseRejected, dCan}, incident.StatusRejected},
	}
	reopen := want{[]string{incident.TypeCaseReopened, dSet, dSet}, incident.StatusTriaged}
	m[incident.CmdReopenCase] = map[string]want{fxResolved: reopen, fxClosed: reopen, fxRejected: reopen}
	return m
}()

// stateChecks check what each command changes besides the status.
var stateChecks = map[string]func(t *testing.T, before, after incident.Case, now time.Time){
	incident.CmdMergeReport: func(t *testing.T, before, after incident.Case, _ time.Time) {
		if after.MergedReports != before.MergedReports+1 {
			t.Errorf("mergedReports = %d, want %d", after.MergedReports, before.MergedReports+1)
		}
		// The Facebook subject is already covered; only the TikTok one is new.
		if len(after.Subjects) != len(before.Subjects)+1 || after.Subjects[len(after.Subjects)-1].NormalizedURL != "https://tiktok.com/@ubndtanuyen.fake" {
			t.Errorf("subjects = %+v, want the TikTok subject added once", after.Subjects)
		}
		if after.ClientRequestID != "req-1" || after.Title != before.Title {
			t.Errorf("a merged report changed the case's own report: %q %q", after.ClientRequestID, after.Title)
		}
	},
	incident.CmdTriageCase: func(t *testing.T, _, after incident.Case, _ time.Time) {
		if after.Severity != incident.Critical || after.Assignee != "handler2" {
			t.Errorf("severity/assignee = %s/%s, want CRITICAL/handler2", after.Severity, after.Assignee)
		}
	},
	incident.CmdAssignCase: func(t *testing.T, _, after incident.Case, _ time.Time) {
		if after.Assignee != "handler2" {
			t.Errorf("assignee = %q, want handler2", after.Assignee)
		}
	},
	incident.CmdRecordAnalysis: func(t *testing.T, _, after incident.Case, now time.Time) {
		a := after.Analysis
		if a == nil || a.Findings != "Đã xác minh" || a.Verdict != incident.VerdictMisleading || a.LegalBasis == "" || a.RecordedBy != handler || !a.RecordedAt.Equal(now) {
			t.Errorf("analysis = %+v", a)
		}
	},
	incident.CmdAddEvidence: func(t *testing.T, before, after incident.Case, now time.Time) {
		if len(after.Evidence) != len(before.Evidence)+1 {
			t.Fatalf("evidence count = %d, want %d", len(after.Evidence), len(before.Evidence)+1)
		}
		e := after.Evidence[len(after.Evidence)-1]
		if e.ID != "EV-1" || e.SHA256 != strings.Repeat("ab", 32) || e.SizeBytes != 1234 || e.MediaType != "image/png" || e.AddedBy != handler || !e.AddedAt.Equal(now) {
			t.Errorf("evidence = %+v", e)
		}
	},
	incident.CmdRequestTakedown: func(t *testing.T, before, after incident.Case, now time.Time) {
		if len(after.Takedowns) != len(before.Takedowns)+1 {
			t.Fatalf("takedowns = %d, want %d", len(after.Takedowns), len(before.Takedowns)+1)
		}
		td := after.Takedowns[len(after.Takedowns)-1]
		if td.Status != incident.TakedownSent || td.RequestedBy != handler || !td.DueAt.Equal(now.Add(24*time.Hour)) || td.LegalBasis != "Điều 23" {
			t.Errorf("takedown = %+v", td)
		}
	},
	incident.CmdRecordTakedownResponse: func(t *testing.T, _, after incident.Case, now time.Time) {
		td := after.Takedown("TD-1")
		if td == nil || td.Status != incident.TakedownRemoved || td.PlatformReference != "FB-77" || td.RespondedAt == nil || !td.RespondedAt.Equal(now) {
			t.Errorf("takedown = %+v", td)
		}
	},
	incident.CmdRequestEscalation: func(t *testing.T, before, after incident.Case, _ time.Time) {
		e := after.Escalation
		if e == nil || e.Status != incident.EscPendingApproval || e.To != "lai-chau/so-vhttdl" || e.RequestedBy != handler || e.Reason != "Cần Sở hỗ trợ" {
			t.Errorf("escalation = %+v", e)
		}
		if after.BeforeEscalation != before.Status {
			t.Errorf("beforeEscalation = %s, want %s", after.BeforeEscalation, before.Status)
		}
	},
	incident.CmdApproveEscalation: func(t *testing.T, _, after incident.Case, now time.Time) {
		e := after.Escalation
		if e.Status != incident.EscApproved || e.ApprovedBy != handler || e.ApprovedAt == nil || !e.ApprovedAt.Equal(now) {
			t.Errorf("escalation = %+v", e)
		}
	},
	incident.CmdDeclineEscalation: func(t *testing.T, _, after incident.Case, _ time.Time) {
		if after.Escalation.Status != incident.EscDeclined {
			t.Errorf("escalation status = %s, want DECLINED", after.Escalation.Status)
		}
	},
	incident.CmdSendEscalation: func(t *testing.T, _, after incident.Case, now time.Time) {
		e := after.Escalation
		if e.Status != incident.EscSent || e.DispatchNumber != "124/UBND-VHTT" || e.SentAt == nil || !e.SentAt.Equal(now) {
			t.Errorf("escalation = %+v", e)
		}
	},
	incident.CmdRecordEscalationResponse: func(t *testing.T, _, after incident.Case, now time.Time) {
		e := after.Escalation
		if e.Status != incident.EscAcknowledged || e.Response != "Sở đã xử lý" || e.RespondedAt == nil || !e.RespondedAt.Equal(now) {
			t.Errorf("escalation = %+v", e)
		}
	},
	incident.CmdResolveCase: func(t *testing.T, _, after incident.Case, now time.Time) {
		if after.Resolution != "Đã gỡ trang giả mạo" || after.ResolvedAt == nil || !after.ResolvedAt.Equal(now) {
			t.Errorf("resolution = %q at %v", after.Resolution, after.ResolvedAt)
		}
		if p := pendingKinds(after); p != "" {
			t.Errorf("pending deadlines after resolve: %s", p)
		}
	},
	incident.CmdRejectCase: func(t *testing.T, _, after incident.Case, _ time.Time) {
		if after.Resolution != "Ngoài phạm vi" {
			t.Errorf("resolution = %q, want the reason", after.Resolution)
		}
		if p := pendingKinds(after); p != "" {
			t.Errorf("pending deadlines after reject: %s", p)
		}
	},
	incident.CmdReopenCase: func(t *testing.T, _, after incident.Case, _ time.Time) {
		if after.Resolution != "" || after.ResolvedAt != nil {
			t.Errorf("resolution = %q at %v, want cleared", after.Resolution, after.ResolvedAt)
		}
		if p := pendingKinds(after); p != "ANALYSIS,RESOLUTION" {
			t.Errorf("pending deadlines after reopen = %s, want ANALYSIS,RESOLUTION", p)
		}
	},
	incident.CmdAddComment: func(t *testing.T, before, after incident.Case, _ time.Time) {
		if after.Comments != before.Comments+1 {
			t.Errorf("comments = %d, want %d", after.Comments, before.Comments+1)
		}
	},
}

func TestDecideLifecycleTable(t *testing.T) {
	cmds := validCommands()
	if len(cmds) != len(allowed) {
		t.Fatalf("%d commands but %d rows in the lifecycle table", len(cmds), len(allowed))
	}
	now := at(20)
	for name, cmd := range cmds {
		for _, fx := range fixtures {
			t.Run(name+"/"+fx, func(t *testing.T) {
				h := fixture(t, fx)
				before := h.c.Clone()
				ps, err := incident.Decide(h.c, cmd, now, h.p)
				if !reflect.DeepEqual(before, h.c) {
					t.Fatal("Decide changed the case it was given")
				}
				want, ok := allowed[name][fx]
				if !ok {
					if code := incident.ErrorCode(err); code != incident.CodeInvalidTransition {
						t.Fatalf("err = %v (%s), want INVALID_TRANSITION", err, code)
					}
					if ps != nil {
						t.Fatalf("rejected command returned events %v", types(ps))
					}
					return
				}
				if err != nil {
					t.Fatalf("Decide: %v", err)
				}
				if got := types(ps); !sameStrings(got, want.types) {
					t.Fatalf("events = %v, want %v", got, want.types)
				}
				h.record(handler, now, ps)
				if h.c.Status != want.status {
					t.Errorf("status = %s, want %s", h.c.Status, want.status)
				}
				if h.c.Version != before.Version+int64(len(ps)) || !h.c.UpdatedAt.Equal(now) {
					t.Errorf("version/updatedAt = %d/%v, want %d/%v", h.c.Version, h.c.UpdatedAt, before.Version+int64(len(ps)), now)
				}
				if check := stateChecks[name]; check != nil {
					check(t, before, h.c, now)
				}
			})
		}
	}
}

func TestDecideOnMissingCase(t *testing.T) {
	for name, cmd := range validCommands() {
		_, err := incident.Decide(incident.Case{}, cmd, t0, incident.DefaultPolicy())
		if code := incident.ErrorCode(err); code != incident.CodeNotFound {
			t.Errorf("%s on no case: err = %v (%s), want NOT_FOUND", name, err, code)
		}
	}
}

func TestDecideReport(t *testing.T) {
	h := newHistory(t)
	r := validReport()
	r.Subjects = append(r.Subjects,
		// The same page again, written differently: kept once.
		incident.SubjectInput{Platform: incident.Facebook, URL: " https://m.facebook.com/ubnd.tanuyen.fake/ "},
		incident.SubjectInput{Platform: incident.Website, URL: "https://tintuc.example.vn/bai-viet?id=7&utm_source=fb"},
	)
	ps := h.do(reporter, r, t0)
	if got, want := types(ps), []string{incident.TypeCaseReported, dSet}; !sameStrings(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	c := h.c
	if c.ID != "c-1" || c.Number != "VV-2025-000001" || c.Status != incident.StatusReported || c.Kind != incident.Impersonation ||
		c.Unit != r.Unit || c.EscalatesTo != r.EscalatesTo || c.ReportedBy != reporter || !c.ReportedAt.Equal(t0) ||
		c.ClientRequestID != "req-1" || c.Version != 2 {
		t.Errorf("case = %+v", c)
	}
	want := []incident.Subject{
		{Platform: incident.Facebook, URL: "https://www.facebook.com/ubnd.tanuyen.fake?fbclid=IwAR0", NormalizedURL: "https://facebook.com/ubnd.tanuyen.fake", DisplayName: "UBND huyện Tân Uyên"},
		{Platform: incident.Website, URL: "https://tintuc.example.vn/bai-viet?id=7&utm_source=fb", NormalizedURL: "https://tintuc.example.vn/bai-viet?id=7"},
	}
	if !reflect.DeepEqual(c.Subjects, want) {
		t.Errorf("subjects = %+v, want %+v", c.Subjects, want)
	}

	if _, err := incident.Decide(c, validReport(), at(1), h.p); incident.ErrorCode(err) != incident.CodeConflict {
		t.Errorf("second report on the same case: err = %v, want CONFLICT", err)
	}
	noID := validReport()
	noID.CaseID = ""
	if _, err := incident.Decide(incident.Case{}, noID, t0, h.p); incident.ErrorCode(err) != incident.CodeInternal {
		t.Errorf("report without case id: err = %v, want INTERNAL", err)
	}
}

func TestValidateReportBeforeNumbering(t *testing.T) {
	h := newHistory(t)
	unnumbered := validReport()
	unnumbered.Number = ""
	if err := incident.Validate(incident.Case{}, unnumbered, t0, h.p); err != nil {
		t.Errorf("valid report without its number: %v, want accepted", err)
	}
	if _, err := incident.Decide(incident.Case{}, unnumbered, t0, h.p); incident.ErrorCode(err) != incident.CodeInternal {
		t.Errorf("Decide of a report without its number: err = %v, want INTERNAL", err)
	}
	bad := unnumbered
	bad.Title = " "
	if err := incident.Validate(incident.Case{}, bad, t0, h.p); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("report without title: err = %v, want BAD_USER_INPUT", err)
	}
	h.do(reporter, validReport(), t0)
	if err := incident.Validate(h.c, unnumbered, at(1), h.p); incident.ErrorCode(err) != incident.CodeConflict {
		t.Errorf("report on an existing case: err = %v, want CONFLICT", err)
	}
	if err := incident.Validate(h.c, incident.Close{}, at(1), h.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Errorf("close a reported case: err = %v, want INVALID_TRANSITION", err)
	}
}

// otherCommand is a command Decide does not know.
type otherCommand struct{}

func (otherCommand) Name() string { return "other" }

func TestDecideUnknownCommand(t *testing.T) {
	h := fixture(t, fxReported)
	if _, err := incident.Decide(h.c, otherCommand{}, at(1), h.p); incident.ErrorCode(err) != incident.CodeBadUserInput {
		t.Errorf("err = %v, want BAD_USER_INPUT", err)
	}
}

func TestDecideBadUserInput(t *testing.T) {
	long := func(n int) string { return strings.Repeat("â", n) } // one character, two bytes
	report := func(edit func(r *incident.Report)) incident.Report {
		r := validReport()
		edit(&r)
		return r
	}
	subjects := func(n int) []incident.SubjectInput {
		out := make([]incident.SubjectInput, n)
		for i := range out {
			out[i] = incident.SubjectInput{Platform: incident.Facebook, URL: "https://facebook.com/page" + strings.Repeat("x", i)}
		}
		return out
	}
	tests := []struct {
		name  string
		fx    string // "" is the empty case
		cmd   incident.Command
		field string
	}{
		{"title empty", "", report(func(r *incident.Report) { r.Title = "" }), "title"},
		{"title blank", "", report(func(r *incident.Report) { r.Title = "  \t " }), "title"},
		{"title 301", "", report(func(r *incident.Report) { r.Title = long(301) }), "title"},
		{"title invalid UTF-8", "", report(func(r *incident.Report) { r.Title = "Trang \xc3\x28 giả" }), "title"},
		{"description 20001", "", report(func(r *incident.Report) { r.Description = long(20001) }), "description"},
		{"description invalid UTF-8", "", report(func(r *incident.Report) { r.Description = "\xff" }), "description"},
		{"kind unknown", "", report(func(r *incident.Report) { r.Kind = "SPAM" }), "kind"},
		{"kind empty", "", report(func(r *incident.Report) { r.Kind = "" }), "kind"},
		{"unit empty", "", report(func(r *incident.Report) { r.Unit = " " }), "unit"},
		{"clientRequestId empty", "", report(func(r *incident.Report) { r.ClientRequestID = "" }), "clientRequestId"},
		{"0 subjects", "", report(func(r *incident.Report) { r.Subjects = nil }), "subjects"},
		{"21 subjects", "", report(func(r *incident.Report) { r.Subjects = subjects(21) }), "subjects"},
		{"subject platform unknown", "", report(func(r *incident.Report) { r.Subjects[0].Platform = "MYSPACE" }), "subjects[0].platform"},
		{"subject URL ftp", "", report(func(r *incident.Report) { r.Subjects[0].URL = "ftp://facebook.com/x" }), "subjects[0].url"},
		{"subject URL javascript", "", report(func(r *incident.Report) { r.Subjects[0].URL = "javascript:alert(1)" }), "subjects[0].url"},
		{"subject URL relative", "", report(func(r *incident.Report) { r.Subjects[0].URL = "/ubndtanuyen" }), "subjects[0].url"},
		{"subject URL without scheme", "", report(func(r *incident.Report) { r.Subjects[0].URL = "facebook.com/ubndtanuyen" }), "subjects[0].url"},
		{"subject URL empty", "", report(func(r *incident.Report) { r.Subjects[0].URL = "" }), "subjects[0].url"},
		{"second subject URL bad", "", report(func(r *incident.Report) {
			r.Subjects = append(r.Subjects, incident.SubjectInput{Platform: incident.Zalo, URL: "zalo.me/123"})
		}), "subjects[1].url"},
		{"subject URL invalid UTF-8", "", report(func(r *incident.Report) { r.Subjects[0].URL = "https://facebook.com/\xff" }), "subjects[0].url"},
		{"subject display name invalid UTF-8", "", report(func(r *incident.Report) { r.Subjects[0].DisplayName = "\xff" }), "subjects[0].displayName"},
		{"merged report bad title", fxTriaged, incident.MergeReport{Report: report(func(r *incident.Report) { r.Title = "" })}, "title"},

		{"triage severity unknown", fxReported, incident.Triage{Severity: "URGENT", Assignee: handler}, "severity"},
		{"triage severity empty", fxReported, incident.Triage{Assignee: handler}, "severity"},
		{"triage assignee empty", fxReported, incident.Triage{Severity: incident.Low}, "assignee"},
		{"triage note 10001", fxReported, incident.Triage{Severity: incident.Low, Assignee: handler, Note: long(10001)}, "note"},
		{"assign assignee empty", fxTriaged, incident.Assign{}, "assignee"},

		{"findings empty", fxAnalysis, incident.RecordAnalysis{}, "findings"},
		{"findings 10001", fxAnalysis, incident.RecordAnalysis{Findings: long(10001)}, "findings"},
		{"verdict unknown", fxAnalysis, incident.RecordAnalysis{Findings: "x", Verdict: "MAYBE"}, "verdict"},
		{"legal basis 10001", fxAnalysis, incident.RecordAnalysis{Findings: "x", LegalBasis: long(10001)}, "legalBasis"},

		{"evidence description empty", fxTriaged, incident.AddEvidence{MediaType: "image/png", SHA256: strings.Repeat("0", 64)}, "description"},
		{"evidence media type empty", fxTriaged, incident.AddEvidence{Description: "x", SHA256: strings.Repeat("0", 64)}, "mediaType"},
		{"evidence URL not http", fxTriaged, incident.AddEvidence{Description: "x", MediaType: "image/png", SHA256: strings.Repeat("0", 64), URL: "ftp://x.vn/a"}, "url"},
		{"evidence not stored", fxTriaged, incident.AddEvidence{Description: "x", MediaType: "image/png", SHA256: "abc"}, "contentBase64"},
		{"evidence hash not hex", fxTriaged, incident.AddEvidence{Description: "x", MediaType: "image/png", SHA256: strings.Repeat("z", 64)}, "contentBase64"},
		{"evidence too large", fxTriaged, incident.AddEvidence{Description: "x", MediaType: "image/png", SHA256: strings.Repeat("0", 64), SizeBytes: incident.MaxEvidence + 1}, "contentBase64"},

		{"takedown platform unknown", fxAnalysed, incident.RequestTakedown{Platform: "MYSPACE", TargetURL: "https://x.vn/a", Reason: "r"}, "platform"},
		{"takedown target not http", fxAnalysed, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "ftp://x.vn/a", Reason: "r"}, "targetUrl"},
		{"takedown target empty", fxAnalysed, incident.RequestTakedown{Platform: incident.Facebook, Reason: "r"}, "targetUrl"},
		{"takedown reason empty", fxAnalysed, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://x.vn/a"}, "reason"},
		{"takedown reason 10001", fxAnalysed, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://x.vn/a", Reason: long(10001)}, "reason"},
		{"takedown reason invalid UTF-8", fxAnalysed, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://x.vn/a", Reason: "\xff"}, "reason"},
		{"takedown outcome unknown", fxAction, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: "LOST"}, "outcome"},
		{"takedown note 10001", fxAction, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRejected, Note: long(10001)}, "note"},

		{"escalation reason empty", fxAction, incident.RequestEscalation{}, "reason"},
		{"escalation reason 10001", fxAction, incident.RequestEscalation{Reason: long(10001)}, "reason"},
		{"approval note 10001", fxEscPending, incident.ApproveEscalation{Note: long(10001)}, "note"},
		{"decline reason empty", fxEscPending, incident.DeclineEscalation{}, "reason"},
		{"decline reason 10001", fxEscPending, incident.DeclineEscalation{Reason: long(10001)}, "reason"},
		{"dispatch number empty", fxEscApproved, incident.SendEscalation{DispatchNumber: " "}, "dispatchNumber"},
		{"dispatch number invalid UTF-8", fxEscApproved, incident.SendEscalation{DispatchNumber: "12/\xff"}, "dispatchNumber"},
		{"escalation response empty", fxEscSent, incident.RecordEscalationResponse{}, "response"},
		{"escalation response 10001", fxEscSent, incident.RecordEscalationResponse{Response: long(10001)}, "response"},

		{"resolution empty", fxAction, incident.Resolve{}, "resolution"},
		{"resolution 10001", fxAction, incident.Resolve{Resolution: long(10001)}, "resolution"},
		{"close note 10001", fxResolved, incident.Close{Note: long(10001)}, "note"},
		{"reject reason empty", fxReported, incident.Reject{}, "reason"},
		{"reject reason 10001", fxReported, incident.Reject{Reason: long(10001)}, "reason"},
		{"reopen reason empty", fxClosed, incident.Reopen{}, "reason"},
		{"reopen reason 10001", fxClosed, incident.Reopen{Reason: long(10001)}, "reason"},
		{"comment empty", fxReported, incident.Comment{}, "text"},
		{"comment 10001", fxReported, incident.Comment{Text: long(10001)}, "text"},
		{"comment invalid UTF-8", fxClosed, incident.Comment{Text: "a\xe1\x80b"}, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c incident.Case
			if tt.fx != "" {
				c = fixture(t, tt.fx).c
			}
			ps, err := incident.Decide(c, tt.cmd, at(20), incident.DefaultPolicy())
			if code := incident.ErrorCode(err); code != incident.CodeBadUserInput {
				t.Fatalf("err = %v (%s), want BAD_USER_INPUT", err, code)
			}
			if f := fieldOf(err); f != tt.field {
				t.Errorf("field = %q, want %q (%v)", f, tt.field, err)
			}
			if ps != nil {
				t.Errorf("rejected command returned events %v", types(ps))
			}
		})
	}
}

// TestDecideLimitsInclusive checks that every limit itself is accepted.
func TestDecideLimitsInclusive(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ệ", n) }
	r := validReport()
	r.Title = long(incident.MaxTitle)
	r.Description = long(incident.MaxDescription)
	r.Subjects = nil
	for i := range incident.MaxSubjects {
		r.Subjects = append(r.Subjects, incident.SubjectInput{Platform: incident.Facebook, URL: "https://facebook.com/p" + strings.Repeat("x", i)})
	}
	h := newHistory(t)
	h.do(reporter, r, t0)
	if len(h.c.Subjects) != incident.MaxSubjects || h.c.Title != r.Title || h.c.Description != r.Description {
		t.Fatalf("report at the limits was not kept whole: %d subjects", len(h.c.Subjects))
	}
	h.do(reporter, incident.Comment{Text: long(incident.MaxText)}, at(1))
	h.do(handler, incident.Reject{Reason: long(incident.MaxText)}, at(1))
	h.do(handler, incident.Reopen{Reason: long(incident.MaxText)}, at(2))
	h.do(handler, incident.Triage{Severity: incident.Medium, Assignee: long(incident.MaxShortText)}, at(2))
	h.do(handler, incident.StartAnalysis{}, at(2))
	h.do(handler, incident.RecordAnalysis{Findings: long(incident.MaxText), LegalBasis: long(incident.MaxText)}, at(3))
	h.do(handler, incident.AddEvidence{Description: "x", MediaType: "video/mp4", SHA256: strings.Repeat("0", 64), SizeBytes: incident.MaxEvidence}, at(3))
	h.do(handler, incident.Resolve{Resolution: long(incident.MaxText)}, at(4))
	if h.c.Status != incident.StatusResolved {
		t.Fatalf("status = %s", h.c.Status)
	}
}

func TestDecideStoresNFC(t *testing.T) {
	composed := "Ủy ban nhân dân huyện Tân Uyên"
	decomposed := norm.NFD.String(composed)
	if decomposed == composed || !norm.NFC.IsNormalString(composed) {
		t.Fatal("test data: need a composed string with a distinct decomposed form")
	}
	r := validReport()
	r.Title = decomposed
	r.Description = "Về " + decomposed
	r.Subjects[0].DisplayName = decomposed
	h := newHistory(t)
	h.do(reporter, r, t0)
	if h.c.Title != composed || h.c.Description != "Về "+composed || h.c.Subjects[0].DisplayName != composed {
		t.Errorf("report text not stored NFC: %q / %q / %q", h.c.Title, h.c.Description, h.c.Subjects[0].DisplayName)
	}
	ps := h.do(reporter, incident.Comment{Text: decomposed}, at(1))
	if got := ps[0].(incident.CommentAdded).Text; got != composed {
		t.Errorf("comment = %q, want NFC %q", got, composed)
	}
	ps = h.do(handler, incident.Reject{Reason: decomposed}, at(1))
	if got := ps[0].(incident.CaseRejected).Reason; got != composed {
		t.Errorf("reason = %q, want NFC %q", got, composed)
	}
	h.do(handler, incident.Reopen{Reason: "x"}, at(2))
	h.do(handler, incident.Triage{Severity: incident.Medium, Assignee: "handler1"}, at(2))
	h.do(handler, incident.StartAnalysis{}, at(2))
	h.do(handler, incident.RecordAnalysis{Findings: decomposed, LegalBasis: decomposed}, at(3))
	if a := h.c.Analysis; a.Findings != composed || a.LegalBasis != composed {
		t.Errorf("analysis not stored NFC: %+v", a)
	}
	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: decomposed}, at(4))
	if got := h.c.Takedowns[0].Reason; got != composed {
		t.Errorf("takedown reason = %q, want NFC", got)
	}
	h.do(handler, incident.Resolve{Resolution: decomposed}, at(5))
	if h.c.Resolution != composed {
		t.Errorf("resolution = %q, want NFC", h.c.Resolution)
	}
}

func TestRequestTakedownNeedsAnalysis(t *testing.T) {
	h := fixture(t, fxAnalysis)
	_, err := incident.Decide(h.c, validCommands()[incident.CmdRequestTakedown], at(3), h.p)
	if incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Fatalf("takedown before any analysis: err = %v, want INVALID_TRANSITION", err)
	}
}

func TestTakedownResponseRules(t *testing.T) {
	h := fixture(t, fxAction)
	if _, err := incident.Decide(h.c, incident.RecordTakedownResponse{TakedownID: "TD-9", Outcome: incident.OutcomeRemoved}, at(5), h.p); incident.ErrorCode(err) != incident.CodeNotFound {
		t.Errorf("unknown takedown: err = %v, want NOT_FOUND", err)
	}
	h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeAcknowledged, PlatformReference: "FB-1"}, at(5))
	if td := h.c.Takedown("TD-1"); td.Status != incident.TakedownAcknowledged {
		t.Fatalf("takedown = %s, want ACKNOWLEDGED", td.Status)
	}
	// An acknowledgement may be followed by the final answer.
	ps := h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRejected}, at(6))
	if got := types(ps); !sameStrings(got, []string{incident.TypeTakedownResponded}) {
		t.Errorf("second answer events = %v, want only TakedownResponded (the deadline was met by the first)", got)
	}
	if _, err := incident.Decide(h.c, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved}, at(7), h.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Errorf("answer to a rejected takedown: err = %v, want INVALID_TRANSITION", err)
	}
}

func TestRequestEscalationNeedsTarget(t *testing.T) {
	h := newHistory(t)
	r := validReport()
	r.EscalatesTo = ""
	h.do(reporter, r, t0)
	h.do(handler, incident.Triage{Severity: incident.Low, Assignee: handler}, at(1))
	h.do(handler, incident.StartAnalysis{}, at(2))
	_, err := incident.Decide(h.c, incident.RequestEscalation{Reason: "x"}, at(3), h.p)
	if incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Errorf("escalation without a target: err = %v, want INVALID_TRANSITION", err)
	}
}

func TestDeclineEscalationReturnsToPreviousStatus(t *testing.T) {
	h := fixture(t, fxAnalysis)
	h.do(handler, incident.RequestEscalation{Reason: "x"}, at(3))
	if h.c.BeforeEscalation != incident.StatusAnalysis {
		t.Fatalf("beforeEscalation = %s", h.c.BeforeEscalation)
	}
	h.do(leader, incident.DeclineEscalation{Reason: "không"}, at(4))
	if h.c.Status != incident.StatusAnalysis {
		t.Errorf("status after decline = %s, want ANALYSIS", h.c.Status)
	}
	// The case may be escalated again later.
	h.do(handler, incident.RequestEscalation{Reason: "lần hai"}, at(5))
	if h.c.Escalation.Status != incident.EscPendingApproval || h.c.Escalation.Reason != "lần hai" {
		t.Errorf("second escalation = %+v", h.c.Escalation)
	}
}

func TestDeclineAfterTakedownWhileEscalated(t *testing.T) {
	// Escalated from ANALYSIS, a takedown goes out before the leader declines:
	// the case returns to ACTION, where the platform's answer can be recorded.
	h := fixture(t, fxAnalysed)
	h.do(handler, incident.RequestEscalation{Reason: "r"}, at(4))
	h.do(handler, incident.RequestTakedown{Platform: incident.Facebook, TargetURL: "https://facebook.com/x", Reason: "r"}, at(5))
	if h.c.Status != incident.StatusEscalated || h.c.BeforeEscalation != incident.StatusAction {
		t.Fatalf("status = %s (before %s), want ESCALATED (before ACTION)", h.c.Status, h.c.BeforeEscalation)
	}
	h.do(leader, incident.DeclineEscalation{Reason: "không"}, at(6))
	if h.c.Status != incident.StatusAction {
		t.Fatalf("status after decline = %s, want ACTION", h.c.Status)
	}
	h.do(handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: incident.OutcomeRemoved}, at(7))
	if h.c.Takedown("TD-1").Status != incident.TakedownRemoved {
		t.Errorf("takedown = %s, want REMOVED", h.c.Takedown("TD-1").Status)
	}
}

func TestEscalationResponseResolved(t *testing.T) {
	h := fixture(t, fxEscSent)
	h.do(handler, incident.RecordEscalationResponse{Response: "Đã xử lý xong", Resolved: true}, at(9))
	if h.c.Escalation.Status != incident.EscResolved || h.c.Status != incident.StatusEscalated {
		t.Fatalf("escalation/case = %s/%s, want RESOLVED/ESCALATED", h.c.Escalation.Status, h.c.Status)
	}
	if _, err := incident.Decide(h.c, incident.RecordEscalationResponse{Response: "x"}, at(10), h.p); incident.ErrorCode(err) != incident.CodeInvalidTransition {
		t.Errorf("response after a resolving one: err = %v, want INVALID_TRANSITION", err)
	}
	h.do(handler, incident.Resolve{Resolution: "Sở đã xử lý"}, at(10))
	if h.c.Status != incident.StatusResolved {
		t.Errorf("status = %s, want RESOLVED", h.c.Status)
	}
}

func TestCommentOnEveryStatus(t *testing.T) {
	// addComment is allowed whatever the status: the table covers it; here the
	// counts add up over a whole history.
	h := fixture(t, fxClosed)
	for i := range 3 {
		h.do(reporter, incident.Comment{Text: "x"}, at(11+float64(i)))
	}
	if h.c.Comments != 3 || h.c.Status != incident.StatusClosed {
		t.Errorf("comments/status = %d/%s", h.c.Comments, h.c.Status)
	}
}

// TestAvailableFollowsDecide checks Available against the lifecycle table:
// a command is offered in exactly the stages where Decide accepts it.
func TestAvailableFollowsDecide(t *testing.T) {
	now := at(20)
	for _, fx := range fixtures {
		t.Run(fx, func(t *testing.T) {
			h := fixture(t, fx)
			got := map[string]bool{}
			for _, name := range incident.Available(h.c, now, h.p) {
				got[name] = true
			}
			for name := range validCommands() {
				_, want := allowed[name][fx]
				if got[name] != want {
					t.Errorf("%s available = %v, want %v", name, got[name], want)
				}
				delete(got, name)
			}
			for name := range got {
				t.Errorf("%s is available but not in the lifecycle table", name)
			}
		})
	}
	if got := incident.Available(incident.Case{}, now, incident.DefaultPolicy()); got != nil {
		t.Errorf("a case that does not exist offers %v", got)
	}
}

func TestRespondableTakedowns(t *testing.T) {
	h := fixture(t, fxAction)
	if got := incident.RespondableTakedowns(h.c, at(20), h.p); !sameStrings(got, []string{"TD-1"}) {
		t.Fatalf("respondable = %v, want [TD-1]", got)
	}
	h.do(handler, validCommands()[incident.CmdRecordTakedownResponse], at(20))
	if got := incident.RespondableTakedowns(h.c, at(21), h.p); len(got) != 0 {
		t.Errorf("after the platform removed it: respondable = %v, want none", got)
	}
	for _, name := range incident.Available(h.c, at(21), h.p) {
		if name == incident.CmdRecordTakedownResponse {
			t.Errorf("recordTakedownResponse still available with no takedown awaiting a response")
		}
	}
}
